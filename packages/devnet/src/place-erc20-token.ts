import type { Address } from 'viem';
import { domainSeparator, getAddress, isAddressEqual } from 'viem';
import { confirmTransaction } from './confirm-transaction.js';
import { copyContract } from './copy-contract.js';
import type { DevnetClient } from './devnet-client.js';
import type { Erc20TokenSpec } from './erc20-tokens.js';
import { DevnetSetupError } from './errors.js';
import { eip2612TokenArtifact, plainErc20TokenArtifact } from './generated/contracts.js';

/** Parameters of {@link placeErc20Token}. */
export interface PlaceErc20TokenParameters {
  token: Erc20TokenSpec;
  /** Deploys the token and becomes its owner (the only minter); an unlocked anvil account. */
  owner: Address;
  mineNow?: boolean;
}

/**
 * Deploys `PlainErc20Token` or `Eip2612Token`, moves it (code and constructor-written storage) to
 * `token.address`, and checks `name()`, `symbol()`, `decimals()` there (and `DOMAIN_SEPARATOR()` for EIP-2612).
 * Mint with `mintWith` (same `mint(address,uint256)` as the EIP-3009 token).
 *
 * @example
 * ```ts
 * await placeErc20Token(client, { token: bscUsdtToken(97), owner: DEVNET_ACCOUNTS.deployer.address });
 * ```
 */
export async function placeErc20Token(
  client: DevnetClient,
  parameters: PlaceErc20TokenParameters,
): Promise<void> {
  const { token, owner, mineNow } = parameters;
  const target = getAddress(token.address);
  const step = `token.${token.symbol}`;
  const hash =
    token.kind === 'eip2612'
      ? await client.deployContract({
          abi: eip2612TokenArtifact.abi,
          bytecode: eip2612TokenArtifact.bytecode,
          args: [token.name, token.symbol, token.version, token.decimals, owner],
          account: owner,
          chain: client.chain,
        })
      : await client.deployContract({
          abi: plainErc20TokenArtifact.abi,
          bytecode: plainErc20TokenArtifact.bytecode,
          args: [token.name, token.symbol, token.decimals, token.returnsBool ?? true, owner],
          account: owner,
          chain: client.chain,
        });
  const receipt = await confirmTransaction(client, hash, { mineNow, step });
  const deployedAt = receipt.contractAddress;
  if (!deployedAt) throw new DevnetSetupError(step, `deployment ${hash} created no contract`);
  if (!isAddressEqual(deployedAt, target)) {
    const storageLayout =
      token.kind === 'eip2612' ? eip2612TokenArtifact.storageLayout : plainErc20TokenArtifact.storageLayout;
    await copyContract(client, { from: deployedAt, to: target, storageLayout });
  }
  const abi = eip2612TokenArtifact.abi; // name/symbol/decimals have the same ABI in both
  const [name, symbol, decimals] = await Promise.all([
    client.readContract({ address: target, abi, functionName: 'name' }),
    client.readContract({ address: target, abi, functionName: 'symbol' }),
    client.readContract({ address: target, abi, functionName: 'decimals' }),
  ]);
  const mismatches: string[] = [];
  if (name !== token.name) mismatches.push(`name() is ${JSON.stringify(name)}`);
  if (symbol !== token.symbol) mismatches.push(`symbol() is ${JSON.stringify(symbol)}`);
  if (decimals !== token.decimals) mismatches.push(`decimals() is ${decimals}`);
  if (token.kind === 'eip2612') {
    const separator = await client.readContract({ address: target, abi, functionName: 'DOMAIN_SEPARATOR' });
    const expected = domainSeparator({
      domain: {
        name: token.name,
        version: token.version,
        chainId: client.chain.id,
        verifyingContract: target,
      },
    });
    if (separator !== expected) mismatches.push(`DOMAIN_SEPARATOR() is ${separator}, expected ${expected}`);
  }
  if (mismatches.length > 0) {
    throw new DevnetSetupError(step, `the token at ${target} is wrong: ${mismatches.join('; ')}`);
  }
}
