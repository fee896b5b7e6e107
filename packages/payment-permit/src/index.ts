// @x402kit/payment-permit: BofAI's PaymentPermit (`exact_permit`) without a chain, shared by the EVM and TRON schemes.

export {
  checkPermitFunds,
  checkPermitTerms,
  type PermitAddressForm,
  type PermitCheckFailure,
  type PermitFunds,
  type PermitTerms,
} from './check-permit-terms.js';
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
export type { ExactPermitFeeQuote } from './fee-quote.js';
export { feeTableAmount } from './fee-quote.js';
export { paymentPermitAbi, permitTokenAbi } from './payment-permit-abi.js';
export {
  BSC_PAYMENT_PERMIT_ADDRESS,
  PAYMENT_PERMIT_ADDRESSES,
  PAYMENT_PERMIT_TRON_ADDRESSES,
} from './payment-permit-addresses.js';
export { paymentPermitKey } from './payment-permit-key.js';
export type { ExactPermitPayload, PaymentPermitWire, ReadExactPermitPayload } from './permit.js';
export {
  isPermitSignatureShape,
  parsePaymentPermit,
  readExactPermitPayload,
  toPaymentPermitWire,
} from './permit.js';
export { PAYMENT_PERMIT_ERROR_REASONS, permitErrorReasonFromText } from './permit-error-reason.js';
export { permitTuple } from './permit-tuple.js';
export type { ExactPermitReason } from './reasons.js';
export { ExactPermitReasons } from './reasons.js';
export { requiredAllowance } from './required-allowance.js';
export type { PaymentPermitDomain, PaymentPermitMessage } from './typed-data.js';
export {
  buildPaymentPermitDomain,
  buildPaymentPermitTypedData,
  PAYMENT_PERMIT_DOMAIN_NAME,
  PAYMENT_PERMIT_KINDS,
  paymentPermitTypes,
} from './typed-data.js';
export { EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS } from './valid-before-margin.js';
