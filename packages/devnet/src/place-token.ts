import type { Address } from 'viem';
import { domainSeparator, getAddress, isAddressEqual } from 'viem';
import { confirmTransaction } from './confirm-transaction.js';
import { copyContract } from './copy-contract.js';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';
import { eip3009TokenArtifact } from './generated/contracts.js';

/** The token a devnet places: where it lives and its ERC-20 / EIP-712 metadata. */
export interface DevnetToken {
  /** Address the token is placed at (typically the real token's address on the chain being imitated). */
  readonly address: Address;
  /** ERC-20 `name()`, also the EIP-712 domain name; at most 31 bytes (OpenZeppelin 5 EIP712 limit). */
  readonly name: string;
  /** EIP-712 domain version, also returned by `version()`; at most 31 bytes. */
  readonly version: string;
  readonly symbol: string;
  readonly decimals: number;
}

/**
 * Base Sepolia USDC as x402 clients expect it: `0x036CbD53842c5426634e7929541eC2318f3dCF7e`, EIP-712 domain
 * `{ name: "USDC", version: "2" }`, 6 decimals.
 *
 * @example
 * ```ts
 * const devnet = await startDevnet({ token: { ...DEFAULT_DEVNET_TOKEN, symbol: 'USDC' } });
 * ```
 */
export const DEFAULT_DEVNET_TOKEN: DevnetToken = {
  address: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  name: 'USDC',
  version: '2',
  symbol: 'USDC',
  decimals: 6,
};

/** Parameters of {@link placeToken}. */
export interface PlaceTokenParameters {
  token: DevnetToken;
  /** Deploys the token and becomes its owner (the only minter); must be an unlocked anvil account. */
  owner: Address;
  /** Mine each transaction right away (for chains started with interval mining). */
  mineNow?: boolean;
}

/**
 * Deploys `Eip3009Token` with the token's metadata, moves it (code and constructor-written storage) to
 * `token.address`, and checks that `name()`, `symbol()`, `version()`, `decimals()`, `owner()` and
 * `DOMAIN_SEPARATOR()` there are what a client signing for that address and chain expects.
 *
 * @example
 * ```ts
 * await placeToken(client, { token: DEFAULT_DEVNET_TOKEN, owner: DEVNET_ACCOUNTS.deployer.address });
 * ```
 */
export async function placeToken(client: DevnetClient, parameters: PlaceTokenParameters): Promise<void> {
  const { token, owner, mineNow } = parameters;
  const target = getAddress(token.address);
  const hash = await client.deployContract({
    abi: eip3009TokenArtifact.abi,
    bytecode: eip3009TokenArtifact.bytecode,
    args: [token.name, token.symbol, token.version, token.decimals, owner],
    account: owner,
    chain: client.chain,
  });
  const receipt = await confirmTransaction(client, hash, { mineNow, step: 'token.deploy' });
  const deployedAt = receipt.contractAddress;
  if (!deployedAt) throw new DevnetSetupError('token.deploy', `deployment ${hash} created no contract`);
  if (!isAddressEqual(deployedAt, target)) {
    await copyContract(client, {
      from: deployedAt,
      to: target,
      storageLayout: eip3009TokenArtifact.storageLayout,
    });
  }
  await verifyToken(client, { ...token, address: target }, owner);
}

async function verifyToken(client: DevnetClient, token: DevnetToken, owner: Address): Promise<void> {
  const chainId = client.chain.id;
  const read = <const F extends 'name' | 'symbol' | 'version' | 'decimals' | 'owner' | 'DOMAIN_SEPARATOR'>(
    functionName: F,
  ) => client.readContract({ address: token.address, abi: eip3009TokenArtifact.abi, functionName });
  let actual: readonly [string, string, string, number, Address, string];
  try {
    actual = await Promise.all([
      read('name'),
      read('symbol'),
      read('version'),
      read('decimals'),
      read('owner'),
      read('DOMAIN_SEPARATOR'),
    ]);
  } catch (error) {
    throw new DevnetSetupError('token.verify', `the token at ${token.address} does not answer`, {
      cause: error,
    });
  }
  const [name, symbol, version, decimals, actualOwner, separator] = actual;
  const expectedSeparator = domainSeparator({
    domain: { name: token.name, version: token.version, chainId, verifyingContract: token.address },
  });
  const mismatches: string[] = [];
  if (name !== token.name) {
    mismatches.push(`name() is ${JSON.stringify(name)}, expected ${JSON.stringify(token.name)}`);
  }
  if (symbol !== token.symbol) {
    mismatches.push(`symbol() is ${JSON.stringify(symbol)}, expected ${JSON.stringify(token.symbol)}`);
  }
  if (version !== token.version) {
    mismatches.push(`version() is ${JSON.stringify(version)}, expected ${JSON.stringify(token.version)}`);
  }
  if (decimals !== token.decimals) mismatches.push(`decimals() is ${decimals}, expected ${token.decimals}`);
  if (!isAddressEqual(actualOwner, owner)) mismatches.push(`owner() is ${actualOwner}, expected ${owner}`);
  if (separator !== expectedSeparator) {
    mismatches.push(
      `DOMAIN_SEPARATOR() is ${separator}, expected ${expectedSeparator} for ` +
        `{name: ${JSON.stringify(token.name)}, version: ${JSON.stringify(token.version)}, chainId: ${chainId}, ` +
        `verifyingContract: ${token.address}}`,
    );
  }
  if (mismatches.length > 0) {
    throw new DevnetSetupError(
      'token.verify',
      `the token at ${token.address} is wrong: ${mismatches.join('; ')}`,
    );
  }
}
