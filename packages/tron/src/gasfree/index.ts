// exact_gasfree on TRON: the GasFree API client and TIP-712 PermitTransfer helpers (the scheme builds on these).

// exact_gasfree: the scheme in its three roles.
export type { ExactGasFreeClientOptions, ExactGasFreeSigner } from './exact-gasfree-client.js';
export { createExactGasFreeClient } from './exact-gasfree-client.js';
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
export { createExactGasFreeServer } from './exact-gasfree-server.js';
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
export { createGasFreeApiClient } from './gasfree-api-client.js';
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
export type { GasFreePermitInput, GasFreePermitMessage } from './typed-data.js';
export { GASFREE_NETWORKS, gasFreeTypedData } from './typed-data.js';
