/**
 * Who settles a payment: claim it in the ledger; a retry of the attempt that holds it waits for
 * the holder's outcome (or takes over a holder that went quiet); anyone else is refused.
 * Module-internal to the ledger; `beforeSettle` of the ledger hooks asks it.
 */
import { encodeStoredPayment, type FacilitatorCall, type PaymentKey } from '@x402kit/core';
import { sleep } from '@x402kit/core/internal';
import { pendingAnswer, settleDuplicate } from './ledger-answers.js';
import { type BeforeSettleAnswer, type LedgerHookState, reconciled } from './ledger-hook-state.js';
import type { PaymentRecord } from './payment-ledger.js';

/** The call holds the claim (`claimed`, `taken-over`), or the answer it gets instead. */
export type ClaimDecision = BeforeSettleAnswer | 'claimed' | 'taken-over';

const FINISHED = new Set(['settled', 'failed', 'pending']);
const MAX_POLL_MS = 250;
/** The holder's record went away or became a reservation again: claim anew. */
const RECLAIM = Symbol('reclaim');

/**
 * Claim the key; for a retry of the holding attempt, wait for its outcome; refuse anyone else.
 *
 * @example
 * const decision = await decideClaim(state, call, key, hashPayment(call.payload, call.requirements))
 */
export async function decideClaim(
  state: LedgerHookState,
  call: FacilitatorCall,
  key: PaymentKey,
  hash: string,
): Promise<ClaimDecision> {
  const deadline = state.now() + state.waitMs;
  for (;;) {
    const claim = await state.ledger.claim(key, {
      payloadHash: hash,
      owner: state.instanceId,
      ...(call.attempt === undefined ? {} : { attempt: call.attempt }),
      ...(call.principal === undefined ? {} : { principal: call.principal }),
      payment: encodeStoredPayment(call),
    });
    if (claim.claimed) return 'claimed';
    const decision = await followHolder(state, call, key, hash, claim.record, deadline);
    if (decision !== RECLAIM) return decision;
    // released (nothing was sent): try to claim it ourselves
  }
}

/**
 * Is this call a retry of the attempt that holds the record? Anonymous callers never are.
 *
 * @example
 * if (sameAttempt(call, record)) return undefined
 */
export function sameAttempt(call: FacilitatorCall, record: PaymentRecord): boolean {
  return call.attempt !== undefined && record.attempt === call.attempt;
}

/** Watch the holder's record until it has an outcome, is taken over, or the wait ends. */
async function followHolder(
  state: LedgerHookState,
  call: FacilitatorCall,
  key: PaymentKey,
  hash: string,
  held: PaymentRecord,
  deadline: number,
): Promise<ClaimDecision | typeof RECLAIM> {
  const { ledger, now, claimLeaseMs, instanceId } = state;
  let record: PaymentRecord | undefined = held;
  let pause = state.firstPollMs;
  while (record) {
    if (record.payloadHash !== hash || !sameAttempt(call, record))
      return settleDuplicate(call, key, record, hash);
    if (FINISHED.has(record.state) && record.outcome) {
      const found = record.state === 'pending' ? await reconciled(state, call, key, record) : undefined;
      return { result: found ?? record.outcome };
    }
    if (record.state === 'reserved') {
      // our own reservation changed under us (renewed, released): claim again, within the wait
      if (now() >= deadline) return pendingAnswer(call, key, record);
      return RECLAIM;
    }
    if (now() - record.updatedAt > claimLeaseMs) {
      // the holder went quiet: did its transaction land? If nothing was sent, take over.
      const found = await reconciled(state, call, key, record);
      if (found) return { result: found };
      // nothing landed: settle it again (the chain's nonce check makes a second send harmless)
      if (await ledger.takeOver(key, record.owner, now() - claimLeaseMs, instanceId)) return 'taken-over';
    }
    if (now() >= deadline) return pendingAnswer(call, key, record);
    await sleep(Math.min(pause, Math.max(1, deadline - now())));
    pause = Math.min(pause * 2, MAX_POLL_MS);
    record = await ledger.get(key);
  }
  return RECLAIM;
}
