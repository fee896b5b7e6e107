import { GASFREE_CONTROLLER_ADDRESSES, gasFreeControllerDomain } from '@x402kit/core';
import type { Address } from 'viem';
import { concat, domainSeparator, encodeAbiParameters, getAddress, getContractAddress, pad } from 'viem';
import { confirmTransaction } from '../confirm-transaction.js';
import type { DevnetClient } from '../devnet-client.js';
import { DevnetSetupError } from '../errors.js';
import { gasFreeAccountArtifact, gasFreeControllerArtifact } from '../generated/contracts.js';
import { placeRuntimeCode } from '../runtime-code.js';
import { tronAddressToEvm } from '../tron/tron-address.js';

/** GasFreeController on TRON Nile (`THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc`) as 20-byte hex; ours can sit there. */
export const GASFREE_CONTROLLER_NILE_ADDRESS: Address = tronAddressToEvm(
  GASFREE_CONTROLLER_ADDRESSES['tron:nile'],
);

/** GasFreeController on TRON mainnet (`TFFAMQLZybALaLb4uxHA9RBE7pxhUAjF3U`) as 20-byte hex. */
export const GASFREE_CONTROLLER_MAINNET_ADDRESS: Address = tronAddressToEvm(
  GASFREE_CONTROLLER_ADDRESSES['tron:mainnet'],
);

// GasFree's PermitTransfer types and domain have their one home in @x402kit/core (the tron scheme signs with them too).
export { GASFREE_PERMIT_TRANSFER_TYPES, gasFreeControllerDomain } from '@x402kit/core';

/** A token the controller accepts, with its fees in the token's smallest unit. */
export interface GasFreeControllerToken {
  address: Address;
  activateFee: bigint;
  transferFee: bigint;
}

/** Parameters of {@link placeGasFreeController}. */
export interface PlaceGasFreeControllerParameters {
  /** Where the controller goes; default {@link GASFREE_CONTROLLER_NILE_ADDRESS}. */
  address?: Address;
  /** Becomes the controller's owner and registers providers and tokens; an unlocked anvil account. */
  owner: Address;
  /** Service providers allowed to call `permitTransfer`. */
  providers: readonly Address[];
  tokens: readonly GasFreeControllerToken[];
}

/**
 * Places our GasFreeController at `address` (its constructor writes no storage), makes `owner` its owner,
 * registers the providers and tokens, and checks its `DOMAIN_SEPARATOR()` for that address and chain.
 *
 * @example
 * ```ts
 * const controller = await placeGasFreeController(client, {
 *   owner: DEVNET_ACCOUNTS.deployer.address,
 *   providers: [devnetAccount(7).address],
 *   tokens: [{ address: usdt, activateFee: 1_000_000n, transferFee: 100_000n }],
 * });
 * ```
 */
export async function placeGasFreeController(
  client: DevnetClient,
  parameters: PlaceGasFreeControllerParameters,
): Promise<Address> {
  const address = getAddress(parameters.address ?? GASFREE_CONTROLLER_NILE_ADDRESS);
  const { owner } = parameters;
  const abi = gasFreeControllerArtifact.abi;
  await placeRuntimeCode(client, {
    creationCode: gasFreeControllerArtifact.bytecode,
    address,
    step: 'gasfree.controller',
  });
  const send = async (hash: `0x${string}`, step: string) => {
    await confirmTransaction(client, hash, { step });
  };
  const base = { address, abi, account: owner, chain: client.chain } as const;
  await send(
    await client.writeContract({ ...base, functionName: 'initialize', args: [owner] }),
    'gasfree.initialize',
  );
  for (const provider of parameters.providers) {
    await send(
      await client.writeContract({ ...base, functionName: 'setProvider', args: [provider, true] }),
      'gasfree.provider',
    );
  }
  for (const token of parameters.tokens) {
    await send(
      await client.writeContract({
        ...base,
        functionName: 'setToken',
        args: [token.address, true, token.activateFee, token.transferFee],
      }),
      'gasfree.token',
    );
  }
  const separator = await client.readContract({ address, abi, functionName: 'DOMAIN_SEPARATOR' });
  const expected = domainSeparator({ domain: gasFreeControllerDomain(client.chain.id, address) });
  if (separator !== expected) {
    throw new DevnetSetupError(
      'gasfree.verify',
      `DOMAIN_SEPARATOR() at ${address} is ${separator}, expected ${expected}`,
    );
  }
  return address;
}

/**
 * Where our controller puts `user`'s GasFree account: ordinary CREATE2 (prefix 0xff) by the controller, salt =
 * the user's address left-padded to 32 bytes, init code = `GasFreeAccount` creation code with `user` as its
 * constructor argument. Same as the contract's `gasFreeAddressOf(user)`. Real GasFree derives with TRON's 0x41
 * prefix and a beacon proxy's init code, so this is not a TRON user's real GasFree address.
 *
 * @example
 * ```ts
 * const account = gasFreeAccountAddress({ controller: GASFREE_CONTROLLER_NILE_ADDRESS, user: payer.address });
 * ```
 */
export function gasFreeAccountAddress({ controller, user }: { controller: Address; user: Address }): Address {
  return getContractAddress({
    opcode: 'CREATE2',
    from: controller,
    salt: pad(user, { size: 32 }),
    bytecode: concat([gasFreeAccountArtifact.bytecode, encodeAbiParameters([{ type: 'address' }], [user])]),
  });
}
