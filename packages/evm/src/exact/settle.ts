/**
 * Settlement of an `exact` EIP-3009 payment: re-verify (with a preflight `eth_call` of the exact
 * transaction instead of the diagnosis simulation), send `transferWithAuthorization` from a
 * relayer, wait for the receipt by fast polling.
 */
import {
  type PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type SettleResponse,
  type X402Version,
} from '@x402kit/core';
import { settleFailure as failure, unminedSettle, unverifiedSettle } from '../answers.js';
import type { GasSponsorBudget } from '../gas-sponsor-budget.js';
import { relaySettlement } from '../relayer/relay-settlement.js';
import { type RelayTiming, relayOptions, type SettleCallOptions } from '../relayer/relayed-call.js';
import { hasTransferLog } from '../transfer-log.js';
import { deployCounterfactualWallet } from './erc6492-deployment.js';
import { byteLength } from './signature.js';
import { transferErrorReason } from './transfer-error-reason.js';
import { type ExactEvmVerifyContext, verifyExactEvmPayment } from './verify.js';

/** The `ctx` parameter of `settleExactEvmPayment`. */
export type ExactEvmSettleContext = ExactEvmVerifyContext &
  RelayTiming & {
    /** Gas limit of the v,r,s overload (65-byte EOA signatures). */
    gasLimit: bigint;
    /** Gas limit of the `bytes` overload (smart-wallet signatures run `isValidSignature`). */
    bytesGasLimit: bigint;
    /** `eth_call` the transaction before sending it, so a doomed transfer costs no gas. */
    preflight: boolean;
    /** The budget an ERC-6492 deployment's gas is reserved from. */
    gasSponsorBudget: GasSponsorBudget;
    /** Highest gas an ERC-6492 deployment may take. */
    maxDeploymentGas: bigint;
  };

/** Options of `settleExactEvmPayment`. */
export type ExactEvmSettleOptions = SettleCallOptions & { x402Version: X402Version };

/**
 * Settle `payload` on chain. Bad input and failed transfers are `success: false` with a reason
 * code, never exceptions; a receipt that does not arrive in time is `settlement_pending` with the hash
 * in `transaction`. Only an RPC failure before broadcast throws (the facilitator turns it into
 * `unexpected_settle_error`).
 *
 * @example
 * const result = await settleExactEvmPayment(ctx, payload, requirements, { x402Version: 2 })
 */
export async function settleExactEvmPayment(
  ctx: ExactEvmSettleContext,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options: ExactEvmSettleOptions,
): Promise<SettleResponse> {
  const network = requirements.network;
  const net = ctx.networkFor(network);
  const relayer = net?.nextRelayer();
  // re-verify; the preflight is the simulation of the very call the relayer will send, and its
  // revert message is mapped to a reason (as the reference maps its gas-estimation failure)
  const { response, verified } = await verifyExactEvmPayment(ctx, payload, requirements, {
    x402Version: options.x402Version,
    simulate: ctx.preflight,
    diagnose: false,
    ...(relayer ? { sender: relayer.address } : {}),
  });
  if (!response.isValid || !verified || !relayer) {
    return unverifiedSettle(network, response);
  }
  const { payer, asset, data, net: verifiedNet, deployment } = verified;
  if (deployment) {
    // ERC-6492 through an allowlisted factory: deploy the wallet first, in the same nonce lane
    const failed = await deployCounterfactualWallet({
      relayer,
      client: verifiedNet.client,
      deployment,
      from: payer,
      sponsor: {
        budget: ctx.gasSponsorBudget,
        fees: verifiedNet.fees,
        maxGas: ctx.maxDeploymentGas,
        network,
        payment: { network, asset, payer, nonce: verified.authorization.nonce },
      },
      ...relayOptions(ctx, { signal: options.signal }),
    });
    if (failed) return failure(network, failed.reason, failed.transaction, payer, failed.message);
  }
  const eoa = byteLength(verified.signature) === 65 && !deployment;
  const sent = await relaySettlement({
    relayer,
    call: { to: asset, data, gas: eoa ? ctx.gasLimit : ctx.bytesGasLimit },
    client: verifiedNet.client,
    ...relayOptions(ctx, options),
  });
  if (sent.kind !== 'mined') return unminedSettle(network, payer, sent, transferErrorReason);
  const { hash, receipt } = sent;
  if (receipt.status !== 'success') {
    return failure(network, Reasons.exactEvmTransactionFailed, hash, payer, `transaction ${hash} reverted`);
  }
  const { from, to, value } = verified.authorization;
  if (!hasTransferLog(receipt, { token: asset, from, to, value: BigInt(value) })) {
    return failure(
      network,
      Reasons.exactEvmTransferEventMismatch,
      hash,
      payer,
      'the receipt has no matching Transfer event',
    );
  }
  return { success: true, transaction: hash, network, payer };
}
