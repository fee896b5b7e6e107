/**
 * Find on chain the settlement of an EVM `exact_permit` payment (BofAI's PaymentPermit) whose
 * outcome the ledger does not know: its recorded transaction never landed, its instance died
 * before recording one, or it was settled elsewhere. The nonce state is the contract's
 * `nonceUsed(buyer, nonce)`; an unused nonce past `validBefore` by the chain's clock can never
 * settle (`invalid_exact_permit_expired`). A used one is matched to the
 * `Transfer(buyer -> payTo, payAmount)` whose transaction carries the permit's nonce and
 * signature: the recorded transaction or any found in the token's logs ({@link findEvmSettlement}).
 * TRON's `exact_permit` payments are the TRON chain module's: this one knows only the networks of `rpc`.
 */

import { keyNonce, nonceWord, type Reconcile, settlementAnswer } from '@x402kit/core';
import { paymentPermitAbi } from '@x402kit/payment-permit';
import { ExactPermitReasons, paymentPermitAddress, readExactPermitPayload } from '../exact-permit/index.js';
import { createEvmClients } from './evm-clients.js';
import { findEvmSettlement } from './find-evm-settlement.js';

/** Options of `createExactPermitEvmReconciler`. */
export type ExactPermitEvmReconcilerOptions = {
  /** JSON-RPC URL per EVM network (CAIP-2). */
  rpc?: Record<string, string>;
  /** PaymentPermit per EVM network where it is not the known deployment (BSC 56 and 97). */
  paymentPermitAddress?: Record<string, string>;
  /** How far back `Transfer` logs are searched; default 50 000 blocks. */
  lookbackBlocks?: bigint;
};

/**
 * Create a reconciler for EVM `exact_permit` payments (the EVM chain module's third).
 *
 * @example
 * const reconcile = firstReconciler(createPermit2Reconciler({ rpc }), createExactPermitEvmReconciler({ rpc }))
 */
export function createExactPermitEvmReconciler(options: ExactPermitEvmReconcilerOptions): Reconcile {
  const clientFor = createEvmClients(options.rpc);
  const lookbackBlocks = options.lookbackBlocks ?? 50_000n;

  return async function reconcileExactPermitEvm(payment, record) {
    if (payment.requirements.scheme !== 'exact_permit') return undefined;
    const nonce = keyNonce(record.key, 'paymentpermit');
    if (nonce === undefined) return undefined;
    const network = payment.requirements.network;
    const client = clientFor(network);
    const contract = paymentPermitAddress(network, options.paymentPermitAddress);
    const read = readExactPermitPayload(payment.payload.payload);
    if (!client || !contract || !read.ok || read.permit.meta.nonce !== nonce) return undefined;
    const { permit, signature } = read;
    const found = await findEvmSettlement(
      client,
      {
        token: permit.payment.payToken,
        payer: permit.buyer,
        payTo: permit.payment.payTo,
        amount: { exactly: permit.payment.payAmount },
        deadline: permit.meta.validBefore,
        nonceUsed: (blockNumber) =>
          client.readContract({
            address: contract,
            abi: paymentPermitAbi,
            functionName: 'nonceUsed',
            args: [permit.buyer, nonce],
            blockNumber,
          }),
        evidence: [nonceWord(nonce), signature],
      },
      { recorded: record.transaction, lookbackBlocks },
    );
    return settlementAnswer(payment, record, permit.buyer, found, {
      expiredReason: ExactPermitReasons.expired,
      deadline: `validBefore ${permit.meta.validBefore}`,
    });
  };
}
