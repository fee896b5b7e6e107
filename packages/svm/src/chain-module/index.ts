// The Solana chain module of the facilitator service, and its parts.
export type { FailoverRpc, FailoverRpcOptions } from './failover-rpc.js';
export { createFailoverRpc } from './failover-rpc.js';
export { identifyExactSvm, SOLANA_SIGNATURE_NONCE } from './identify-exact-svm.js';
export type { ExactSvmReconcileRpc, ExactSvmReconcilerOptions } from './reconcile-exact-svm.js';
export { createExactSvmReconciler } from './reconcile-exact-svm.js';
export type { SolanaConfig, SvmSections } from './solana-config.js';
export { svmChain } from './svm-chain.js';
