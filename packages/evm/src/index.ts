// @x402kit/evm: the `exact` scheme on EVM chains (EIP-3009), its three roles, and the relayer.

export { addressKey, isEvmAddress, sameAddress } from './address.js';
export type { ReadTokenBalance, SufficientBalancePolicyOptions } from './balance-policy.js';
export { sufficientBalancePolicy } from './balance-policy.js';
export { EvmConfigError } from './config-error.js';
export type { Eip3009Domain, ExactEvmAuthorization, ExactEvmPayload } from './eip3009.js';
export {
  buildEip3009Domain,
  buildTransferWithAuthorizationTypedData,
  eip3009Abi,
  transferWithAuthorizationTypes,
} from './eip3009.js';
export type { EvmNetwork, EvmNetworkOptions, TokenFacts } from './evm-network.js';
export { createEvmNetwork } from './evm-network.js';
export type { EvmReason } from './evm-reasons.js';
export { EvmReasons } from './evm-reasons.js';
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
export type {
  ExactEvmFacilitator,
  ExactEvmFacilitatorNetwork,
  ExactEvmFacilitatorOptions,
} from './exact/facilitator.js';
export { createExactEvmFacilitator } from './exact/facilitator.js';
export type { EvmBatchingOptions } from './exact/facilitator-options.js';
export type { PayloadReading, ReadExactEvmPayload } from './exact/payload.js';
export { readExactEvmPayload } from './exact/payload.js';
export type { ExactEvmMoneyParser, ExactEvmServerOptions } from './exact/server.js';
export { createExactEvmServer } from './exact/server.js';
export type { ExactEvmSettleContext, ExactEvmSettleOptions } from './exact/settle.js';
export { settleExactEvmPayment } from './exact/settle.js';
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
export { bumpFees } from './relayer/bump-fees.js';
export type { FailoverTransportOptions } from './relayer/failover-transport.js';
export { failover } from './relayer/failover-transport.js';
export type { FeeOracle, FeeOracleOptions, GasFees } from './relayer/fee-oracle.js';
export { createFeeOracle } from './relayer/fee-oracle.js';
export type { NonceManager, NonceManagerOptions } from './relayer/nonce-manager.js';
export { createNonceManager } from './relayer/nonce-manager.js';
export type { RelayedCall, SettlementBatcher } from './relayer/relayed-call.js';
export type { Relayer, RelayerOptions } from './relayer/relayer.js';
export { createRelayer, RelayerSendError } from './relayer/relayer.js';
export type { SettlementBatcherOptions } from './relayer/settlement-batcher.js';
export { createSettlementBatcher } from './relayer/settlement-batcher.js';
export type { ReceiptSummary, WaitForReceiptOptions } from './relayer/wait-for-receipt.js';
export { waitForReceipt } from './relayer/wait-for-receipt.js';
export type { WatchedTransaction, WatchTransactionOptions } from './relayer/watch-transaction.js';
export { watchTransaction } from './relayer/watch-transaction.js';
export * from './upto/index.js';
