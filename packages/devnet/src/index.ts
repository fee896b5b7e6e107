// @x402kit/devnet: a local EVM chain for x402 tests and demos.
export type { DevnetAccount } from './accounts.js';
export {
  ANVIL_FUNDED_ACCOUNTS,
  DEVNET_ACCOUNTS,
  DEVNET_MNEMONIC,
  devnetAccount,
  FIRST_EXTRA_PAYER_INDEX,
} from './accounts.js';
export type { AnvilProcess, StartAnvilOptions } from './anvil.js';
export { anvilBinaryPath, startAnvil } from './anvil.js';
export type { ConfirmTransactionOptions } from './confirm-transaction.js';
export { confirmTransaction } from './confirm-transaction.js';
export type { CopyContractParameters, StorageVariableLayout } from './copy-contract.js';
export { copyContract } from './copy-contract.js';
export type { Devnet, DevnetDescription, StartDevnetOptions } from './devnet.js';
export { startDevnet } from './devnet.js';
export type { DevnetChainParameters } from './devnet-chain.js';
export { devnetChain } from './devnet-chain.js';
export type { DevnetClient } from './devnet-client.js';
export { createDevnetClient, DEVNET_POLLING_INTERVAL_MS } from './devnet-client.js';
export { AnvilStartError, DevnetOptionsError, DevnetSetupError } from './errors.js';
export { eip3009TokenArtifact } from './generated/contracts.js';
export type { MintWithParameters } from './mint-tokens.js';
export { mintTokens, mintWith } from './mint-tokens.js';
export { MULTICALL3_ADDRESS, multicall3CreationCode, placeMulticall3 } from './multicall3.js';
export type { DevnetToken, PlaceTokenParameters } from './place-token.js';
export { DEFAULT_DEVNET_TOKEN, placeToken } from './place-token.js';
export { readTokenBalance } from './read-token-balance.js';
