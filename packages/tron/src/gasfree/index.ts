// exact_gasfree on TRON: the GasFree API client and TIP-712 PermitTransfer helpers (the scheme builds on these).
export type {
  GasFreeApiClient,
  GasFreeApiClientOptions,
  WaitForTransferOptions,
} from './gasfree-api-client.js';
export {
  createGasFreeApiClient,
  isGasFreeTransferFailed,
  isGasFreeTransferSuccessful,
} from './gasfree-api-client.js';
export type {
  GasFreeAddressInfo,
  GasFreeAsset,
  GasFreeProvider,
  GasFreeToken,
  GasFreeTransfer,
  GasFreeTransferState,
  GasFreeTxnState,
} from './gasfree-api-types.js';
export type { GasFreeErrorDetails, GasFreeReason } from './gasfree-error.js';
export { GasFreeError, GasFreeReasons } from './gasfree-error.js';
export type {
  ClampGasFreeDeadlineParameters,
  GasFreeMaxFeeParameters,
  GasFreePermitInput,
  GasFreePermitMessage,
} from './typed-data.js';
export {
  clampGasFreeDeadline,
  GASFREE_MAINNET_CHAIN_ID,
  GASFREE_MIN_DEADLINE_SECONDS,
  GASFREE_NETWORKS,
  GASFREE_PERMIT_VERSION,
  GASFREE_TYPES,
  gasFreeDomain,
  gasFreeMaxFee,
  gasFreePermitMessage,
  gasFreeTypedData,
} from './typed-data.js';
