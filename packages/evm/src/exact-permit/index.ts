// `exact_permit` on EVM (BSC): BofAI's PaymentPermit scheme in its three roles. The chain-neutral
// pieces (ABI, typed data, wire permit, context, reasons) live in `@x402kit/payment-permit` and are
// re-exported here under the names they always had.
export type {
  CreatePaymentPermitContextOptions,
  ExactPermitFeeQuote,
  ExactPermitPayload,
  ExactPermitReason,
  IssuedPaymentPermitContext,
  MemoryPaymentPermitContextStoreOptions,
  PaymentPermitContext,
  PaymentPermitContextIssuer,
  PaymentPermitContextIssuerOptions,
  PaymentPermitContextStore,
  PaymentPermitDomain,
  PaymentPermitMessage,
  PaymentPermitWire,
  ReadExactPermitPayload,
} from '@x402kit/payment-permit';
export {
  createMemoryPaymentPermitContextStore,
  createPaymentPermitContext,
  ExactPermitReasons,
  PAYMENT_PERMIT_ADDRESSES,
  readExactPermitPayload,
  readPaymentPermitContext,
} from '@x402kit/payment-permit';
export type { ExactPermitApproval, PrepareExactPermitApprovalParameters } from './approval.js';
export { prepareExactPermitApproval } from './approval.js';
export type { ExactPermitEvmClientOptions, ExactPermitEvmSigner, SignExactPermitOptions } from './client.js';
export { createExactPermitEvmClient, signExactPermit } from './client.js';
export type {
  ExactPermitEvmFacilitator,
  ExactPermitEvmFacilitatorNetwork,
  ExactPermitEvmFacilitatorOptions,
  ExactPermitFeeTable,
} from './facilitator.js';
export { createExactPermitEvmFacilitator } from './facilitator.js';
export type { ExactPermitFee, ExactPermitFeeSource, ExactPermitKindExtra } from './fee.js';
export { feeFromSupportedKind } from './fee.js';
export { paymentPermitAddress } from './payment-permit-address.js';
export type { ExactPermitEvmServerOptions } from './server.js';
export { createExactPermitEvmServer } from './server.js';
export type { ExactPermitSettleContext } from './settle.js';
export { settleExactPermitPayment } from './settle.js';
export type { ExactPermitToken } from './tokens.js';
export { EXACT_PERMIT_TOKENS, findExactPermitToken } from './tokens.js';
export type {
  ExactPermitNetwork,
  ExactPermitVerifyContext,
  ExactPermitVerifyOptions,
  ExactPermitVerifyOutcome,
  VerifiedExactPermit,
} from './verify.js';
export { verifyExactPermitPayment } from './verify.js';
