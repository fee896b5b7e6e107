/**
 * `/settle` of a `claim`: many channels' vouchers in one `claimWithSignature` transaction. The server
 * signs the `ClaimBatch` when it owns the receiver-authorizer key; when it delegates to us (every row's
 * `receiverAuthorizer` is our authorizer) and omits the signature, we sign it. No token moves (`amount` "").
 */
import type { PaymentRequirements, SchemeFacilitatorContext, SettleResponse } from '@x402kit/core';
import { encodeFunctionData, type Hex, isAddressEqual } from 'viem';
import { batchSettlementAbi } from './abi.js';
import { type BatchFacilitatorContext, refuseSettle, servedNetwork } from './facilitator-context.js';
import { sendEscrowCall } from './facilitator-send-escrow-call.js';
import type { ClaimEntry, ClaimPayload } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';
import { signClaimBatch } from './server-authorizer.js';

/**
 * The escrow's `VoucherClaim[]` argument of claim rows.
 *
 * @example const args = voucherClaimArgs(payload.claims)
 */
export function voucherClaimArgs(claims: readonly ClaimEntry[]) {
  return claims.map((c) => ({
    voucher: { channel: c.voucher.channel, maxClaimableAmount: BigInt(c.voucher.maxClaimableAmount) },
    signature: c.signature,
    totalClaimed: BigInt(c.totalClaimed),
  }));
}

/**
 * The `ClaimBatch` signature of `claims`: the one given, or ours when every row delegates to our
 * authorizer; otherwise the refusal's reason and message.
 *
 * @example
 * const signed = await claimAuthorization(ctx, chainId, claims, payload.claimAuthorizerSignature)
 */
export async function claimAuthorization(
  ctx: BatchFacilitatorContext,
  chainId: number,
  claims: readonly ClaimEntry[],
  given: Hex | undefined,
): Promise<{ signature: Hex } | { reason: string; message: string }> {
  if (given) return { signature: given };
  const authorizer = ctx.authorizer;
  if (!authorizer?.signTypedData)
    return {
      reason: BatchSettlementReasons.authorizerNotConfigured,
      message: 'no claimAuthorizerSignature and this facilitator has no authorizer key',
    };
  const foreign = claims.find(
    (c) => !isAddressEqual(c.voucher.channel.receiverAuthorizer, authorizer.address),
  );
  if (foreign)
    return {
      reason: BatchSettlementReasons.authorizerAddressMismatch,
      message: `channel receiverAuthorizer ${foreign.voucher.channel.receiverAuthorizer} is not ours (${authorizer.address}): sign the claim yourself`,
    };
  const signature = await signClaimBatch(authorizer, claims, `eip155:${chainId}`);
  return { signature };
}

/**
 * Settle a `claim` payload.
 *
 * @example
 * const response = await settleClaim(ctx, payload, requirements, { signal, onBroadcast })
 */
export async function settleClaim(
  ctx: BatchFacilitatorContext,
  payload: ClaimPayload,
  requirements: PaymentRequirements,
  call: Pick<SchemeFacilitatorContext, 'signal' | 'onBroadcast'>,
  chainId: number,
): Promise<SettleResponse> {
  const network = servedNetwork(ctx, requirements);
  if ('success' in network) return network;
  const signed = await claimAuthorization(ctx, chainId, payload.claims, payload.claimAuthorizerSignature);
  if (!('signature' in signed)) return refuseSettle(requirements, signed.reason, signed.message);
  const data = encodeFunctionData({
    abi: batchSettlementAbi,
    functionName: 'claimWithSignature',
    args: [voucherClaimArgs(payload.claims), signed.signature],
  });
  const sent = await sendEscrowCall(ctx, { network, data, requirements, call, step: 'claim' });
  if (!sent.ok) return sent.response;
  return { success: true, transaction: sent.hash, network: requirements.network, amount: '' };
}
