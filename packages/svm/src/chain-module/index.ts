// The Solana chain module of the facilitator service, and its parts.
export * from './failover-rpc.js';
export * from './identify-exact-svm.js';
export * from './reconcile-exact-svm.js';
export type { SolanaConfig, SvmSections } from './solana-config.js';
export * from './svm-chain.js';
