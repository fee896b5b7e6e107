// `exact_permit` on EVM (BSC): BofAI's PaymentPermit scheme in its three roles.
export type { ExactPermitApproval, PrepareExactPermitApprovalParameters } from './approval.js';
export { prepareExactPermitApproval, requiredAllowance } from './approval.js';
export type { ExactPermitEvmClientOptions, ExactPermitEvmSigner, SignExactPermitOptions } from './client.js';
export { createExactPermitEvmClient, signExactPermit } from './client.js';
export type { CreatePaymentPermitContextOptions, PaymentPermitContext } from './context.js';
export {
  createPaymentPermitContext,
  DEFAULT_CONTEXT_WINDOW_SECONDS,
  PAYMENT_PERMIT_CONTEXT_KEY,
  readPaymentPermitContext,
} from './context.js';
export type {
  PaymentPermitContextIssuer,
  PaymentPermitContextIssuerOptions,
} from './context-issuer.js';
export { contextWindowSeconds, createPaymentPermitContextIssuer, offerKey } from './context-issuer.js';
export type {
  IssuedPaymentPermitContext,
  MemoryPaymentPermitContextStoreOptions,
  PaymentPermitContextStore,
} from './context-store.js';
export { createMemoryPaymentPermitContextStore, paymentPermitContextKey } from './context-store.js';
export { permitErrorReason, permitErrorReasonFromText } from './contract-error.js';
export type {
  ExactPermitEvmFacilitator,
  ExactPermitEvmFacilitatorNetwork,
  ExactPermitEvmFacilitatorOptions,
  ExactPermitFeeTable,
} from './facilitator.js';
export { createExactPermitEvmFacilitator } from './facilitator.js';
export type {
  ExactPermitFee,
  ExactPermitFeeQuote,
  ExactPermitFeeSource,
  ExactPermitKindExtra,
} from './fee.js';
export { feeFromSupportedKind } from './fee.js';
export { paymentPermitAbi, permitTokenAbi } from './payment-permit-abi.js';
export type { ExactPermitPayload, PaymentPermitWire, ReadExactPermitPayload } from './permit.js';
export {
  isPermitSignatureShape,
  parsePaymentPermit,
  readExactPermitPayload,
  toPaymentPermitWire,
} from './permit.js';
export type { ExactPermitReason } from './reasons.js';
export { ExactPermitReasons } from './reasons.js';
export type { ExactPermitEvmServerOptions } from './server.js';
export { createExactPermitEvmServer } from './server.js';
export type { ExactPermitSettleContext } from './settle.js';
export { permitTuple, settleExactPermitPayment } from './settle.js';
export type { ExactPermitToken } from './tokens.js';
export { EXACT_PERMIT_TOKENS, findExactPermitToken } from './tokens.js';
export type { PaymentPermitDomain, PaymentPermitMessage } from './typed-data.js';
export {
  buildPaymentPermitDomain,
  buildPaymentPermitTypedData,
  PAYMENT_PERMIT_ADDRESSES,
  PAYMENT_PERMIT_DOMAIN_NAME,
  PAYMENT_PERMIT_KINDS,
  paymentPermitAddress,
  paymentPermitTypes,
} from './typed-data.js';
export type {
  ExactPermitNetwork,
  ExactPermitVerifyContext,
  ExactPermitVerifyOptions,
  ExactPermitVerifyOutcome,
  VerifiedExactPermit,
} from './verify.js';
export { EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS, verifyExactPermitPayment } from './verify.js';
