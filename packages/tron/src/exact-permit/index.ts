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
  readPaymentPermitContext,
} from '@x402kit/payment-permit';
export type {
  ExactPermitTronApproval,
  PrepareExactPermitTronApprovalParameters,
  SendExactPermitTronApprovalParameters,
} from './approval.js';
export { prepareExactPermitTronApproval, sendExactPermitTronApproval } from './approval.js';
export type {
  ExactPermitTronClientOptions,
  ExactPermitTronSigner,
  SignExactPermitTronOptions,
} from './client.js';
export { createExactPermitTronClient, signExactPermitTron } from './client.js';
export { ExactPermitTronConfigError } from './config-error.js';
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
} from './fee.js';
export type { ReadExactPermitTronPayload } from './permit-wire.js';
export { readExactPermitTronPayload } from './permit-wire.js';
export type { ExactPermitTronReason } from './reasons.js';
export { ExactPermitTronReasons } from './reasons.js';
export type { ExactPermitTronServerOptions, TronNetworkForm } from './server.js';
export { createExactPermitTronServer } from './server.js';
export type { ExactPermitTronSettleContext, ExactPermitTronSettleOptions } from './settle.js';
export { settleExactPermitTronPayment } from './settle.js';
export type {
  ExactPermitTronNetwork,
  ExactPermitTronVerifyContext,
  ExactPermitTronVerifyOptions,
  ExactPermitTronVerifyOutcome,
  VerifiedExactPermitTron,
} from './verify.js';
export { verifyExactPermitTronPayment } from './verify.js';
