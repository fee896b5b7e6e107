// @x402kit/evm/chain-module: the EVM chain as the facilitator service sees it, and its pieces.
export type { EvmFacilitator, EvmFacilitatorOptions } from './create-evm-facilitator.js';
export { createEvmFacilitator } from './create-evm-facilitator.js';
export type { EvmSchemes, EvmSchemesOptions } from './create-evm-schemes.js';
export { createEvmSchemes } from './create-evm-schemes.js';
export { evmChain, startEvmChain } from './evm-chain.js';
export { createEvmClients } from './evm-clients.js';
export type {
  EvmFeesConfig,
  EvmNetworksConfig,
  EvmSections,
  EvmSettings,
} from './evm-sections.js';
export { EVM_SECTIONS, EvmNetworksSchema, EvmSettingsSchema, evmEnvOverrides } from './evm-sections.js';
export type { FeePolicy, FeePolicyConfig, FlatFee } from './fee-policy.js';
export { createFlatFeePolicy, FeePolicyError, FeePolicySchema } from './fee-policy.js';
export type { EvmAuthorization, FindEvmSettlementOptions } from './find-evm-settlement.js';
export { findEvmSettlement } from './find-evm-settlement.js';
export { identifyEvmPayment } from './identify-evm-payment.js';
export { identifyExactEvm } from './identify-exact-evm.js';
export { probeEvmNetwork } from './probe-evm-network.js';
export { readEvmRelayers } from './read-evm-relayers.js';
export type { EvmReceiptReconcilerOptions } from './reconcile-evm-receipt.js';
export { createEvmReceiptReconciler } from './reconcile-evm-receipt.js';
export type { ExactEvmReconcilerOptions } from './reconcile-exact-evm.js';
export { createExactEvmReconciler } from './reconcile-exact-evm.js';
export type { ExactPermitEvmReconcilerOptions } from './reconcile-exact-permit-evm.js';
export { createExactPermitEvmReconciler } from './reconcile-exact-permit-evm.js';
export type { Permit2ReconcilerOptions } from './reconcile-permit2.js';
export { createPermit2Reconciler } from './reconcile-permit2.js';
export { type EvmChainIdAnswer, requestEvmChainId } from './request-evm-chain-id.js';
