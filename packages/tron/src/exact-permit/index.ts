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
export * from './client.js';
export * from './config-error.js';
export * from './facilitator.js';
export type {
  ExactPermitTronFee,
  ExactPermitTronFeeSource,
  ExactPermitTronFeeTable,
  ExactPermitTronKindExtra,
} from './fee.js';
export type { ReadExactPermitTronPayload } from './permit-wire.js';
export { readExactPermitTronPayload } from './permit-wire.js';
export * from './reasons.js';
export type { ExactPermitTronServerOptions, TronNetworkForm } from './server.js';
export { createExactPermitTronServer } from './server.js';
export * from './settle.js';
export type {
  ExactPermitTronNetwork,
  ExactPermitTronVerifyContext,
  ExactPermitTronVerifyOptions,
  ExactPermitTronVerifyOutcome,
  VerifiedExactPermitTron,
} from './verify.js';
export { verifyExactPermitTronPayment } from './verify.js';
