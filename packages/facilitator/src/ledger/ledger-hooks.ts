/**
 * Engine hooks that hold the grant rule and exactly-once settlement across any number of
 * facilitator instances sharing one {@link PaymentLedger}. The rule, for one payment (one signed
 * authorization, identified by its nonce in its contract's nonce space):
 *
 * - **One attempt holds it.** A grant attempt is one resource-server request; x402kit servers
 *   name it in `X402-Attempt` on `/verify`, `/settle` and `/release`, and send the same id again
 *   on their own retries. Callers that name none (official servers) are anonymous.
 * - `afterVerify` reserves a valid payment for the caller's attempt until the payment's time
 *   window ends (`maxTimeoutSeconds` plus a skew). Any other request presenting it meanwhile,
 *   concurrently or later, on any instance, is refused `duplicate_settlement`; so a payment
 *   verifies once, and a paid handler runs once. `onRelease` gives the reservation up when the
 *   attempt will not settle (its handler failed).
 * - `beforeSettle` claims the payment: a new claim, or the caller's own reservation (an anonymous
 *   settle may take an anonymous reservation made by the same authenticated principal, e.g. the same
 *   API key). The winner settles. A retry of the SAME attempt
 *   waits for the winner's outcome and gets it (crash and timeout retries still work). Every
 *   other caller gets the official answer at once: `success: false`, `duplicate_settlement`,
 *   `transaction` = the first transaction when one is known. The same authorization presented
 *   with other requirements is refused as `duplicate_settlement` too.
 * - A claim in flight is kept alive by its instance's heartbeat. One not heart-beaten for
 *   `claimLeaseMs` (its instance died) is taken over by a retry of the same attempt, after the
 *   chain is checked for a settlement it may have made; a transaction it may have sent can never
 *   move the money a second time (the authorization's nonce). The reconciler also sweeps it.
 * - `afterSettle` stores the outcome: `settled`, `pending` (sent, receipt not seen in time: the
 *   hash is kept and the payment is never sent again), `failed` (a transaction reverted), or
 *   releases the claim when nothing was sent, so the payment may be presented again.
 *
 * Answers never name an instance. Requests of one attempt on one instance share one ledger
 * round trip (single flight).
 */
import {
  encodeStoredPayment,
  type FacilitatorCall,
  type FacilitatorHooks,
  type HookAbort,
  networkForVersion,
  type PaymentKey,
  paymentKeyId,
  Reasons,
  type Reconcile,
  type SettleResponse,
  settleRefusal,
  verifyRefusal,
} from '@x402kit/core';
import { sleep } from '@x402kit/core/internal';
import { hashPayment } from './payment-hash.js';
import type { PaymentLedger, PaymentRecord } from './payment-ledger.js';

/** Options of `createLedgerHooks`. */
export type LedgerHooksOptions = {
  ledger: PaymentLedger;
  /** The identity of a call's payment; `undefined` leaves the call untracked (it settles as usual). */
  identify: (call: FacilitatorCall) => PaymentKey | undefined;
  /** This facilitator instance, stored as the owner of its claims (host name, pod name ...); never shown to clients. */
  instanceId: string;
  /**
   * Longest wait for another try of the same attempt to finish before answering
   * `settlement_pending` with what is known; default 35 000 ms (above the receipt timeout).
   */
  waitMs?: number;
  /** First interval between ledger reads while waiting (it doubles up to 250 ms); default 20 ms. */
  pollIntervalMs?: number;
  /**
   * A claim whose instance has not heart-beaten it for this long is abandoned (the instance died
   * before it recorded a send) and may be taken over; default 10 000 ms. The heartbeat runs every
   * third of it while this instance holds claims.
   */
  claimLeaseMs?: number;
  /** Added to an offer's `maxTimeoutSeconds` for how long a verified payment stays reserved; default 30 000 ms. */
  reservationSkewMs?: number;
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

export type { Reconcile } from '@x402kit/core';

type BeforeSettleAnswer = HookAbort | { result: SettleResponse } | undefined;

/** What `createLedgerHooks` returns. */
export type LedgerHooks = Required<
  Pick<
    FacilitatorHooks,
    'beforeVerify' | 'afterVerify' | 'onRelease' | 'beforeSettle' | 'afterSettle' | 'onBroadcast'
  >
> & {
  /**
   * Note the transaction a claimed settlement sent, before its receipt is awaited (for schemes
   * that report broadcasts; a crash after this point leaves the hash in the ledger).
   */
  recordBroadcast(call: FacilitatorCall, transaction: string): Promise<void>;
};

type Flight = { hash: string; answer: Promise<BeforeSettleAnswer>; settle(answer: BeforeSettleAnswer): void };
type Claim = {
  key: PaymentKey;
  flightId: string | undefined;
  flight: Flight | undefined;
  /** Taken over from a silent holder, which may have sent a transaction this instance never saw. */
  tookOver?: boolean;
};

const FINISHED = new Set(['settled', 'failed', 'pending']);
const MAX_POLL_MS = 250;
/** Failures that may hide a settlement made elsewhere (the authorization was consumed). */
const MAYBE_SETTLED_ELSEWHERE = /nonce|authorization_used|transaction_failed|simulation_failed/;
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
  const claimLeaseMs = options.claimLeaseMs ?? 10_000;
  const skewMs = options.reservationSkewMs ?? 30_000;
  const now = options.now ?? Date.now;
  const flights = new Map<string, Flight>();
  const claims = new WeakMap<FacilitatorCall, Claim>();
  const heartbeat = createHeartbeat(
    () => ledger.heartbeat(instanceId),
    claimLeaseMs / 3,
    (error) =>
      options.onError?.(error, { key: { network: '', asset: '', payer: '', nonce: '' }, stage: 'heartbeat' }),
  );

  /** Why another request cannot use this payment (the same words on /verify and /settle). */
  function refusalText(key: PaymentKey, record: PaymentRecord, hash: string): string {
    if (record.payloadHash !== hash) {
      return (
        `authorization nonce ${key.nonce} of ${key.payer} was already presented with other payment ` +
        'details (another resource or requirements); an authorization pays for one offer only'
      );
    }
    const tx = record.transaction ? ` in transaction ${record.transaction}` : '';
    if (record.state === 'settled')
      return `this payment was already settled${tx}; one payment buys one response`;
    if (record.state === 'failed') return `this payment was already used${tx} and failed; sign a new payment`;
    return `this payment is already being used by another request${tx}; one payment buys one response`;
  }

  function settleDuplicate(
    call: FacilitatorCall,
    key: PaymentKey,
    record: PaymentRecord,
    hash: string,
  ): HookAbort | { result: SettleResponse } {
    return {
      result: settleRefusal(
        Reasons.duplicateSettlement,
        refusalText(key, record, hash),
        networkForVersion(call.requirements.network, call.x402Version),
        record.payloadHash === hash ? (record.transaction ?? '') : '',
        key.payer,
      ),
    };
  }

  function pendingAnswer(call: FacilitatorCall, key: PaymentKey, record: PaymentRecord | undefined) {
    const tx = record?.transaction ?? '';
    return {
      result: {
        ...settleRefusal(
          Reasons.settlementPending,
          `the settlement of this payment is still in progress${tx ? ` (transaction ${tx})` : ''}; ` +
            'present the same payment again later',
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

  /** Is this call a retry of the attempt that holds the record? Anonymous callers never are. */
  function sameAttempt(call: FacilitatorCall, record: PaymentRecord): boolean {
    return call.attempt !== undefined && record.attempt === call.attempt;
  }

  /** May this call's verification go ahead of what the ledger holds? */
  function mayVerify(call: FacilitatorCall, record: PaymentRecord, hash: string): boolean {
    if (record.payloadHash !== hash || record.state !== 'reserved') return false;
    return sameAttempt(call, record) || (record.expiresAt ?? 0) <= now();
  }

  /** Claim the key; for a retry of the holding attempt, wait for its outcome; refuse anyone else. */
  async function decide(
    call: FacilitatorCall,
    key: PaymentKey,
    hash: string,
  ): Promise<BeforeSettleAnswer | 'claimed' | 'taken-over'> {
    const deadline = now() + waitMs;
    for (;;) {
      const claim = await ledger.claim(key, {
        payloadHash: hash,
        owner: instanceId,
        ...(call.attempt === undefined ? {} : { attempt: call.attempt }),
        ...(call.principal === undefined ? {} : { principal: call.principal }),
        payment: encodeStoredPayment(call),
      });
      if (claim.claimed) return 'claimed';
      let record: PaymentRecord | undefined = claim.record;
      let pause = firstPollMs;
      while (record) {
        if (record.payloadHash !== hash || !sameAttempt(call, record))
          return settleDuplicate(call, key, record, hash);
        if (FINISHED.has(record.state) && record.outcome) {
          const found = record.state === 'pending' ? await reconciled(call, key, record) : undefined;
          return { result: found ?? record.outcome };
        }
        if (record.state === 'reserved') {
          // our own reservation changed under us (renewed, released): claim again, within the wait
          if (now() >= deadline) return pendingAnswer(call, key, record);
          break;
        }
        if (now() - record.updatedAt > claimLeaseMs) {
          // the holder went quiet: did its transaction land? If nothing was sent, take over.
          const found = await reconciled(call, key, record);
          if (found) return { result: found };
          // nothing landed: settle it again (the chain's nonce check makes a second send harmless)
          if (await ledger.takeOver(key, record.owner, now() - claimLeaseMs, instanceId)) return 'taken-over';
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

  function hold(call: FacilitatorCall, claim: Claim): void {
    claims.set(call, claim);
    heartbeat.acquire();
  }

  return {
    async beforeVerify(call) {
      const key = identify(call);
      if (!key) return undefined;
      const record = await ledger.get(key);
      const hash = record ? hashPayment(call.payload, call.requirements) : '';
      if (!record || mayVerify(call, record, hash)) return undefined;
      return {
        abort: true,
        reason: Reasons.duplicateSettlement,
        message: refusalText(key, record, hash),
        ...(record.transaction && record.payloadHash === hash ? { transaction: record.transaction } : {}),
      };
    },

    async afterVerify(call, result) {
      if (!result.isValid) return undefined;
      const key = identify(call);
      if (!key) return undefined;
      const hash = hashPayment(call.payload, call.requirements);
      const reserved = await ledger.reserve(key, {
        payloadHash: hash,
        owner: instanceId,
        attempt: call.attempt,
        ...(call.principal === undefined ? {} : { principal: call.principal }),
        expiresAt: now() + call.requirements.maxTimeoutSeconds * 1000 + skewMs,
        payment: encodeStoredPayment(call),
      });
      if (reserved.reserved) return undefined;
      const held = reserved.record;
      const refusal = verifyRefusal(
        Reasons.duplicateSettlement,
        refusalText(key, held, hash),
        result.payer ?? key.payer,
      );
      return {
        result:
          held.transaction && held.payloadHash === hash
            ? { ...refusal, transaction: held.transaction }
            : refusal,
      };
    },

    async onRelease(call) {
      const key = identify(call);
      if (!key || call.attempt === undefined) return false;
      return ledger.releaseReservation(key, call.attempt);
    },

    async beforeSettle(call) {
      const key = identify(call);
      if (!key) return undefined;
      const id = paymentKeyId(key);
      const hash = hashPayment(call.payload, call.requirements);
      // only tries of one named attempt share a decision; every other caller asks the ledger
      const flightId = call.attempt === undefined ? undefined : `${id} ${call.attempt}`;
      const current = flightId === undefined ? undefined : flights.get(flightId);
      if (current && current.hash === hash) {
        const answer = await withDeadline(current.answer, waitMs);
        return answer === TIMED_OUT ? pendingAnswer(call, key, await ledger.get(key)) : answer;
      }
      const flight = flightId === undefined || current ? undefined : createFlight(hash);
      if (flight && flightId !== undefined) flights.set(flightId, flight);
      const land = (answer: BeforeSettleAnswer) => {
        if (!flight || flightId === undefined) return;
        flight.settle(answer);
        if (flights.get(flightId) === flight) flights.delete(flightId);
      };
      let decision: BeforeSettleAnswer | 'claimed' | 'taken-over';
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
      if (decision === 'claimed' || decision === 'taken-over') {
        hold(call, { key, flightId, flight, tookOver: decision === 'taken-over' });
        return undefined;
      }
      land(decision);
      return decision;
    },

    async afterSettle(call, result) {
      const claim = claims.get(call);
      if (!claim) return undefined;
      claims.delete(call);
      const { key } = claim;
      let answer = result;
      try {
        if (result.success) {
          await write(key, 'complete settled', () => ledger.complete(key, 'settled', result));
        } else if (result.errorReason === Reasons.settlementPending) {
          await write(key, 'complete pending', () => ledger.complete(key, 'pending', result));
        } else {
          // the authorization may have been consumed by a transaction we did not see land (a dead
          // holder's, a front-runner's): money that moved is answered as moved
          const found =
            options.reconcile && MAYBE_SETTLED_ELSEWHERE.test(result.errorReason ?? '')
              ? await reconciled(call, key, recordOf(key, result))
              : undefined;
          const consumed = MAYBE_SETTLED_ELSEWHERE.test(result.errorReason ?? '');
          if (found) answer = found;
          else if (claim.tookOver && consumed) {
            // the silent holder may have paid with a transaction no one recorded: not a failure
            // the chain proves; the reconciler keeps looking
            answer = {
              ...settleRefusal(
                Reasons.settlementPending,
                `the authorization was already used (${result.errorReason}), maybe by this payment's earlier ` +
                  'settlement attempt; its transaction is being looked for; present the same payment again later',
                result.network,
                '',
              ),
              payer: key.payer,
            };
            await write(key, 'complete pending', () => ledger.complete(key, 'pending', answer));
          } else if (!result.transaction) await write(key, 'release', () => ledger.release(key, instanceId));
          else await write(key, 'complete failed', () => ledger.complete(key, 'failed', result));
        }
      } finally {
        heartbeat.release();
        if (claim.flight && claim.flightId !== undefined) {
          claim.flight.settle({ result: answer });
          if (flights.get(claim.flightId) === claim.flight) flights.delete(claim.flightId);
        }
      }
      return answer === result ? undefined : { result: answer };
    },

    recordBroadcast,
    // the engine's name for the same moment: schemes report the hash right after broadcast
    onBroadcast: recordBroadcast,
  };
}

/** A periodic heartbeat that runs only while something holds it. */
function createHeartbeat(beat: () => Promise<unknown>, everyMs: number, onError: (error: unknown) => void) {
  let holders = 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    acquire() {
      holders++;
      if (timer) return;
      timer = setInterval(
        () => {
          beat().catch(onError);
        },
        Math.max(10, everyMs),
      );
      timer.unref();
    },
    release() {
      holders = Math.max(0, holders - 1);
      if (holders > 0 || !timer) return;
      clearInterval(timer);
      timer = undefined;
    },
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
