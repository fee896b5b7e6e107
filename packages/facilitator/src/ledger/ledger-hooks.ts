/**
 * Engine hooks that make settlement exactly-once across any number of facilitator instances
 * sharing one {@link PaymentLedger}:
 *
 * - `beforeSettle` claims the payment. The winner settles; everyone else (another request for the
 *   same payment, here or on another instance) waits for the winner's outcome and answers with
 *   it, so all callers of one payment get the same transaction hash. A payment already finished
 *   answers its stored outcome without touching the chain. The same authorization presented with
 *   other requirements (another resource, another timeout ...) is refused as `duplicate_settlement`.
 * - `afterSettle` stores the outcome: `settled`, `pending` (sent, receipt not seen in time: the
 *   hash is kept and the payment is never sent again), `failed` (a transaction reverted), or
 *   releases the claim when nothing was sent, so the payment may be tried again.
 * - `beforeVerify` refuses a payment the ledger already has a transaction for, so a resource
 *   server never serves a replayed payment.
 *
 * Requests for the same payment on one instance share one ledger round trip (single flight).
 */
import {
  type FacilitatorCall,
  type FacilitatorHooks,
  type HookAbort,
  networkForVersion,
  Reasons,
  type SettleResponse,
  settleRefusal,
} from '@x402kit/core';
import { hashPayment } from './payment-hash.js';
import { type PaymentKey, paymentKeyId } from './payment-key.js';
import type { PaymentLedger, PaymentRecord } from './payment-ledger.js';
import { encodeStoredPayment, type StoredPayment } from './stored-payment.js';

export type LedgerHooksOptions = {
  ledger: PaymentLedger;
  /** The identity of a call's payment; `undefined` leaves the call untracked (it settles as usual). */
  identify: (call: FacilitatorCall) => PaymentKey | undefined;
  /** This facilitator instance, stored as the owner of its claims (host name, pod name ...). */
  instanceId: string;
  /**
   * Longest wait for another attempt of the same payment to finish before answering
   * `settlement_pending` with what is known; default 35 000 ms (above the receipt timeout).
   */
  waitMs?: number;
  /** First interval between ledger reads while waiting (it doubles up to 250 ms); default 20 ms. */
  pollIntervalMs?: number;
  /**
   * A claim that recorded no broadcast and has not changed for this long is taken as abandoned
   * (its instance died before sending) and may be claimed again; default 300 000 ms. Must exceed
   * the longest settlement (receipt timeout) by a margin.
   */
  reclaimAfterMs?: number;
  /**
   * Looks a payment up on chain when the ledger cannot know its outcome: a `pending` record, a
   * claim abandoned by a dead instance, a settlement that failed because the authorization was
   * already used. A success found this way is stored as `settled` (e.g. {@link createExactEvmReconciler}).
   */
  reconcile?: Reconcile;
  /** Told about ledger failures the hooks cannot report to the caller (a failed `complete`). */
  onError?: (error: unknown, context: { key: PaymentKey; stage: string }) => void;
  /** Clock (epoch ms), for tests; default `Date.now`. */
  now?: () => number;
};

/**
 * Looks a payment up on chain: its successful settlement; a `success: false` answer when it can
 * never settle any more (its authorization expired unused: the background reconciler stores it as
 * `failed`); or `undefined` when nothing is known (yet). A {@link FacilitatorCall} is a {@link StoredPayment}.
 */
export type Reconcile = (
  payment: StoredPayment,
  record: PaymentRecord,
) => Promise<SettleResponse | undefined>;

type BeforeSettleAnswer = HookAbort | { result: SettleResponse } | undefined;

export type LedgerHooks = Required<
  Pick<FacilitatorHooks, 'beforeVerify' | 'beforeSettle' | 'afterSettle' | 'onBroadcast'>
> & {
  /**
   * Note the transaction a claimed settlement sent, before its receipt is awaited (for schemes
   * that report broadcasts; a crash after this point leaves the hash in the ledger).
   */
  recordBroadcast(call: FacilitatorCall, transaction: string): Promise<void>;
};

type Flight = { hash: string; answer: Promise<BeforeSettleAnswer>; settle(answer: BeforeSettleAnswer): void };
type Claim = { key: PaymentKey; id: string; flight: Flight | undefined };

const FINISHED = new Set(['settled', 'failed', 'pending']);
const HAS_TRANSACTION = new Set(['broadcast', 'settled', 'pending']);
const MAX_POLL_MS = 250;
/** Failures that may hide a settlement made elsewhere (the authorization was consumed). */
const MAYBE_SETTLED_ELSEWHERE = /nonce|authorization_used|transaction_failed/;
const WRITE_ATTEMPTS = 4;

/**
 * Create the ledger hooks for an engine.
 *
 * @example
 * const ledger = await createPostgresLedger({ url })
 * const facilitator = createEvmFacilitator({
 *   rpc, privateKeys,
 *   hooks: createLedgerHooks({ ledger, identify: identifyExactEvm, instanceId: 'fac-1' }),
 * })
 */
export function createLedgerHooks(options: LedgerHooksOptions): LedgerHooks {
  const { ledger, identify, instanceId } = options;
  const waitMs = options.waitMs ?? 35_000;
  const firstPollMs = options.pollIntervalMs ?? 20;
  const reclaimAfterMs = options.reclaimAfterMs ?? 300_000;
  const now = options.now ?? Date.now;
  const flights = new Map<string, Flight>();
  const claims = new WeakMap<FacilitatorCall, Claim>();

  function duplicate(key: PaymentKey): HookAbort {
    return {
      abort: true,
      reason: Reasons.duplicateSettlement,
      message:
        `authorization nonce ${key.nonce} of ${key.payer} was already presented with other payment ` +
        'details (another resource or requirements); an authorization pays for one offer only',
    };
  }

  function pendingAnswer(call: FacilitatorCall, key: PaymentKey, record: PaymentRecord | undefined) {
    const tx = record?.transaction ?? '';
    return {
      result: {
        ...settleRefusal(
          Reasons.settlementPending,
          `the settlement of this payment is still in progress${record ? ` on ${record.owner}` : ''}` +
            `${tx ? ` (transaction ${tx})` : ''}; present the same payment again later`,
          networkForVersion(call.requirements.network, call.x402Version),
          tx,
        ),
        payer: key.payer,
      },
    };
  }

  /** The on-chain settlement of a payment, stored as `settled`; `undefined` when none is found. */
  async function reconciled(call: FacilitatorCall, key: PaymentKey, record: PaymentRecord) {
    if (!options.reconcile) return undefined;
    try {
      const found = await options.reconcile(call, record);
      if (!found?.success) return undefined;
      const stored = await ledger.complete(key, 'settled', found);
      return stored?.outcome ?? found;
    } catch (error) {
      options.onError?.(error, { key, stage: 'reconcile' });
      return undefined;
    }
  }

  /** Claim the key, or wait for whoever holds it and answer with their outcome. */
  async function decide(
    call: FacilitatorCall,
    key: PaymentKey,
    hash: string,
  ): Promise<BeforeSettleAnswer | 'claimed'> {
    const deadline = now() + waitMs;
    for (;;) {
      const claim = await ledger.claim(key, hash, instanceId, encodeStoredPayment(call));
      if (claim.claimed) return 'claimed';
      let record: PaymentRecord | undefined = claim.record;
      let pause = firstPollMs;
      while (record) {
        if (record.payloadHash !== hash) return duplicate(key);
        if (FINISHED.has(record.state) && record.outcome) {
          const found = record.state === 'pending' ? await reconciled(call, key, record) : undefined;
          return { result: found ?? record.outcome };
        }
        if (now() - record.updatedAt > reclaimAfterMs) {
          // the holder went quiet: did its transaction land? If nothing was sent, take over.
          const found = await reconciled(call, key, record);
          if (found) return { result: found };
          if (record.state === 'claimed') {
            await ledger.release(key, record.owner);
            break;
          }
        }
        if (now() >= deadline) return pendingAnswer(call, key, record);
        await sleep(Math.min(pause, Math.max(1, deadline - now())));
        pause = Math.min(pause * 2, MAX_POLL_MS);
        record = await ledger.get(key);
      }
      // released (nothing was sent): try to claim it ourselves
    }
  }

  async function write(key: PaymentKey, stage: string, op: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await op();
        return;
      } catch (error) {
        if (attempt >= WRITE_ATTEMPTS) {
          options.onError?.(error, { key, stage });
          return;
        }
        await sleep(100 * 2 ** attempt);
      }
    }
  }

  async function recordBroadcast(call: FacilitatorCall, transaction: string): Promise<void> {
    const claim = claims.get(call);
    if (!claim) return;
    await write(claim.key, 'record broadcast', () =>
      ledger.recordBroadcast(claim.key, instanceId, transaction),
    );
  }

  return {
    async beforeVerify(call) {
      const key = identify(call);
      if (!key) return undefined;
      const record = await ledger.get(key);
      if (!record || !HAS_TRANSACTION.has(record.state)) return undefined;
      return {
        abort: true,
        reason: Reasons.duplicateSettlement,
        message:
          `this payment was already ${record.state === 'settled' ? 'settled' : 'sent'}` +
          `${record.transaction ? ` in transaction ${record.transaction}` : ''}; it cannot pay again`,
      };
    },

    async beforeSettle(call) {
      const key = identify(call);
      if (!key) return undefined;
      const id = paymentKeyId(key);
      const hash = hashPayment(call.payload, call.requirements);
      const current = flights.get(id);
      if (current && current.hash === hash) {
        // the same payment is being decided here already: share its answer
        const answer = await withDeadline(current.answer, waitMs);
        return answer === TIMED_OUT ? pendingAnswer(call, key, await ledger.get(key)) : answer;
      }
      const flight = current ? undefined : createFlight(hash);
      if (flight) flights.set(id, flight);
      const land = (answer: BeforeSettleAnswer) => {
        if (!flight) return;
        flight.settle(answer);
        if (flights.get(id) === flight) flights.delete(id);
      };
      let decision: BeforeSettleAnswer | 'claimed';
      try {
        decision = await decide(call, key, hash);
      } catch (error) {
        // nothing was sent: the requests sharing this decision fail the same way
        land({
          abort: true,
          reason: Reasons.unexpectedSettleError,
          message: `the settlement ledger is unavailable: ${error instanceof Error ? error.message : String(error)}`,
        });
        throw error;
      }
      if (decision === 'claimed') {
        claims.set(call, { key, id, flight });
        return undefined;
      }
      land(decision);
      return decision;
    },

    async afterSettle(call, result) {
      const claim = claims.get(call);
      if (!claim) return;
      claims.delete(call);
      const { key } = claim;
      try {
        if (result.success) {
          await write(key, 'complete settled', () => ledger.complete(key, 'settled', result));
        } else if (result.errorReason === Reasons.settlementPending) {
          await write(key, 'complete pending', () => ledger.complete(key, 'pending', result));
        } else if (
          options.reconcile &&
          MAYBE_SETTLED_ELSEWHERE.test(result.errorReason ?? '') &&
          (await reconciled(call, key, recordOf(key, result)))
        ) {
          // settled after all (by a previous holder, or front-run): stored as settled
        } else if (!result.transaction) {
          await write(key, 'release', () => ledger.release(key, instanceId));
        } else {
          await write(key, 'complete failed', () => ledger.complete(key, 'failed', result));
        }
      } finally {
        if (claim.flight) {
          claim.flight.settle({ result });
          if (flights.get(claim.id) === claim.flight) flights.delete(claim.id);
        }
      }
    },

    recordBroadcast,
    // the engine's name for the same moment: schemes report the hash right after broadcast
    onBroadcast: recordBroadcast,
  };
}

const TIMED_OUT = Symbol('timed out');

/** A stand-in record for reconciling a settlement this instance just attempted. */
function recordOf(key: PaymentKey, result: SettleResponse): PaymentRecord {
  const t = Date.now();
  return {
    key,
    state: 'claimed',
    payloadHash: '',
    owner: '',
    createdAt: t,
    updatedAt: t,
    ...(result.transaction ? { transaction: result.transaction } : {}),
  };
}

function createFlight(hash: string): Flight {
  let settle: (answer: BeforeSettleAnswer) => void = () => {};
  const answer = new Promise<BeforeSettleAnswer>((resolve) => {
    settle = resolve;
  });
  return { hash, answer, settle };
}

async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
