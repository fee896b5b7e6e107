// @x402kit/tron: x402 on TRON (addresses, networks, tokens, TIP-712, transactions, node client);
// schemes under ./exact-permit and ./gasfree.

export { decodeBase58, encodeBase58 } from '@x402kit/core';
export * from './address.js';
export * from './check-trigger-transaction.js';
export * from './networks.js';
export * from './node-client.js';
export * from './node-error.js';
export * from './node-schemas.js';
export * from './reasons.js';
export * from './tip712.js';
export * from './tokens.js';
export * from './transaction.js';
export * from './transaction-signature.js';
export * from './trc20-reads.js';
export * from './wait-for-transaction-info.js';
