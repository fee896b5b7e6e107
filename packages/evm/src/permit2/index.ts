// Permit2 payments on EVM: constants, typed data, signing, approval helpers, verification and
// settlement shared by `exact` (assetTransferMethod "permit2") and `upto`.
export * from './approval.js';
export type { ApprovalPricing, ApprovalSponsoringLimits, PricedApproval } from './approval-sponsoring.js';
export * from './constants.js';
export {
  EIP2612_GAS_SPONSORING,
  type Eip2612GasSponsoringInfo,
  ERC20_APPROVAL_GAS_SPONSORING,
  type Erc20ApprovalGasSponsoringInfo,
  type Permit2Extension,
} from './extensions.js';
export type { GasSponsoringOptions, Permit2FacilitatorOptions } from './facilitator-context.js';
export { type Permit2PayloadReading, readPermit2Payload } from './payload.js';
export * from './reasons.js';
export * from './settle.js';
export * from './settle-call.js';
export {
  type Permit2Signer,
  type Permit2SigningRequirements,
  type SignPermit2AuthorizationOptions,
  signPermit2Authorization,
} from './sign.js';
export {
  eip2612PermitTypes,
  type Permit2SponsoringOptions,
  signSponsoringExtension,
} from './sponsoring-client.js';
export * from './typed-data.js';
export {
  type Permit2Kind,
  type Permit2VerifyContext,
  type Permit2VerifyOptions,
  type Permit2VerifyOutcome,
  type VerifiedPermit2Payment,
  verifyPermit2Payment,
} from './verify.js';
