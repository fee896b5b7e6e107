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
  type PaymentKey,
  paymentKeyId,
  Reasons,
  type SettleResponse,
  type VerifyResponse,
  verifyRefusal,
} from '@x402kit/core';
import { type ClaimDecision, decideClaim, sameAttempt } from './claim-decision.js';
import { pendingAnswer, refusalText, usedByEarlierAttempt } from './ledger-answers.js';
import {
  type BeforeSettleAnswer,
  type Claim,
  createFlight,
  createLedgerHookState,
  type LedgerHookState,
  type LedgerHooksOptions,
  landFlight,
  reconciled,
  TIMED_OUT,
  withDeadline,
  writeLedger,
} from './ledger-hook-state.js';
import { hashPayment } from './payment-hash.js';
import type { PaymentRecord } from './payment-ledger.js';

export type { Reconcile } from '@x402kit/core';
export type { LedgerHooksOptions } from './ledger-hook-state.js';

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

/** Failures that may hide a settlement made elsewhere (the authorization was consumed). */
const MAYBE_SETTLED_ELSEWHERE = /nonce|authorization_used|transaction_failed|simulation_failed/;

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
  const state = createLedgerHookState(options);
  const recordBroadcast = (call: FacilitatorCall, transaction: string) =>
    recordClaimBroadcast(state, call, transaction);
  return {
    beforeVerify: (call) => beforeVerify(state, call),
    afterVerify: (call, result) => afterVerify(state, call, result),
    onRelease: (call) => onRelease(state, call),
    beforeSettle: (call) => beforeSettle(state, call),
    afterSettle: (call, result) => afterSettle(state, call, result),
    recordBroadcast,
    // the engine's name for the same moment: schemes report the hash right after broadcast
    onBroadcast: recordBroadcast,
  };
}

/** May this call's verification go ahead of what the ledger holds? */
function mayVerify(
  state: LedgerHookState,
  call: FacilitatorCall,
  record: PaymentRecord,
  hash: string,
): boolean {
  if (record.payloadHash !== hash || record.state !== 'reserved') return false;
  return sameAttempt(call, record) || (record.expiresAt ?? 0) <= state.now();
}

/** Refuse to verify a payment another request holds. */
async function beforeVerify(state: LedgerHookState, call: FacilitatorCall): Promise<HookAbort | undefined> {
  const key = state.identify(call);
  if (!key) return undefined;
  const record = await state.ledger.get(key);
  const hash = record ? hashPayment(call.payload, call.requirements) : '';
  if (!record || mayVerify(state, call, record, hash)) return undefined;
  return {
    abort: true,
    reason: Reasons.duplicateSettlement,
    message: refusalText(key, record, hash),
    ...(record.transaction && record.payloadHash === hash ? { transaction: record.transaction } : {}),
  };
}

/** Reserve a valid payment for the caller's attempt; refuse it when another request holds it. */
async function afterVerify(
  state: LedgerHookState,
  call: FacilitatorCall,
  result: VerifyResponse,
): Promise<{ result: VerifyResponse } | undefined> {
  if (!result.isValid) return undefined;
  const key = state.identify(call);
  if (!key) return undefined;
  const hash = hashPayment(call.payload, call.requirements);
  const reserved = await state.ledger.reserve(key, {
    payloadHash: hash,
    owner: state.instanceId,
    attempt: call.attempt,
    ...(call.principal === undefined ? {} : { principal: call.principal }),
    expiresAt: state.now() + call.requirements.maxTimeoutSeconds * 1000 + state.skewMs,
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
      held.transaction && held.payloadHash === hash ? { ...refusal, transaction: held.transaction } : refusal,
  };
}

/** Give up the reservation of the caller's attempt (its handler failed). */
async function onRelease(state: LedgerHookState, call: FacilitatorCall): Promise<boolean> {
  const key = state.identify(call);
  if (!key || call.attempt === undefined) return false;
  return state.ledger.releaseReservation(key, call.attempt);
}

/** Claim the payment, or answer with the outcome of the attempt that holds it, or refuse it. */
async function beforeSettle(state: LedgerHookState, call: FacilitatorCall): Promise<BeforeSettleAnswer> {
  const key = state.identify(call);
  if (!key) return undefined;
  const { flights } = state;
  const id = paymentKeyId(key);
  const hash = hashPayment(call.payload, call.requirements);
  // only tries of one named attempt share a decision; every other caller asks the ledger
  const flightId = call.attempt === undefined ? undefined : `${id} ${call.attempt}`;
  const current = flightId === undefined ? undefined : flights.get(flightId);
  if (current && current.hash === hash) {
    const answer = await withDeadline(current.answer, state.waitMs);
    return answer === TIMED_OUT ? pendingAnswer(call, key, await state.ledger.get(key)) : answer;
  }
  const flight = flightId === undefined || current ? undefined : createFlight(hash);
  if (flight && flightId !== undefined) flights.set(flightId, flight);
  let decision: ClaimDecision;
  try {
    decision = await decideClaim(state, call, key, hash);
  } catch (error) {
    // nothing was sent: the requests sharing this decision fail the same way
    landFlight(flights, flightId, flight, {
      abort: true,
      reason: Reasons.unexpectedSettleError,
      message: `the settlement ledger is unavailable: ${error instanceof Error ? error.message : String(error)}`,
    });
    throw error;
  }
  if (decision === 'claimed' || decision === 'taken-over') {
    hold(state, call, { key, flightId, flight, tookOver: decision === 'taken-over' });
    return undefined;
  }
  landFlight(flights, flightId, flight, decision);
  return decision;
}

function hold(state: LedgerHookState, call: FacilitatorCall, claim: Claim): void {
  state.claims.set(call, claim);
  state.heartbeat.acquire();
}

/** Store the outcome of a claimed settlement; answer a consumed authorization as what the chain shows. */
async function afterSettle(
  state: LedgerHookState,
  call: FacilitatorCall,
  result: SettleResponse,
): Promise<{ result: SettleResponse } | undefined> {
  const { ledger, instanceId, options } = state;
  const claim = state.claims.get(call);
  if (!claim) return undefined;
  state.claims.delete(call);
  const { key } = claim;
  let answer = result;
  try {
    if (result.success) {
      await writeLedger(state, key, 'complete settled', () => ledger.complete(key, 'settled', result));
    } else if (result.errorReason === Reasons.settlementPending) {
      await writeLedger(state, key, 'complete pending', () => ledger.complete(key, 'pending', result));
    } else {
      // the authorization may have been consumed by a transaction we did not see land (a dead
      // holder's, a front-runner's): money that moved is answered as moved
      const found =
        options.reconcile && MAYBE_SETTLED_ELSEWHERE.test(result.errorReason ?? '')
          ? await reconciled(state, call, key, recordOf(key, result))
          : undefined;
      const consumed = MAYBE_SETTLED_ELSEWHERE.test(result.errorReason ?? '');
      if (found) answer = found;
      else if (claim.tookOver && consumed) {
        answer = usedByEarlierAttempt(key, result);
        await writeLedger(state, key, 'complete pending', () => ledger.complete(key, 'pending', answer));
      } else if (!result.transaction)
        await writeLedger(state, key, 'release', () => ledger.release(key, instanceId));
      else await writeLedger(state, key, 'complete failed', () => ledger.complete(key, 'failed', result));
    }
  } finally {
    state.heartbeat.release();
    landFlight(state.flights, claim.flightId, claim.flight, { result: answer });
  }
  return answer === result ? undefined : { result: answer };
}

/** Note the transaction the call's claimed settlement sent. */
async function recordClaimBroadcast(
  state: LedgerHookState,
  call: FacilitatorCall,
  transaction: string,
): Promise<void> {
  const claim = state.claims.get(call);
  if (!claim) return;
  await writeLedger(state, claim.key, 'record broadcast', () =>
    state.ledger.recordBroadcast(claim.key, state.instanceId, transaction),
  );
}

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
