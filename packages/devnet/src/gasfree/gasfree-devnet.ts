import type { Address, Chain, Hash } from 'viem';
import { DEVNET_ACCOUNTS } from '../accounts.js';
import { startAnvil } from '../anvil.js';
import { devnetChain } from '../devnet-chain.js';
import type { DevnetClient } from '../devnet-client.js';
import { createDevnetClient } from '../devnet-client.js';
import { placeErc20Token } from '../place-erc20-token.js';
import type { GasFreeService } from './gasfree-service.js';
import type { GasFreeStackServiceOptions } from './gasfree-stack.js';
import { startGasFreeStack } from './gasfree-stack.js';
import type { GasFreeServiceToken } from './gasfree-submit.js';

/** TRON Nile's chain id (`block.chainid` and the TIP-712 `chainId`). */
export const GASFREE_NILE_CHAIN_ID = 3448148188;

/** Nile USDT (`TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf`) as 20-byte hex; {@link startGasFreeDevnet} puts a USDT-like token here. */
export const GASFREE_NILE_USDT_ADDRESS: Address = '0xECa9bC828A3005B9a3b909f2cc5c2a54794DE05F';

/** Options of {@link startGasFreeDevnet}. */
export interface StartGasFreeDevnetOptions {
  /** Default {@link GASFREE_NILE_CHAIN_ID}. */
  chainId?: number;
  /** Default: USDT at {@link GASFREE_NILE_USDT_ADDRESS}, 6 decimals, activateFee 1 USDT, transferFee 0.1 USDT. */
  token?: GasFreeServiceToken;
  /** Provider account indexes of the devnet mnemonic; default `[7]`. */
  providerIndexes?: readonly number[];
  /** Passed to {@link startGasFreeService} (auth, base path, provider limits, faults, timing, port). */
  service?: GasFreeStackServiceOptions;
  log?: (line: string) => void;
}

/** A chain with our GasFreeController and a USDT-like token, and a local GasFree service over it. */
export interface GasFreeDevnet {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly chain: Chain;
  readonly client: DevnetClient;
  readonly controller: Address;
  readonly token: GasFreeServiceToken;
  readonly service: GasFreeService;
  /** Mints `amount` of the token to `user`'s GasFree account address (deployed or not). */
  fund(user: Address, amount: bigint): Promise<Hash>;
  /** The GasFree account address of `user` on this chain (ordinary CREATE2, see `gasFreeAccountAddress`). */
  gasFreeAddressOf(user: Address): Address;
  /**
   * Another local GasFree service on this chain, over the same controller, providers and token (for example one
   * that requires API keys beside the open one); the caller stops it, before {@link GasFreeDevnet.stop}.
   */
  startService(options?: GasFreeStackServiceOptions): Promise<GasFreeService>;
  /** Stops the service and anvil. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts anvil (chain id of TRON Nile by default), places a USDT-like token that returns no bool at Nile USDT's
 * address and our GasFreeController at Nile's controller address, registers the provider(s), and starts the
 * local GasFree service: everything a GasFree client or the exact_gasfree scheme needs, offline.
 *
 * @example
 * ```ts
 * const gasfree = await startGasFreeDevnet();
 * await gasfree.fund(payer.address, 10_000_000n);
 * const client = createGasFreeApiClient({ baseUrl: gasfree.service.baseUrl });
 * await gasfree.stop();
 * ```
 */
export async function startGasFreeDevnet(options: StartGasFreeDevnetOptions = {}): Promise<GasFreeDevnet> {
  const chainId = options.chainId ?? GASFREE_NILE_CHAIN_ID;
  const token: GasFreeServiceToken = options.token ?? {
    address: GASFREE_NILE_USDT_ADDRESS,
    symbol: 'USDT',
    decimals: 6,
    activateFee: 1_000_000n,
    transferFee: 100_000n,
  };
  const anvil = await startAnvil({ chainId, log: options.log });
  try {
    const chain = devnetChain({ chainId, rpcUrl: anvil.rpcUrl });
    const client = createDevnetClient(chain);
    const owner = DEVNET_ACCOUNTS.deployer.address;
    options.log?.('gasfree: placing the token');
    await placeErc20Token(client, {
      token: {
        kind: 'erc20',
        address: token.address,
        name: token.symbol === 'USDT' ? 'Tether USD' : token.symbol,
        symbol: token.symbol,
        decimals: token.decimals,
        returnsBool: false,
      },
      owner,
    });
    const stack = await startGasFreeStack({
      client,
      rpcUrl: anvil.rpcUrl,
      owner,
      token,
      ...(options.providerIndexes ? { providerIndexes: options.providerIndexes } : {}),
      ...(options.service ? { service: options.service } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    let stopping: Promise<void> | undefined;
    return {
      rpcUrl: anvil.rpcUrl,
      chainId,
      chain,
      client,
      controller: stack.controller,
      token,
      service: stack.service,
      fund: stack.fund,
      gasFreeAddressOf: stack.gasFreeAddressOf,
      startService: stack.startService,
      stop() {
        stopping ??= stack.service.stop().finally(() => anvil.stop());
        return stopping;
      },
    };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
