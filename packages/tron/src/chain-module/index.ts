// The TRON chain module for the facilitator service, and the pieces it is made of.

export * from './identify-tron-payment.js';
export * from './reconcile-exact-permit-tron.js';
export * from './reconcile-tron-receipt.js';
export * from './tron-chain.js';
export type { TronConfig } from './tron-config.js';
export * from './tron-schemes.js';
