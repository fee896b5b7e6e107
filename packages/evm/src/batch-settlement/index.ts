// `batch-settlement` on EVM: channels, cumulative vouchers, batched claims. The three roles and the
// shared wire pieces; the SQL and Redis channel stores have entry points of their own.
export * from './abi.js';
export * from './channel.js';
export * from './channel-metrics.js';
export * from './channel-store.js';
export * from './claim-scheduler.js';
export * from './client.js';
export * from './client-channel-storage.js';
export * from './constants.js';
export * from './facilitator.js';
export * from './facilitator-reconcile.js';
export * from './memory-channel-store.js';
export * from './payload.js';
export * from './reasons.js';
export * from './server.js';
export { type ServerReceiverAuthorizer, signClaimBatch, signRefund } from './server-authorizer.js';
