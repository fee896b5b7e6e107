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
export * from './approval.js';
export * from './client.js';
export * from './facilitator.js';
export * from './fee.js';
export * from './payment-permit-address.js';
export * from './server.js';
export * from './settle.js';
export * from './tokens.js';
export * from './verify.js';
