// The chain-module contract: what a chain package gives the facilitator service.
export * from './calldata-evidence.js';
export * from './chain-module.js';
export { httpUrl, ms, privateKey } from './config-fields.js';
export * from './key-nonce.js';
export * from './payment-key.js';
export * from './per-network.js';
export * from './settlement-answer.js';
export * from './sponsor-budget.js';
export * from './stored-payment.js';
