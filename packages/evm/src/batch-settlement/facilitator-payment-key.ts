/**
 * The identity of a `batch-settlement` payment for the facilitator's exactly-once ledger (and for
 * sharing one run between concurrent settles of it):
 *
 * | payload            | payer               | nonce                                   | asset        |
 * |--------------------|---------------------|-----------------------------------------|--------------|
 * | deposit (ERC-3009) | channel payer       | `batch3009:<keccak(channelId, salt)>`   | channel token|
 * | deposit (Permit2)  | `from`              | `permit2:<n>` (Permit2's nonce space)   | permitted    |
 * | refund             | channel payer       | `batchrefund:<channelId>:<refundNonce>` | channel token|
 * | claim              | rows' authorizer    | `batchclaim:<keccak of the rows>`       | first token  |
 *
 * A `voucher` moves nothing and a `settle` sweep is permissionless and idempotent: neither has a key
 * (the sweep is serialized per receiver and token instead). A refund is keyed only once the server
 * completed it with its `refundNonce`.
 */
import { evmChainId, namespacedPaymentKey, normalizePaymentKey, type PaymentKey } from '@x402kit/core';
import { hexKeyAddress } from '@x402kit/core/internal';
import { encodeAbiParameters, keccak256 } from 'viem';
import { computeChannelId } from './channel.js';
import { erc3009DepositNonce } from './client-payload.js';
import { type ClaimEntry, readBatchPayload } from './payload.js';

/**
 * The ledger key of a `batch-settlement` payload on `network` (canonical CAIP-2), or `undefined`.
 *
 * @example
 * batchPaymentKey(paymentPayload.payload, 'eip155:84532') // { …, nonce: 'batch3009:0x5d…' }
 */
export function batchPaymentKey(raw: unknown, network: string): PaymentKey | undefined {
  const chainId = evmChainId(network);
  const read = readBatchPayload(raw, ['deposit', 'refund', 'claim']);
  if (chainId === undefined || !read.ok) return undefined;
  const payload = read.payload;
  if (payload.type === 'deposit') {
    const { authorization } = payload.deposit;
    if ('permit2Authorization' in authorization) {
      const auth = authorization.permit2Authorization;
      return namespacedPaymentKey(
        { network, asset: auth.permitted.token, payer: auth.from, space: 'permit2', nonce: auth.nonce },
        hexKeyAddress,
      );
    }
    const nonce = erc3009DepositNonce(payload.voucher.channelId, authorization.erc3009Authorization.salt);
    return key(network, payload.channelConfig.token, payload.channelConfig.payer, `batch3009:${nonce}`);
  }
  if (payload.type === 'refund') {
    if (payload.refundNonce === undefined) return undefined;
    const channelId = computeChannelId(payload.channelConfig, chainId);
    const nonce = `batchrefund:${channelId}:${BigInt(payload.refundNonce)}`;
    return key(network, payload.channelConfig.token, payload.channelConfig.payer, nonce);
  }
  if (payload.type !== 'claim') return undefined;
  const [first] = payload.claims;
  if (!first) return undefined;
  const channel = first.voucher.channel;
  return key(
    network,
    channel.token,
    channel.receiverAuthorizer,
    `batchclaim:${claimRowsHash(payload.claims, chainId)}`,
  );
}

/** keccak256 of the rows' (channelId, maxClaimableAmount, totalClaimed), in order. */
function claimRowsHash(claims: readonly ClaimEntry[], chainId: number): string {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'tuple[]', components: [{ type: 'bytes32' }, { type: 'uint128' }, { type: 'uint128' }] }],
      [
        claims.map(
          (c) =>
            [
              computeChannelId(c.voucher.channel, chainId),
              BigInt(c.voucher.maxClaimableAmount),
              BigInt(c.totalClaimed),
            ] as const,
        ),
      ],
    ),
  );
}

function key(network: string, asset: string, payer: string, nonce: string): PaymentKey {
  return normalizePaymentKey({ network, asset, payer, nonce: nonce.toLowerCase() });
}
