// The TRON chain module for the facilitator service, and the pieces it is made of.
export type { TronAuthorization } from './find-tron-settlement.js';
export { findTronSettlement } from './find-tron-settlement.js';
export { identifyTronPayment } from './identify-tron-payment.js';
export { probeTronNode } from './probe-tron-node.js';
export { readTronBalances } from './read-tron-balances.js';
export type { ExactPermitTronReconcilerNodes } from './reconcile-exact-permit-tron.js';
export { createExactPermitTronReconciler } from './reconcile-exact-permit-tron.js';
export type { TronReceiptReconcilerNodes } from './reconcile-tron-receipt.js';
export { createTronReceiptReconciler } from './reconcile-tron-receipt.js';
export { tronAddressKey, tronLedgerAddress } from './tron-address-key.js';
export type { TronSections } from './tron-chain.js';
export { tronChain } from './tron-chain.js';
export type { TronConfig } from './tron-config.js';
export { TronConfigSchema, tronEnvDefaults } from './tron-config.js';
export type { TronNodeEndpoint, TronSchemes } from './tron-schemes.js';
export { createTronSchemes } from './tron-schemes.js';
