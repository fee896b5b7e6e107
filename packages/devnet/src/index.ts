// @x402kit/devnet: local chains (EVM, TRON, Solana) for x402 tests and demos.
export * from './accounts.js';
export type { AnvilProcess, StartAnvilOptions } from './anvil.js';
export { startAnvil } from './anvil.js';
export * from './batch-settlement.js';
export * from './confirm-transaction.js';
export * from './copy-contract.js';
export type { Devnet, DevnetConfig, DevnetDescription, StartDevnetOptions } from './devnet.js';
export { startDevnet } from './devnet.js';
export * from './devnet-chain.js';
export type { DevnetClient } from './devnet-client.js';
export { createDevnetClient } from './devnet-client.js';
export * from './devnet-contracts.js';
export * from './devnet-reasons.js';
export * from './erc20-tokens.js';
export * from './errors.js';
// GasFree
export * from './gasfree/index.js';
export {
  eip2612TokenArtifact,
  eip3009TokenArtifact,
  erc3009DepositCollectorArtifact,
  gasFreeAccountArtifact,
  gasFreeControllerArtifact,
  paymentPermitArtifact,
  permit2CreationCode,
  permit2DepositCollectorArtifact,
  plainErc20TokenArtifact,
  smartWalletArtifact,
  smartWalletFactoryArtifact,
  x402BatchSettlementArtifact,
  x402ExactPermit2ProxyArtifact,
  x402UptoPermit2ProxyArtifact,
} from './generated/contracts.js';
export * from './mint-tokens.js';
export * from './mint-with.js';
export { MULTICALL3_ADDRESS, placeMulticall3 } from './multicall3.js';
export * from './payment-permit.js';
export type { PlacePermit2Parameters } from './permit2.js';
export { PERMIT2_ADDRESS, permit2DomainSeparator, placePermit2 } from './permit2.js';
export * from './permit2-proxies.js';
export * from './place-erc20-token.js';
export * from './place-token.js';
export * from './read-token-balance.js';
export * from './runtime-code.js';
export * from './smart-wallet.js';
// Solana
export * from './solana/solana-accounts.js';
export type { SolanaExecution, SolanaSignatureStatus } from './solana/solana-chain.js';
export { SolanaChain, SolanaTransactionRejected } from './solana/solana-chain.js';
export { SolanaRpcError } from './solana/solana-rpc-errors.js';
export * from './solana/solana-rpc-server.js';
export type { SolanaTokenProgram } from './solana/solana-tokens.js';
export {
  associatedTokenAccount,
  SOLANA_DEVNET_PYUSD_DECIMALS,
  SOLANA_DEVNET_PYUSD_MINT,
  SOLANA_DEVNET_USDC_DECIMALS,
  SOLANA_DEVNET_USDC_MINT,
  TOKEN_2022_PROGRAM_ADDRESS,
} from './solana/solana-tokens.js';
export * from './solana/start-solana-devnet.js';
export * from './start-devnets.js';
// TRON
export * from './tron/start-tron-devnet.js';
export * from './tron/tron-address.js';
export * from './tron/tron-balances.js';
export type {
  TronDevnetGasFree,
  TronDevnetGasFreeDescription,
  TronDevnetGasFreeOptions,
} from './tron/tron-gasfree.js';
export * from './tron/tron-nile.js';
export * from './tron/tron-node.js';
