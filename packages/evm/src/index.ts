// @x402kit/evm: the `exact` scheme on EVM chains (EIP-3009), its three roles, and the relayer.

export {
  AUTHORIZATION_LIFETIME_SKEW_SECONDS,
  authorizationTooFar,
  latestAuthorizationExpiry,
} from '@x402kit/core';
export { addressKey, isEvmAddress, sameAddress } from './address.js';
export type { ReadTokenBalance, SufficientBalancePolicyOptions } from './balance-policy.js';
export { requiredBalance, sufficientBalancePolicy } from './balance-policy.js';
export { EvmConfigError } from './config-error.js';
export type { Eip3009Domain, ExactEvmAuthorization, ExactEvmPayload } from './eip3009.js';
export {
  buildEip3009Domain,
  buildTransferWithAuthorizationTypedData,
  eip3009Abi,
  transferWithAuthorizationTypes,
} from './eip3009.js';
export { errorText, isTimeoutError } from './error-text.js';
export type { EvmNetwork, EvmNetworkOptions, TokenFacts } from './evm-network.js';
export { createEvmNetwork, TOKEN_FACTS_TTL_MS } from './evm-network.js';
export type { EvmReason } from './evm-reasons.js';
export { EvmReasons } from './evm-reasons.js';
export type {
  ExactEvmClientOptions,
  ExactEvmSigner,
  ExactEvmSigningRequirements,
  SignExactEvmAuthorizationOptions,
} from './exact/client.js';
export { createAuthorizationNonce, createExactEvmClient, signExactEvmAuthorization } from './exact/client.js';
export type {
  DeploymentSponsor,
  Erc6492Deployment,
  Erc6492Factories,
  Erc6492FactoriesOption,
} from './exact/erc6492-deployment.js';
export { ERC6492_DEPLOY_GAS_LIMIT, parseErc6492Factories } from './exact/erc6492-deployment.js';
export type {
  ExactEvmFacilitator,
  ExactEvmFacilitatorNetwork,
  ExactEvmFacilitatorOptions,
} from './exact/facilitator.js';
export { createExactEvmFacilitator } from './exact/facilitator.js';
export type { EvmBatchingOptions } from './exact/facilitator-options.js';
export type { PayloadReading, ReadExactEvmPayload } from './exact/payload.js';
export { normalizeExactEvmPayload, payerOf, readExactEvmPayload } from './exact/payload.js';
export type { ExactEvmMoneyParser, ExactEvmServerOptions } from './exact/server.js';
export { createExactEvmServer } from './exact/server.js';
export type { ExactEvmSettleContext, ExactEvmSettleOptions } from './exact/settle.js';
export { settleExactEvmPayment } from './exact/settle.js';
export type { SignatureVerdict } from './exact/signature.js';
export {
  byteLength,
  EIP6492_FACTORY_NOT_ALLOWED,
  isHexBytes,
  verifyAuthorizationSignature,
} from './exact/signature.js';
export type { SimulationResult } from './exact/simulation.js';
export {
  diagnoseSimulationFailure,
  encodeTransferWithAuthorization,
  simulateTransfer,
} from './exact/simulation.js';
export { transferErrorReason } from './exact/transfer-error-reason.js';
export type {
  ExactEvmVerifyContext,
  ExactEvmVerifyOptions,
  ExactEvmVerifyOutcome,
  VerifiedExactEvmPayment,
} from './exact/verify.js';
export { VALID_BEFORE_MARGIN_SECONDS, verifyExactEvmPayment } from './exact/verify.js';
export * from './exact-permit/index.js';
export type {
  GasSponsorBudget,
  GasSponsorKind,
  GasSponsorLimits,
  GasSponsorReservation,
  GasSponsorSpend,
  SponsoredPayment,
} from './gas-sponsor-budget.js';
export {
  createMemoryGasSponsorBudget,
  DEFAULT_GAS_SPONSOR_LIMITS,
  GAS_SPONSOR_WINDOW_MS,
  gasSponsorLimits,
  judgeGasSponsorSpend,
} from './gas-sponsor-budget.js';
export { MULTICALL3_ADDRESS } from './multicall3.js';
export * from './permit2/index.js';
export { bumpFees } from './relayer/bump-fees.js';
export type { FailoverTransportOptions } from './relayer/failover-transport.js';
export { failover, isTransportFailure } from './relayer/failover-transport.js';
export type { FeeOracle, FeeOracleOptions, GasFees } from './relayer/fee-oracle.js';
export { createFeeOracle } from './relayer/fee-oracle.js';
export type { NonceManager, NonceManagerOptions } from './relayer/nonce-manager.js';
export { createNonceManager } from './relayer/nonce-manager.js';
export type { RelayedCall, SettlementBatcher } from './relayer/relayed-call.js';
export type { Relayer, RelayerOptions } from './relayer/relayer.js';
export { createRelayer, RelayerSendError } from './relayer/relayer.js';
export type { SettlementBatcherOptions } from './relayer/settlement-batcher.js';
export { BATCH_MULTICALL3_ADDRESS, createSettlementBatcher } from './relayer/settlement-batcher.js';
export type { ReceiptSummary, WaitForReceiptOptions } from './relayer/wait-for-receipt.js';
export { waitForReceipt } from './relayer/wait-for-receipt.js';
export type { WatchedTransaction, WatchTransactionOptions } from './relayer/watch-transaction.js';
export { watchTransaction } from './relayer/watch-transaction.js';
export * from './upto/index.js';
