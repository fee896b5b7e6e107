/**
 * The fixed facts of `batch-settlement` on EVM: the contracts' canonical addresses (the same on every
 * chain, and on the x402kit devnet), the EIP-712 domain and types every role signs or checks, and the
 * bounds of a channel's withdrawal delay. They match the scheme's spec and `@x402/evm` 2.27.
 */
import { eip712Types } from '@x402kit/core/internal';
import type { Address } from 'viem';

/** The scheme's name on the wire. */
export const BATCH_SETTLEMENT_SCHEME = 'batch-settlement';

/** Canonical address of the `x402BatchSettlement` escrow. */
export const BATCH_SETTLEMENT_ADDRESS: Address = '0x4020074e9dF2ce1deE5A9C1b5c3f541D02a10003';

/** Canonical address of the collector that pulls a deposit with ERC-3009 `receiveWithAuthorization`. */
export const ERC3009_DEPOSIT_COLLECTOR_ADDRESS: Address = '0x4020806089470a89826cB9fB1f4059150b550004';

/** Canonical address of the collector that pulls a deposit with a Permit2 witness transfer. */
export const PERMIT2_DEPOSIT_COLLECTOR_ADDRESS: Address = '0x4020425FAf3B746C082C2f942b4E5159887B0005';

/** Shortest withdrawal delay a channel may have: 15 minutes. */
export const MIN_WITHDRAW_DELAY = 900;

/** Longest withdrawal delay a channel may have: 30 days. */
export const MAX_WITHDRAW_DELAY = 2_592_000;

/** Name and version of the escrow's EIP-712 domain (chain id and contract are added per chain). */
export const BATCH_SETTLEMENT_DOMAIN = { name: 'x402 Batch Settlement', version: '1' } as const;

/** EIP-712 types of a channel's immutable configuration; its hash is the channel id. */
export const channelConfigTypes = eip712Types(
  'ChannelConfig(address payer,address payerAuthorizer,address receiver,address receiverAuthorizer,address token,uint40 withdrawDelay,bytes32 salt)',
);

/** EIP-712 types of a cumulative voucher, signed by the payer (or its authorizer) per request. */
export const voucherTypes = eip712Types('Voucher(bytes32 channelId,uint128 maxClaimableAmount)');

/** EIP-712 types of a cooperative refund, signed by the receiver authorizer. */
export const refundTypes = eip712Types('Refund(bytes32 channelId,uint256 nonce,uint128 amount)');

/** EIP-712 types of a batch of claims, signed by the receiver authorizer. */
export const claimBatchTypes = eip712Types(
  'ClaimBatch(ClaimEntry[] claims)',
  'ClaimEntry(bytes32 channelId,uint128 maxClaimableAmount,uint128 totalClaimed)',
);

/** EIP-712 types of the Permit2 witness transfer into a channel (spender: the Permit2 collector). */
export const depositPermit2Types = eip712Types(
  'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,DepositWitness witness)',
  'TokenPermissions(address token,uint256 amount)',
  'DepositWitness(bytes32 channelId)',
);
