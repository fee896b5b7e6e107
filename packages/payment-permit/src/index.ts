// @x402kit/payment-permit: BofAI's PaymentPermit (`exact_permit`) without a chain, shared by the EVM and TRON schemes.

export * from './check-permit-terms.js';
export * from './context.js';
export * from './context-issuer.js';
export * from './context-store.js';
export * from './fee-quote.js';
export * from './payment-permit-abi.js';
export * from './payment-permit-addresses.js';
export * from './payment-permit-key.js';
export * from './permit.js';
export * from './permit-error-reason.js';
export * from './permit-facilitator.js';
export * from './permit-tuple.js';
export * from './reasons.js';
export * from './required-allowance.js';
export * from './typed-data.js';
export * from './valid-before-margin.js';
export * from './verify-permit-payment.js';
