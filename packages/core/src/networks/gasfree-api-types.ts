/**
 * The GasFree API's account shapes (`GET /api/v1/address/{user}`), shared by the TRON GasFree client
 * (`@x402kit/tron/gasfree`) and the local GasFree service of `@x402kit/devnet`, which may not import each other.
 */

/** States of a GasFree transfer authorization (`state`), as the GasFree API names them. */
export type GasFreeTransferState = 'WAITING' | 'INPROGRESS' | 'CONFIRMING' | 'SUCCEED' | 'FAILED';

/** States of a GasFree transfer's transaction (`txnState`), as the GasFree API names them. */
export type GasFreeTxnState = 'INIT' | 'NOT_ON_CHAIN' | 'ON_CHAIN' | 'SOLIDITY' | 'ON_CHAIN_FAILED';

/** One asset of a GasFree account; fees and amounts in the token's smallest unit (JSON numbers on the wire). */
export interface GasFreeAsset {
  tokenAddress: string;
  tokenSymbol: string;
  activateFee: bigint;
  transferFee: bigint;
  decimal: number;
  /** Amount held back by pending transfers (value + fee). */
  frozen: bigint;
  /** Balance of the token at the GasFree address, when the API reports it. */
  balance?: bigint;
}

/** `data` of `GET /api/v1/address/{user}` (Base58 addresses). */
export interface GasFreeAddressInfo {
  accountAddress: string;
  gasFreeAddress: string;
  active: boolean;
  nonce: number;
  allowSubmit: boolean;
  assets: GasFreeAsset[];
}
