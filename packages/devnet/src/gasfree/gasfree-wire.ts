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

const BIGINT_MARK = '\u0000bigint:';

/**
 * JSON text with bigints written as plain JSON numbers (exact, as the GasFree API's Java backend writes longs).
 *
 * @example
 * ```ts
 * gasFreeJson({ code: 200, reason: null, message: null, data: { fee: 10n ** 18n } }); // '{"code":200,...,"fee":1000000000000000000}}'
 * ```
 */
export function gasFreeJson(value: unknown): string {
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${BIGINT_MARK}${v}` : v,
  );
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}

/** ISO-8601 time as the GasFree API writes it (`2024-09-10T08:11:50.822+00:00`). */
export function gasFreeTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}
