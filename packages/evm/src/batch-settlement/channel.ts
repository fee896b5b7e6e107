/**
 * A channel of `batch-settlement` on EVM: its immutable configuration, its id (the configuration's
 * EIP-712 hash under the escrow's domain, so bound to the chain and the contract) and the snapshot of
 * its on-chain state that every role passes around.
 */
import { type Address, getAddress, type Hex, hashTypedData, type TypedDataDomain } from 'viem';
import { BATCH_SETTLEMENT_ADDRESS, BATCH_SETTLEMENT_DOMAIN, channelConfigTypes } from './constants.js';

/** A channel's immutable configuration; its EIP-712 hash is the channel id. */
export type ChannelConfig = {
  /** The wallet that deposits (an EOA or a smart wallet). */
  payer: Address;
  /** The EOA that signs vouchers, or the zero address to check vouchers against `payer` (ERC-1271). */
  payerAuthorizer: Address;
  /** Where claimed funds are swept (`payTo`). */
  receiver: Address;
  /** Who authorizes claims and refunds (never zero). */
  receiverAuthorizer: Address;
  /** The ERC-20 token (`asset`). */
  token: Address;
  /** Seconds a timed withdrawal waits (900 to 2 592 000). */
  withdrawDelay: number;
  /** Tells apart channels with otherwise equal parameters. */
  salt: Hex;
};

/** What the escrow records per channel, as every role mirrors it (amounts as decimal strings). */
export type ChannelSnapshot = {
  channelId: Hex;
  /** Deposited minus withdrawn and refunded. */
  balance: string;
  /** Claimed so far (only grows). */
  totalClaimed: string;
  /** Unix seconds a timed withdrawal was started, 0 when none is pending. */
  withdrawRequestedAt: number;
  /** The nonce the next `refundWithSignature` must carry. */
  refundNonce: string;
};

/**
 * The escrow's EIP-712 domain on a chain (`verifyingContract` is the canonical escrow address).
 *
 * @example
 * const domain = batchSettlementDomain(84532)
 */
export function batchSettlementDomain(chainId: number): TypedDataDomain {
  return { ...BATCH_SETTLEMENT_DOMAIN, chainId, verifyingContract: BATCH_SETTLEMENT_ADDRESS };
}

/**
 * The id of a channel on a chain: the EIP-712 hash of its configuration, lower-case hex.
 *
 * @example
 * const channelId = computeChannelId(config, 84532) // '0x3f…'
 */
export function computeChannelId(config: ChannelConfig, chainId: number): Hex {
  return hashTypedData({
    domain: batchSettlementDomain(chainId),
    types: channelConfigTypes,
    primaryType: 'ChannelConfig',
    message: normalizeChannelConfig(config),
  }).toLowerCase() as Hex;
}

/**
 * The configuration with checksummed addresses and a lower-case salt: the form to compare and store.
 *
 * @example
 * const stored = normalizeChannelConfig(payload.channelConfig)
 */
export function normalizeChannelConfig(config: ChannelConfig): ChannelConfig {
  return {
    payer: getAddress(config.payer),
    payerAuthorizer: getAddress(config.payerAuthorizer),
    receiver: getAddress(config.receiver),
    receiverAuthorizer: getAddress(config.receiverAuthorizer),
    token: getAddress(config.token),
    withdrawDelay: config.withdrawDelay,
    salt: config.salt.toLowerCase() as Hex,
  };
}
