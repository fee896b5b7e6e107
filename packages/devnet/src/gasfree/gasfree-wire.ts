import type { GasFreeAddressInfo, GasFreeAsset, GasFreeTransferState, GasFreeTxnState } from '@x402kit/core';

export type { GasFreeTransferState, GasFreeTxnState } from '@x402kit/core';

/**
 * The `reason` strings the local service answers with (the documented GasFree submit errors, plus the names
 * it uses for malformed input, unknown addresses and traces, authentication and internal failures).
 */
export type GasFreeServiceReason =
  | 'ProviderAddressNotMatchException'
  | 'DeadlineExceededException'
  | 'InvalidSignatureException'
  | 'UnsupportedTokenException'
  | 'TooManyPendingTransferException'
  | 'VersionNotSupportedException'
  | 'NonceNotMatchException'
  | 'MaxFeeExceededException'
  | 'InsufficientBalanceException'
  | 'ValidationException'
  | 'GasFreeAddressNotFoundException'
  | 'TransferNotFoundException'
  | 'NotFoundException'
  | 'UnauthorizedException'
  | 'InternalServerException';

/** One asset of `GET /api/v1/address/{user}` as the local service answers it: always with its `balance`. */
export type GasFreeWireAsset = Required<GasFreeAsset>;

/** `data` of `GET /api/v1/address/{user}` (Base58 addresses), each asset with its balance. */
export type GasFreeWireAddressInfo = Omit<GasFreeAddressInfo, 'assets'> & { assets: GasFreeWireAsset[] };

/** `data` of `GET /api/v1/gasfree/{traceId}` and of a successful submit (Base58 addresses). */
export interface GasFreeWireTransfer {
  id: string;
  createdAt: string;
  updatedAt: string;
  accountAddress: string;
  gasFreeAddress: string;
  providerAddress: string;
  targetAddress: string;
  tokenAddress: string;
  amount: bigint;
  maxFee: bigint;
  signature: string;
  version: number;
  nonce: number;
  expiredAt: string;
  state: GasFreeTransferState;
  estimatedActivateFee: bigint;
  estimatedTransferFee: bigint;
  estimatedTotalFee: bigint;
  estimatedTotalCost: bigint;
  /** Hash of the relaying transaction on the local chain (`0x…`), once sent. */
  txnHash: string | null;
  txnBlockNum: number | null;
  txnBlockTimestamp: number | null;
  txnState: GasFreeTxnState;
  txnActivateFee: bigint | null;
  txnTransferFee: bigint | null;
  txnTotalFee: bigint | null;
  txnAmount: bigint | null;
  txnTotalCost: bigint | null;
  /** Why the transfer failed, when it did. */
  reason: string | null;
}

/** The envelope every GasFree API answer has. */
export interface GasFreeEnvelope<T> {
  code: number;
  reason: string | null;
  message: string | null;
  data: T | null;
}
