/**
 * The receiver authorizer as the resource server holds it: an address it delegates to (the facilitator
 * signs then), or a key of its own that signs the EIP-712 `ClaimBatch` and `Refund` authorizations
 * itself, so any relayer may submit them.
 */
import type { Address, Hex, LocalAccount } from 'viem';
import { batchSettlementDomain, computeChannelId } from './channel.js';
import { claimBatchTypes, refundTypes } from './constants.js';
import type { ClaimEntry } from './payload.js';

/** A receiver authorizer: the server's own key (it signs), or only its address (the facilitator signs). */
export type ServerReceiverAuthorizer = Address | Pick<LocalAccount, 'address' | 'signTypedData'>;

/** The key of a receiver authorizer when the server holds it, else `undefined`. */
export function authorizerKey(
  authorizer: ServerReceiverAuthorizer | undefined,
): Pick<LocalAccount, 'address' | 'signTypedData'> | undefined {
  return typeof authorizer === 'object' ? authorizer : undefined;
}

/** The chain id of an `eip155:<id>` network. */
export function chainIdOf(network: string): number {
  const id = Number(network.slice('eip155:'.length));
  return network.startsWith('eip155:') && Number.isSafeInteger(id) && id > 0 ? id : Number.NaN;
}

/**
 * Sign the EIP-712 `ClaimBatch` over claim rows (channel id, ceiling, new total claimed each).
 *
 * @example
 * const claimAuthorizerSignature = await signClaimBatch(account, claims, 'eip155:84532')
 */
export function signClaimBatch(
  key: Pick<LocalAccount, 'signTypedData'>,
  claims: readonly ClaimEntry[],
  network: string,
): Promise<Hex> {
  const chainId = chainIdOf(network);
  return key.signTypedData({
    domain: batchSettlementDomain(chainId),
    types: claimBatchTypes,
    primaryType: 'ClaimBatch',
    message: {
      claims: claims.map((c) => ({
        channelId: computeChannelId(c.voucher.channel, chainId),
        maxClaimableAmount: BigInt(c.voucher.maxClaimableAmount),
        totalClaimed: BigInt(c.totalClaimed),
      })),
    },
  });
}

/**
 * Sign the EIP-712 `Refund` of `amount` from a channel at its current refund nonce.
 *
 * @example
 * const refundAuthorizerSignature = await signRefund(account, channelId, 1n, 1500n, 'eip155:84532')
 */
export function signRefund(
  key: Pick<LocalAccount, 'signTypedData'>,
  channelId: Hex,
  nonce: bigint,
  amount: bigint,
  network: string,
): Promise<Hex> {
  return key.signTypedData({
    domain: batchSettlementDomain(chainIdOf(network)),
    types: refundTypes,
    primaryType: 'Refund',
    message: { channelId, nonce, amount },
  });
}
