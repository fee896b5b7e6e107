// The TRON chain module for the facilitator service, and the pieces it is made of.

export { identifyTronPayment } from './identify-tron-payment.js';
export type { ExactPermitTronReconcilerNodes } from './reconcile-exact-permit-tron.js';
export { createExactPermitTronReconciler } from './reconcile-exact-permit-tron.js';
export type { TronReceiptReconcilerNodes } from './reconcile-tron-receipt.js';
export { createTronReceiptReconciler } from './reconcile-tron-receipt.js';
export type { TronSections } from './tron-chain.js';
export { tronChain } from './tron-chain.js';
export type { TronConfig } from './tron-config.js';
export type { TronNodeEndpoint, TronSchemes } from './tron-schemes.js';
export { createTronSchemes } from './tron-schemes.js';
