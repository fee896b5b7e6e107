// @x402kit/devnet: local chains (EVM, TRON, Solana) for x402 tests and demos.
export type { DevnetAccount } from './accounts.js';
export {
  ANVIL_FUNDED_ACCOUNTS,
  DEVNET_ACCOUNTS,
  DEVNET_MNEMONIC,
  devnetAccount,
  FIRST_EXTRA_PAYER_INDEX,
} from './accounts.js';
export type { AnvilProcess, StartAnvilOptions } from './anvil.js';
export { startAnvil } from './anvil.js';
export type { ConfirmTransactionOptions } from './confirm-transaction.js';
export { confirmTransaction } from './confirm-transaction.js';
export type { CopyContractParameters, StorageVariableLayout } from './copy-contract.js';
export { copyContract } from './copy-contract.js';
export type { Devnet, DevnetConfig, DevnetDescription, StartDevnetOptions } from './devnet.js';
export { startDevnet } from './devnet.js';
export type { DevnetChainParameters } from './devnet-chain.js';
export { devnetChain } from './devnet-chain.js';
export type { DevnetClient } from './devnet-client.js';
export { createDevnetClient } from './devnet-client.js';
export type { DevnetContracts, PlaceDevnetContractsParameters } from './devnet-contracts.js';
export { placeDevnetContracts } from './devnet-contracts.js';
export type { DevnetReason } from './devnet-reasons.js';
export { DevnetReasons } from './devnet-reasons.js';
export type { Eip2612TokenSpec, Erc20TokenSpec, PlainErc20TokenSpec } from './erc20-tokens.js';
export {
  BSC_TESTNET_USDT_ADDRESS,
  BSC_USDT_ADDRESS,
  bscUsdtToken,
  DEVNET_PERMIT_TOKEN,
  DEVNET_PERMIT_TOKEN_ADDRESS,
  DEVNET_PLAIN_TOKEN,
  DEVNET_PLAIN_TOKEN_ADDRESS,
} from './erc20-tokens.js';
export { AnvilStartError, DevnetOptionsError, DevnetSetupError } from './errors.js';
// GasFree
export * from './gasfree/index.js';
export {
  eip2612TokenArtifact,
  eip3009TokenArtifact,
  gasFreeAccountArtifact,
  gasFreeControllerArtifact,
  paymentPermitArtifact,
  permit2CreationCode,
  plainErc20TokenArtifact,
  smartWalletArtifact,
  smartWalletFactoryArtifact,
  x402ExactPermit2ProxyArtifact,
  x402UptoPermit2ProxyArtifact,
} from './generated/contracts.js';
export { mintTokens } from './mint-tokens.js';
export type { MintWithParameters } from './mint-with.js';
export { mintWith } from './mint-with.js';
export { MULTICALL3_ADDRESS, placeMulticall3 } from './multicall3.js';
export { PAYMENT_PERMIT_ADDRESS, PAYMENT_PERMIT_CHAIN_IDS, placePaymentPermit } from './payment-permit.js';
export type { PlacePermit2Parameters } from './permit2.js';
export { PERMIT2_ADDRESS, permit2DomainSeparator, placePermit2 } from './permit2.js';
export {
  placePermit2Proxies,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
  X402_UPTO_PERMIT2_PROXY_ADDRESS,
} from './permit2-proxies.js';
export type { PlaceErc20TokenParameters } from './place-erc20-token.js';
export { placeErc20Token } from './place-erc20-token.js';
export type { DevnetToken, PlaceTokenParameters } from './place-token.js';
export { DEFAULT_DEVNET_TOKEN, placeToken } from './place-token.js';
export { readTokenBalance } from './read-token-balance.js';
export type { PlaceRuntimeCodeParameters } from './runtime-code.js';
export { placeRuntimeCode } from './runtime-code.js';
export type { SmartWalletParameters } from './smart-wallet.js';
export {
  erc6492Signature,
  placeSmartWalletFactory,
  SMART_WALLET_FACTORY_ADDRESS,
  smartWalletAddress,
  smartWalletDeployData,
} from './smart-wallet.js';
// Solana
export type { SolanaDevnetAccount, SolanaDevnetRole } from './solana/solana-accounts.js';
export { solanaDevnetAccount, solanaDevnetSigner } from './solana/solana-accounts.js';
export type { SolanaExecution, SolanaSignatureStatus } from './solana/solana-chain.js';
export { SolanaChain, SolanaTransactionRejected } from './solana/solana-chain.js';
export { SolanaRpcError } from './solana/solana-rpc-errors.js';
export type { SolanaRpcServer, StartSolanaRpcServerOptions } from './solana/solana-rpc-server.js';
export { startSolanaRpcServer } from './solana/solana-rpc-server.js';
export type { SolanaTokenProgram } from './solana/solana-tokens.js';
export {
  associatedTokenAccount,
  SOLANA_DEVNET_PYUSD_DECIMALS,
  SOLANA_DEVNET_PYUSD_MINT,
  SOLANA_DEVNET_USDC_DECIMALS,
  SOLANA_DEVNET_USDC_MINT,
  TOKEN_2022_PROGRAM_ADDRESS,
} from './solana/solana-tokens.js';
export type {
  SolanaDevnet,
  SolanaDevnetAccountWithToken,
  SolanaDevnetDescription,
  StartSolanaDevnetOptions,
} from './solana/start-solana-devnet.js';
export {
  SOLANA_DEVNET_GENESIS_HASH,
  SOLANA_DEVNET_NETWORK,
  SOLANA_DEVNET_V1_NAME,
  startSolanaDevnet,
} from './solana/start-solana-devnet.js';
export type {
  DevnetAsset,
  DevnetChainDescription,
  DevnetChainInstance,
  DevnetChainOptions,
  MultiDevnet,
  MultiDevnetDescription,
  StartDevnetsOptions,
} from './start-devnets.js';
export { startDevnets } from './start-devnets.js';
// TRON
export type {
  StartTronDevnetOptions,
  TronDevnet,
  TronDevnetAccount,
  TronDevnetAsset,
  TronDevnetDescription,
} from './tron/start-tron-devnet.js';
export { startTronDevnet, tronDevnetAccount, tronUsdtTokenArtifact } from './tron/start-tron-devnet.js';
export {
  isTronAddress,
  parseTronOrEvmAddress,
  TronAddressError,
  tronAddressToBase58,
  tronAddressToEvm,
  tronAddressToHex,
} from './tron/tron-address.js';
export { readTronBalance } from './tron/tron-balances.js';
export type {
  TronDevnetGasFree,
  TronDevnetGasFreeDescription,
  TronDevnetGasFreeOptions,
} from './tron/tron-gasfree.js';
export {
  DEFAULT_ENERGY_PRICE_SUN,
  MAX_FEE_LIMIT_SUN,
  NILE_PAYMENT_PERMIT_ADDRESS,
  NILE_USDD_ADDRESS,
  NILE_USDT_ADDRESS,
  TRON_NILE_CHAIN_ID,
  TRON_NILE_NETWORK,
  WEI_PER_SUN,
} from './tron/tron-nile.js';
export type { StartTronNodeOptions, TronNode } from './tron/tron-node.js';
export { startTronNode } from './tron/tron-node.js';
