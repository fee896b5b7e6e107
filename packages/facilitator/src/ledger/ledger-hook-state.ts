/**
 * What the ledger hooks of one engine share between calls: the options with their defaults, the
 * in-flight decisions of named attempts (single flight), the claims this instance holds and the
 * heartbeat that keeps them alive. Module-internal to the ledger; `createLedgerHooks` builds it once.
 */
import type { FacilitatorCall, HookAbort, PaymentKey, Reconcile, SettleResponse } from '@x402kit/core';
import { sleep } from '@x402kit/core/internal';
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

/** What `beforeSettle` answers: go ahead (`undefined`), abort, or a settlement answer. */
export type BeforeSettleAnswer = HookAbort | { result: SettleResponse } | undefined;

/** One decision shared by the tries of one named attempt on this instance. */
export type Flight = {
  hash: string;
  answer: Promise<BeforeSettleAnswer>;
  settle(answer: BeforeSettleAnswer): void;
};

/** A payment this instance claimed for a call, until `afterSettle` stores its outcome. */
export type Claim = {
  key: PaymentKey;
  flightId: string | undefined;
  flight: Flight | undefined;
  /** Taken over from a silent holder, which may have sent a transaction this instance never saw. */
  tookOver?: boolean;
};

/** The shared state of one set of ledger hooks. */
export type LedgerHookState = {
  /** As given; `reconcile` and `onError` are read from it at each use. */
  options: LedgerHooksOptions;
  ledger: PaymentLedger;
  identify: LedgerHooksOptions['identify'];
  instanceId: string;
  waitMs: number;
  firstPollMs: number;
  claimLeaseMs: number;
  skewMs: number;
  now: () => number;
  flights: Map<string, Flight>;
  claims: WeakMap<FacilitatorCall, Claim>;
  heartbeat: Heartbeat;
};

type Heartbeat = { acquire(): void; release(): void };

const WRITE_ATTEMPTS = 4;

/**
 * Apply the defaults of the options and start with no flights and no claims.
 *
 * @example
 * const state = createLedgerHookState({ ledger, identify, instanceId: 'fac-1' })
 */
export function createLedgerHookState(options: LedgerHooksOptions): LedgerHookState {
  const { ledger, identify, instanceId } = options;
  const claimLeaseMs = options.claimLeaseMs ?? 10_000;
  return {
    options,
    ledger,
    identify,
    instanceId,
    waitMs: options.waitMs ?? 35_000,
    firstPollMs: options.pollIntervalMs ?? 20,
    claimLeaseMs,
    skewMs: options.reservationSkewMs ?? 30_000,
    now: options.now ?? Date.now,
    flights: new Map<string, Flight>(),
    claims: new WeakMap<FacilitatorCall, Claim>(),
    heartbeat: createHeartbeat(
      () => ledger.heartbeat(instanceId),
      claimLeaseMs / 3,
      (error) =>
        options.onError?.(error, {
          key: { network: '', asset: '', payer: '', nonce: '' },
          stage: 'heartbeat',
        }),
    ),
  };
}

/**
 * The on-chain settlement of a payment, stored as `settled`; `undefined` when none is found.
 *
 * @example
 * const found = await reconciled(state, call, key, record)
 */
export async function reconciled(
  state: LedgerHookState,
  call: FacilitatorCall,
  key: PaymentKey,
  record: PaymentRecord,
): Promise<SettleResponse | undefined> {
  const { options, ledger } = state;
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

/**
 * Run a ledger write, retrying with backoff; the last failure goes to `onError`, never to the caller.
 *
 * @example
 * await writeLedger(state, key, 'release', () => ledger.release(key, instanceId))
 */
export async function writeLedger(
  state: LedgerHookState,
  key: PaymentKey,
  stage: string,
  op: () => Promise<unknown>,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await op();
      return;
    } catch (error) {
      if (attempt >= WRITE_ATTEMPTS) {
        state.options.onError?.(error, { key, stage });
        return;
      }
      await sleep(100 * 2 ** attempt);
    }
  }
}

/**
 * Give a flight its answer and forget it, unless a newer flight has replaced it.
 *
 * @example
 * landFlight(state.flights, flightId, flight, { result })
 */
export function landFlight(
  flights: Map<string, Flight>,
  flightId: string | undefined,
  flight: Flight | undefined,
  answer: BeforeSettleAnswer,
): void {
  if (!flight || flightId === undefined) return;
  flight.settle(answer);
  if (flights.get(flightId) === flight) flights.delete(flightId);
}

/**
 * A flight whose answer is given later by `settle`.
 *
 * @example
 * const flight = createFlight(hash)
 */
export function createFlight(hash: string): Flight {
  let settle: (answer: BeforeSettleAnswer) => void = () => {};
  const answer = new Promise<BeforeSettleAnswer>((resolve) => {
    settle = resolve;
  });
  return { hash, answer, settle };
}

/** What `withDeadline` answers when the promise did not settle in time. */
export const TIMED_OUT = Symbol('timed out');

/**
 * The promise's value, or `TIMED_OUT` after `ms`.
 *
 * @example
 * const answer = await withDeadline(flight.answer, 35_000)
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
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

/** A periodic heartbeat that runs only while something holds it. */
function createHeartbeat(
  beat: () => Promise<unknown>,
  everyMs: number,
  onError: (error: unknown) => void,
): Heartbeat {
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
