// exact_permit on TRON: BofAI's PaymentPermit scheme in its three roles.
export type {
  CreatePaymentPermitContextOptions,
  ExactPermitFeeQuote,
  IssuedPaymentPermitContext,
  PaymentPermitContext,
  PaymentPermitContextStore,
  PaymentPermitWire,
} from '@x402kit/payment-permit';
export {
  createMemoryPaymentPermitContextStore,
  createPaymentPermitContext,
  PAYMENT_PERMIT_CONTEXT_KEY,
  readPaymentPermitContext,
} from '@x402kit/payment-permit';
export type {
  ExactPermitTronApproval,
  PrepareExactPermitTronApprovalParameters,
  SendExactPermitTronApprovalParameters,
} from './approval.js';
export {
  APPROVAL_FEE_LIMIT_SUN,
  prepareExactPermitTronApproval,
  sendExactPermitTronApproval,
} from './approval.js';
export type {
  ExactPermitTronClientOptions,
  ExactPermitTronSigner,
  SignExactPermitTronOptions,
} from './client.js';
export { createExactPermitTronClient, signExactPermitTron } from './client.js';
export { ExactPermitTronConfigError } from './config-error.js';
export { decodePermitRevert, permitRevertReason } from './contract-error.js';
export type {
  ExactPermitTronFacilitator,
  ExactPermitTronFacilitatorNetwork,
  ExactPermitTronFacilitatorOptions,
} from './facilitator.js';
export { createExactPermitTronFacilitator } from './facilitator.js';
export type {
  ExactPermitTronFee,
  ExactPermitTronFeeSource,
  ExactPermitTronFeeTable,
  ExactPermitTronKindExtra,
  ParsedTronFeeTable,
} from './fee.js';
export { parseTronFeeTable, tronFeeFromSupportedKind } from './fee.js';
export type { ReadExactPermitTronPayload, TronAddressField } from './permit-wire.js';
export { readExactPermitTronPayload, readTronAddressField, toPaymentPermitTronWire } from './permit-wire.js';
export type { ExactPermitTronReason } from './reasons.js';
export { ExactPermitTronReasons } from './reasons.js';
export type { SentPermit, SentPermits } from './sent-permits.js';
export { createSentPermits, sentPermitKey } from './sent-permits.js';
export type { ExactPermitTronServerOptions, TronNetworkForm } from './server.js';
export { createExactPermitTronServer, networkId } from './server.js';
export type { ExactPermitTronSettleContext, ExactPermitTronSettleOptions } from './settle.js';
export { settleExactPermitTronPayment } from './settle.js';
export type {
  ExactPermitTronNetwork,
  ExactPermitTronVerifyContext,
  ExactPermitTronVerifyOptions,
  ExactPermitTronVerifyOutcome,
  VerifiedExactPermitTron,
} from './verify.js';
export {
  EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS,
  readNonceUsed,
  verifyExactPermitTronPayment,
} from './verify.js';
