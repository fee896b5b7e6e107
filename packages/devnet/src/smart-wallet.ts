import type { Address, Hex } from 'viem';
import {
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  numberToHex,
  serializeErc6492Signature,
} from 'viem';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';
import { smartWalletArtifact, smartWalletFactoryArtifact } from './generated/contracts.js';
import { placeRuntimeCode } from './runtime-code.js';

/** Where devnets put {@link smartWalletFactoryArtifact} (an address of our choosing, the same on every chain). */
export const SMART_WALLET_FACTORY_ADDRESS: Address = '0x6492649264926492649264926492649264926492';

/** Parameters shared by the smart-wallet helpers: the owner EOA and the CREATE2 salt (default 0). */
export interface SmartWalletParameters {
  owner: Address;
  salt?: bigint;
  /** Default {@link SMART_WALLET_FACTORY_ADDRESS}. */
  factory?: Address;
}

/**
 * The address `SmartWalletFactory.createAccount(owner, salt)` deploys the owner's ERC-1271 wallet to, known
 * before it exists (counterfactual).
 *
 * @example
 * ```ts
 * const wallet = smartWalletAddress({ owner: devnet.accounts.payer.address });
 * ```
 */
export function smartWalletAddress({
  owner,
  salt = 0n,
  factory = SMART_WALLET_FACTORY_ADDRESS,
}: SmartWalletParameters): Address {
  return getContractAddress({
    opcode: 'CREATE2',
    from: factory,
    salt: numberToHex(salt, { size: 32 }),
    bytecode: encodeDeployData({
      abi: smartWalletArtifact.abi,
      bytecode: smartWalletArtifact.bytecode,
      args: [owner],
    }),
  });
}

/**
 * The factory calldata that deploys the owner's wallet: `createAccount(owner, salt)`.
 *
 * @example
 * ```ts
 * await client.sendTransaction({ to: SMART_WALLET_FACTORY_ADDRESS, data: smartWalletDeployData({ owner }) });
 * ```
 */
export function smartWalletDeployData({ owner, salt = 0n }: SmartWalletParameters): Hex {
  return encodeFunctionData({
    abi: smartWalletFactoryArtifact.abi,
    functionName: 'createAccount',
    args: [owner, salt],
  });
}

/**
 * Wraps the owner's signature for a not-yet-deployed wallet in the ERC-6492 format:
 * `abi.encode(factory, createAccount(owner, salt), signature) ++ 0x6492...6492`.
 *
 * @example
 * ```ts
 * const signature = erc6492Signature({ owner: payer.address, signature: await payer.signTypedData(typed) });
 * ```
 */
export function erc6492Signature(parameters: SmartWalletParameters & { signature: Hex }): Hex {
  return serializeErc6492Signature({
    address: parameters.factory ?? SMART_WALLET_FACTORY_ADDRESS,
    data: smartWalletDeployData(parameters),
    signature: parameters.signature,
  });
}

/**
 * Places `SmartWalletFactory` at {@link SMART_WALLET_FACTORY_ADDRESS} and checks its `getAddress` agrees with
 * {@link smartWalletAddress}.
 *
 * @example
 * ```ts
 * await placeSmartWalletFactory(client);
 * ```
 */
export async function placeSmartWalletFactory(client: DevnetClient): Promise<void> {
  await placeRuntimeCode(client, {
    creationCode: smartWalletFactoryArtifact.bytecode,
    address: SMART_WALLET_FACTORY_ADDRESS,
    step: 'smartWalletFactory',
  });
  const probe: Address = '0x000000000000000000000000000000000000dEaD';
  const onChain = await client.readContract({
    address: SMART_WALLET_FACTORY_ADDRESS,
    abi: smartWalletFactoryArtifact.abi,
    functionName: 'getAddress',
    args: [probe, 7n],
  });
  const expected = smartWalletAddress({ owner: probe, salt: 7n });
  if (onChain !== expected) {
    throw new DevnetSetupError(
      'smartWalletFactory.verify',
      `getAddress() is ${onChain}, expected ${expected}`,
    );
  }
}
