// exact_gasfree on TRON: the GasFree API client and TIP-712 PermitTransfer helpers (the scheme builds on these).

// exact_gasfree: the scheme in its three roles.
export * from './exact-gasfree-client.js';
export * from './exact-gasfree-facilitator.js';
export * from './exact-gasfree-payload.js';
export * from './exact-gasfree-reasons.js';
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
export * from './gasfree-error.js';
export type { GasFreePermitInput, GasFreePermitMessage } from './typed-data.js';
export { GASFREE_NETWORKS, gasFreeTypedData } from './typed-data.js';
