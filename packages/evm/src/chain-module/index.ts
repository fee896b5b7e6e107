// @x402kit/evm/chain-module: the EVM chain as the facilitator service sees it, and its pieces.
export * from './create-evm-facilitator.js';
export * from './create-evm-schemes.js';
export { evmChain } from './evm-chain.js';
export type { EvmFeesConfig, EvmNetworksConfig, EvmSections, EvmSettings } from './evm-sections.js';
export * from './fee-policy.js';
export * from './identify-evm-payment.js';
export * from './identify-exact-evm.js';
export * from './reconcile-evm-receipt.js';
export * from './reconcile-exact-evm.js';
export * from './reconcile-exact-permit-evm.js';
export * from './reconcile-permit2.js';
export * from './request-evm-chain-id.js';
