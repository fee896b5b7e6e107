// Permit2 payments on EVM: constants, typed data, signing, approval helpers, verification and
// settlement shared by `exact` (assetTransferMethod "permit2") and `upto`.
export * from './approval.js';
export type { ApprovalPricing, ApprovalSponsoringLimits, PricedApproval } from './approval-sponsoring.js';
export * from './constants.js';
export type {
  Eip2612GasSponsoringInfo,
  Erc20ApprovalGasSponsoringInfo,
  Permit2Extension,
} from './extensions.js';
export { EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING } from './extensions.js';
export type { GasSponsoringOptions, Permit2FacilitatorOptions } from './facilitator-context.js';
export type { Permit2PayloadReading } from './payload.js';
export { readPermit2Payload } from './payload.js';
export * from './reasons.js';
export * from './settle.js';
export * from './settle-call.js';
export type { Permit2Signer, Permit2SigningRequirements, SignPermit2AuthorizationOptions } from './sign.js';
export { signPermit2Authorization } from './sign.js';
export type { Permit2SponsoringOptions } from './sponsoring-client.js';
export { eip2612PermitTypes, signSponsoringExtension } from './sponsoring-client.js';
export * from './typed-data.js';
export type {
  Permit2Kind,
  Permit2VerifyContext,
  Permit2VerifyOptions,
  Permit2VerifyOutcome,
  VerifiedPermit2Payment,
} from './verify.js';
export { verifyPermit2Payment } from './verify.js';
