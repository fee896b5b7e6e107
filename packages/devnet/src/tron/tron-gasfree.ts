import type { DevnetClient } from '../devnet-client.js';
import { DevnetOptionsError } from '../errors.js';
import { GASFREE_CONTROLLER_NILE_ADDRESS } from '../gasfree/gasfree-controller.js';
import type { GasFreeService } from '../gasfree/gasfree-service.js';
import type { GasFreeStackServiceOptions } from '../gasfree/gasfree-stack.js';
import { startGasFreeStack } from '../gasfree/gasfree-stack.js';
import type { GasFreeServiceToken } from '../gasfree/gasfree-submit.js';
import { tronAddressToBase58, tronAddressToEvm } from './tron-address.js';
import { NILE_USDT_ADDRESS } from './tron-nile.js';

/** Options of the GasFree part of `startTronDevnet` (`gasFree: {...}`). */
export interface TronDevnetGasFreeOptions {
  /** Provider account indexes of the devnet mnemonic; default `[30]` (outside the ten well-known accounts). */
  providerIndexes?: readonly number[];
  /** USDT activation fee (atomic units); default 1 USDT. */
  activateFee?: bigint;
  /** USDT transfer fee (atomic units); default 0.1 USDT. */
  transferFee?: bigint;
  /** Passed to the local GasFree service (auth, base path, provider limits, faults, timing, port). */
  service?: GasFreeStackServiceOptions;
}

/** JSON-able description of the devnet's GasFree. */
export interface TronDevnetGasFreeDescription {
  /** Base URL of the local GasFree API (`http://127.0.0.1:<port>/nile`). */
  baseUrl: string;
  /** Provider addresses, Base58Check. */
  providers: string[];
  /** GasFreeController (Nile's address), Base58Check. */
  controller: string;
}

/** GasFree on the TRON devnet: our GasFreeController at Nile's address and the local GasFree API over it. */
export interface TronDevnetGasFree {
  readonly baseUrl: string;
  /** Base58Check. */
  readonly providers: readonly string[];
  /** Base58Check (`THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc`). */
  readonly controller: string;
  /** USDT (Base58) with its GasFree fees. */
  readonly token: { readonly address: string; readonly activateFee: bigint; readonly transferFee: bigint };
  readonly service: GasFreeService;
  /** Mints `amount` USDT to the GasFree account of `user` (any TRON address form); resolves the EVM tx hash. */
  fund(user: string, amount: bigint): Promise<string>;
  /** The GasFree account address of `user` (any TRON form), Base58Check. */
  gasFreeAddressOf(user: string): string;
  describe(): TronDevnetGasFreeDescription;
}

/**
 * Puts GasFree on the TRON devnet's anvil (USDT must already be placed): the shared GasFree stack with Nile's
 * controller address, USDT supported with its fees, and the local GasFree service started against it.
 *
 * @example
 * ```ts
 * const gasFree = await startTronDevnetGasFree(client, { rpcUrl, owner, options: {} });
 * await gasFree.fund(payer.address, 5_000_000n);
 * ```
 */
export async function startTronDevnetGasFree(
  client: DevnetClient,
  parameters: {
    rpcUrl: string;
    owner: `0x${string}`;
    options: TronDevnetGasFreeOptions;
    mineNow?: boolean;
    log?: (line: string) => void;
  },
): Promise<TronDevnetGasFree> {
  const { options } = parameters;
  const activateFee = options.activateFee ?? 1_000_000n;
  const transferFee = options.transferFee ?? 100_000n;
  for (const [name, fee] of [
    ['activateFee', activateFee],
    ['transferFee', transferFee],
  ] as const) {
    if (typeof fee !== 'bigint' || fee < 0n)
      throw new DevnetOptionsError(`gasFree.${name}`, 'must be a bigint amount of atomic USDT, 0 or more');
  }
  const token: GasFreeServiceToken = {
    address: tronAddressToEvm(NILE_USDT_ADDRESS),
    symbol: 'USDT',
    decimals: 6,
    activateFee,
    transferFee,
  };
  const stack = await startGasFreeStack({
    client,
    rpcUrl: parameters.rpcUrl,
    owner: parameters.owner,
    token,
    controllerAddress: GASFREE_CONTROLLER_NILE_ADDRESS,
    providerIndexes: options.providerIndexes ?? [30],
    ...(options.service ? { service: options.service } : {}),
    ...(parameters.mineNow ? { mineNow: true } : {}),
    ...(parameters.log ? { log: parameters.log } : {}),
  });
  const description: TronDevnetGasFreeDescription = {
    baseUrl: stack.service.baseUrl,
    providers: stack.providers.map((p) => tronAddressToBase58(p)),
    controller: tronAddressToBase58(stack.controller),
  };
  return {
    baseUrl: description.baseUrl,
    providers: description.providers,
    controller: description.controller,
    token: { address: NILE_USDT_ADDRESS, activateFee, transferFee },
    service: stack.service,
    fund: (user, amount) => stack.fund(tronAddressToEvm(user), amount),
    gasFreeAddressOf: (user) => tronAddressToBase58(stack.gasFreeAddressOf(tronAddressToEvm(user))),
    describe: () => ({ ...description, providers: [...description.providers] }),
  };
}
