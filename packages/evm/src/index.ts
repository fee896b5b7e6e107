// @x402kit/evm: the `exact` scheme on EVM chains (EIP-3009), its three roles, and the relayer.

export * from './address.js';
export type { ReadTokenBalance, SufficientBalancePolicyOptions } from './balance-policy.js';
export { sufficientBalancePolicy } from './balance-policy.js';
export * from './config-error.js';
export * from './eip3009.js';
export type { EvmNetwork, EvmNetworkOptions, TokenFacts } from './evm-network.js';
export { createEvmNetwork } from './evm-network.js';
export * from './evm-reasons.js';
export type {
  ExactEvmClientOptions,
  ExactEvmSigner,
  ExactEvmSigningRequirements,
  SignExactEvmAuthorizationOptions,
} from './exact/client.js';
export { createExactEvmClient, signExactEvmAuthorization } from './exact/client.js';
export type {
  DeploymentSponsor,
  Erc6492Deployment,
  Erc6492Factories,
  Erc6492FactoriesOption,
} from './exact/erc6492-deployment.js';
export { parseErc6492Factories } from './exact/erc6492-deployment.js';
export * from './exact/facilitator.js';
export type { EvmBatchingOptions } from './exact/facilitator-options.js';
export type { PayloadReading, ReadExactEvmPayload } from './exact/payload.js';
export { readExactEvmPayload } from './exact/payload.js';
export * from './exact/server.js';
export * from './exact/settle.js';
export { EIP6492_FACTORY_NOT_ALLOWED } from './exact/signature.js';
export type {
  ExactEvmVerifyContext,
  ExactEvmVerifyOptions,
  ExactEvmVerifyOutcome,
  VerifiedExactEvmPayment,
} from './exact/verify.js';
export { verifyExactEvmPayment } from './exact/verify.js';
export * from './exact-permit/index.js';
export type {
  GasSponsorBudget,
  GasSponsorKind,
  GasSponsorLimits,
  GasSponsorReservation,
  GasSponsorSpend,
  SponsoredPayment,
} from './gas-sponsor-budget.js';
export { createMemoryGasSponsorBudget } from './gas-sponsor-budget.js';
export * from './permit2/index.js';
export * from './relayer/bump-fees.js';
export type { FailoverTransportOptions } from './relayer/failover-transport.js';
export { failover } from './relayer/failover-transport.js';
export * from './relayer/fee-oracle.js';
export * from './relayer/nonce-manager.js';
export type { RelayedCall, SettlementBatcher } from './relayer/relayed-call.js';
export * from './relayer/relayer.js';
export type { SettlementBatcherOptions } from './relayer/settlement-batcher.js';
export { createSettlementBatcher } from './relayer/settlement-batcher.js';
export type { ReceiptSummary, WaitForReceiptOptions } from './relayer/wait-for-receipt.js';
export { waitForReceipt } from './relayer/wait-for-receipt.js';
export * from './relayer/watch-transaction.js';
export type { SiwxChainClient } from './siwx-verifier.js';
export { createEvmSiwxVerifier } from './siwx-verifier.js';
export * from './upto/index.js';
