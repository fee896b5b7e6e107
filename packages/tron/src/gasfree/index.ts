// exact_gasfree on TRON: the GasFree API client and TIP-712 PermitTransfer helpers (the scheme builds on these).

// exact_gasfree: the scheme in its three roles.
export type { ExactGasFreeClientOptions, ExactGasFreeSigner } from './exact-gasfree-client.js';
export { createExactGasFreeClient } from './exact-gasfree-client.js';
export { GASFREE_DEADLINE_MARGIN_SECONDS, providerDeadline } from './exact-gasfree-deadline.js';
export type {
  ExactGasFreeFacilitator,
  ExactGasFreeFacilitatorNetwork,
  ExactGasFreeFacilitatorOptions,
} from './exact-gasfree-facilitator.js';
export { createExactGasFreeFacilitator } from './exact-gasfree-facilitator.js';
export type {
  ExactGasFreeG1Meta,
  ExactGasFreePermit,
  ReadExactGasFreePayload,
} from './exact-gasfree-payload.js';
export {
  EXACT_GASFREE_SCHEME,
  readExactGasFreePayload,
  toExactGasFreeG1,
  toExactGasFreeG2,
} from './exact-gasfree-payload.js';
export type { ExactGasFreeReason } from './exact-gasfree-reasons.js';
export { ExactGasFreeReasons } from './exact-gasfree-reasons.js';
export type {
  ExactGasFreeFeeQuote,
  ExactGasFreeKindExtra,
  ExactGasFreeServerOptions,
} from './exact-gasfree-server.js';
export { createExactGasFreeServer, feeFromGasFreeKind } from './exact-gasfree-server.js';
export type { SettleRecord } from './exact-gasfree-settle.js';
export { followGasFreeTransfer, tronTransactionId } from './exact-gasfree-settle.js';
export type {
  ExactGasFreeNetwork,
  ExactGasFreeVerifyContext,
  ExactGasFreeVerifyOutcome,
  VerifiedExactGasFree,
} from './exact-gasfree-verify.js';
export { verifyExactGasFreePayment } from './exact-gasfree-verify.js';
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
