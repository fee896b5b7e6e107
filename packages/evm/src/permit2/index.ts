// Permit2 payments on EVM: constants, typed data, signing, approval helpers, verification and
// settlement shared by `exact` (assetTransferMethod "permit2") and `upto`.
export { buildPermit2Approval, readPermit2Allowance } from './approval.js';
export type { ApprovalPricing, ApprovalSponsoringLimits, PricedApproval } from './approval-sponsoring.js';
export {
  exactPermit2ProxyAbi,
  MAX_UINT256,
  PERMIT2_ADDRESS,
  permit2Erc20Abi,
  uptoPermit2ProxyAbi,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
  X402_UPTO_PERMIT2_PROXY_ADDRESS,
} from './constants.js';
export type {
  Eip2612GasSponsoringInfo,
  Erc20ApprovalGasSponsoringInfo,
  Permit2Extension,
} from './extensions.js';
export { EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING } from './extensions.js';
export type { GasSponsoringOptions, Permit2FacilitatorOptions } from './facilitator-context.js';
export type { Permit2PayloadReading } from './payload.js';
export { readPermit2Payload } from './payload.js';
export type { Permit2Reason } from './reasons.js';
export { Permit2Reasons } from './reasons.js';
export type { Permit2SettleContext, Permit2SettleOptions } from './settle.js';
export { settlePermit2Payment } from './settle.js';
export type { Permit2612 } from './settle-call.js';
export { encodePermit2SettleCall } from './settle-call.js';
export type { Permit2Signer, Permit2SigningRequirements, SignPermit2AuthorizationOptions } from './sign.js';
export { signPermit2Authorization } from './sign.js';
export type { Permit2SponsoringOptions } from './sponsoring-client.js';
export { signSponsoringExtension } from './sponsoring-client.js';
export type {
  ExactPermit2TypedData,
  Permit2Authorization,
  Permit2Payload,
  UptoPermit2TypedData,
} from './typed-data.js';
export {
  buildExactPermit2TypedData,
  buildPermit2Domain,
  buildPermit2TypedData,
  buildUptoPermit2TypedData,
  exactPermit2WitnessTypes,
  uptoPermit2WitnessTypes,
} from './typed-data.js';
export type {
  Permit2Kind,
  Permit2VerifyContext,
  Permit2VerifyOptions,
  Permit2VerifyOutcome,
  VerifiedPermit2Payment,
} from './verify.js';
export { verifyPermit2Payment } from './verify.js';
