import { DEVNET_ACCOUNTS } from '../accounts.js';
import type { AnvilProcess } from '../anvil.js';
import { startAnvil } from '../anvil.js';
import { devnetChain } from '../devnet-chain.js';
import { createDevnetClient } from '../devnet-client.js';
import { DevnetOptionsError } from '../errors.js';
import {
  gasFreeControllerArtifact,
  paymentPermitArtifact,
  plainErc20TokenArtifact,
  tronUsdtTokenArtifact,
} from '../generated/contracts.js';
import { readTronBalance } from './tron-balances.js';
import { toTronAbi } from './tron-contract-abis.js';
import type { TronDevnetAccount, TronDevnetAsset } from './tron-devnet-assets.js';
import { placeTronAssets, tronDevnetAccount, USDD, USDT } from './tron-devnet-assets.js';
import type {
  TronDevnetGasFree,
  TronDevnetGasFreeDescription,
  TronDevnetGasFreeOptions,
} from './tron-gasfree.js';
import { startTronDevnetGasFree } from './tron-gasfree.js';
import {
  DEFAULT_ENERGY_PRICE_SUN,
  NILE_PAYMENT_PERMIT_ADDRESS,
  TRON_NILE_CHAIN_ID,
  TRON_NILE_NETWORK,
  WEI_PER_SUN,
} from './tron-nile.js';
import type { StartTronNodeOptions, TronNode } from './tron-node.js';
import { startTronNode } from './tron-node.js';

export { tronUsdtTokenArtifact } from '../generated/contracts.js';
// The accounts and assets a devnet reports are this module's public types, as before.
export type { TronDevnetAccount, TronDevnetAsset } from './tron-devnet-assets.js';
export { tronDevnetAccount } from './tron-devnet-assets.js';

/** Options of {@link startTronDevnet}. */
export interface StartTronDevnetOptions {
  /** Only Nile for now. */
  network?: 'tron:nile';
  /** Port of the local TRON node (fullHost); `0` or absent picks a free one. */
  port?: number;
  /** Port of the anvil underneath; `0` or absent picks a free one. */
  anvilPort?: number;
  /** Seconds between blocks; absent: a block per transaction (plus an empty block when the head is > 3 s old). */
  blockTime?: number;
  /** Blocks `/walletsolidity/*` lags behind the head (default 0). */
  solidityLag?: number;
  /** SUN per energy (default 100). */
  energyPrice?: bigint;
  /** Whole USDT and USDD minted to each of the ten well-known accounts (default 1000). */
  fundTokensWith?: bigint;
  /** Whole TRX each well-known account holds (default 10000). */
  fundTrxWith?: bigint;
  /**
   * GasFree on the same anvil: our GasFreeController at Nile's `THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc`, a provider,
   * USDT with activateFee/transferFee, and the local GasFree API. On by default; `false` leaves it out.
   */
  gasFree?: false | TronDevnetGasFreeOptions;
  log?: (line: string) => void;
}

/** JSON-able description of a running {@link TronDevnet}. */
export interface TronDevnetDescription {
  network: string;
  chainId: number;
  /** The local TRON node (TronWeb `fullHost`). */
  fullHost: string;
  /** The anvil underneath (EVM JSON-RPC). */
  rpcUrl: string;
  contracts: { paymentPermit: string };
  assets: { USDT: string; USDD: string };
  /** SUN per energy; 1 SUN = 10^12 wei of anvil balance. */
  energyPrice: string;
  weiPerSun: string;
  accounts: Record<'deployer' | 'payer' | 'payTo' | 'facilitator', TronDevnetAccount>;
  allAccounts: TronDevnetAccount[];
  /** Absent when started with `gasFree: false`. */
  gasFree?: TronDevnetGasFreeDescription;
}

/** A running TRON devnet: anvil at Nile's chain id plus the local TRON node. */
export interface TronDevnet {
  readonly network: string;
  readonly chainId: number;
  readonly fullHost: string;
  readonly rpcUrl: string;
  readonly node: TronNode;
  readonly contracts: { readonly paymentPermit: string };
  readonly assets: { readonly USDT: TronDevnetAsset; readonly USDD: TronDevnetAsset };
  readonly accounts: TronDevnetDescription['accounts'];
  /** The ten well-known accounts (indexes 0..9), all funded with TRX, USDT and USDD. */
  readonly allAccounts: readonly TronDevnetAccount[];
  /** GasFree on this chain (controller, providers, local API); absent when started with `gasFree: false`. */
  readonly gasFree?: TronDevnetGasFree;
  /** TRX (in SUN), USDT and USDD (atomic units) of `address`, read from anvil without TronWeb. */
  balances(address: string): Promise<{ TRX: bigint; USDT: bigint; USDD: bigint }>;
  describe(): TronDevnetDescription;
  /** Stops the node and anvil. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts an offline TRON Nile: anvil with chain id 3448148188, our PaymentPermit at Nile's
 * `TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH`, a USDT whose transfers return no bool at `TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf`,
 * USDD (18 decimals) at `TGjgvdTWWrybVLaVeFqSyVqJQWjxqRYbaK`, the ten well-known accounts funded with 10000 TRX
 * (1 SUN = 10^12 wei) and 1000 of each token, and a local TRON node (TronWeb's `fullHost`) in front.
 *
 * @example
 * ```ts
 * const devnet = await startTronDevnet({ log: console.log });
 * const tronWeb = new TronWeb({ fullHost: devnet.fullHost, privateKey: devnet.accounts.payer.privateKey });
 * await devnet.stop();
 * ```
 */
export async function startTronDevnet(options: StartTronDevnetOptions = {}): Promise<TronDevnet> {
  const { network, fundTokensWith, fundTrxWith } = checkTronDevnetOptions(options);
  const { log } = options;
  const started = performance.now();
  const anvil = await startAnvil({
    chainId: TRON_NILE_CHAIN_ID,
    port: options.anvilPort,
    blockTime: options.blockTime,
    log,
  });
  let node: TronNode | undefined;
  let stopGasFree: (() => Promise<void>) | undefined;
  try {
    const client = createDevnetClient(
      devnetChain({ chainId: TRON_NILE_CHAIN_ID, rpcUrl: anvil.rpcUrl, name: 'x402kit TRON Nile devnet' }),
    );
    const mineNow = options.blockTime !== undefined;
    const owner = DEVNET_ACCOUNTS.deployer.address;
    const allAccounts = await placeTronAssets(client, { owner, mineNow, fundTokensWith });
    const gasFree =
      options.gasFree === false
        ? undefined
        : await startTronDevnetGasFree(client, {
            rpcUrl: anvil.rpcUrl,
            owner,
            options: options.gasFree ?? {},
            mineNow,
            ...(log ? { log } : {}),
          });
    stopGasFree = gasFree ? () => gasFree.service.stop() : undefined;
    // Setup gas was paid in wei: give every account exactly `fundTrxWith` TRX.
    await Promise.all(
      allAccounts.map((a) =>
        client.setBalance({ address: a.evmAddress, value: fundTrxWith * 1_000_000n * WEI_PER_SUN }),
      ),
    );
    node = await startTronNode({
      rpcUrl: anvil.rpcUrl,
      chainId: TRON_NILE_CHAIN_ID,
      port: options.port,
      automine: options.blockTime === undefined,
      solidityLag: options.solidityLag,
      energyPrice: options.energyPrice,
      log,
      contracts: tronNodeContracts(gasFree),
    });
    const running = node;
    log?.(
      `tron devnet: ${network} ready in ${Math.round(performance.now() - started)} ms: node ${running.url}, anvil ` +
        `${anvil.rpcUrl}; PaymentPermit ${NILE_PAYMENT_PERMIT_ADDRESS}, USDT ${USDT.address}, USDD ${USDD.address}` +
        (gasFree ? `; GasFree ${gasFree.baseUrl} (controller ${gasFree.controller})` : ''),
    );
    const energyPrice = options.energyPrice ?? DEFAULT_ENERGY_PRICE_SUN;
    return runningTronDevnet({ network, anvil, node: running, allAccounts, gasFree, energyPrice });
  } catch (error) {
    await stopGasFree?.();
    await node?.stop();
    await anvil.stop();
    throw error;
  }
}

/** Checks the network and the funding amounts, in this order. */
function checkTronDevnetOptions(options: StartTronDevnetOptions): {
  network: string;
  fundTokensWith: bigint;
  fundTrxWith: bigint;
} {
  const network = options.network ?? TRON_NILE_NETWORK;
  if (network !== TRON_NILE_NETWORK)
    throw new DevnetOptionsError('network', `must be 'tron:nile' (got ${network})`);
  const fundTokensWith = options.fundTokensWith ?? 1000n;
  const fundTrxWith = options.fundTrxWith ?? 10_000n;
  if (typeof fundTokensWith !== 'bigint' || fundTokensWith < 0n) {
    throw new DevnetOptionsError('fundTokensWith', 'must be a bigint number of whole tokens, 0 or more');
  }
  if (typeof fundTrxWith !== 'bigint' || fundTrxWith < 0n) {
    throw new DevnetOptionsError('fundTrxWith', 'must be a bigint number of whole TRX, 0 or more');
  }
  return { network, fundTokensWith, fundTrxWith };
}

/** The contracts the TRON node knows by name and ABI (GasFreeController only with GasFree). */
function tronNodeContracts(gasFree: TronDevnetGasFree | undefined): StartTronNodeOptions['contracts'] {
  return [
    {
      address: NILE_PAYMENT_PERMIT_ADDRESS,
      name: 'PaymentPermit',
      abi: toTronAbi(paymentPermitArtifact.abi),
    },
    { address: USDT.address, name: 'TetherToken', abi: toTronAbi(tronUsdtTokenArtifact.abi) },
    { address: USDD.address, name: 'UsddToken', abi: toTronAbi(plainErc20TokenArtifact.abi) },
    ...(gasFree
      ? [
          {
            address: gasFree.controller,
            name: 'GasFreeController',
            abi: toTronAbi(gasFreeControllerArtifact.abi),
          },
        ]
      : []),
  ];
}

/** The handle of a started TRON devnet; `stop` stops GasFree, then the node, then anvil. */
function runningTronDevnet({
  network,
  anvil,
  node,
  allAccounts,
  gasFree,
  energyPrice,
}: {
  network: string;
  anvil: AnvilProcess;
  node: TronNode;
  allAccounts: TronDevnetAccount[];
  gasFree: TronDevnetGasFree | undefined;
  energyPrice: bigint;
}): TronDevnet {
  const accounts = {
    deployer: allAccounts[0] ?? tronDevnetAccount(0),
    payer: allAccounts[1] ?? tronDevnetAccount(1),
    payTo: allAccounts[2] ?? tronDevnetAccount(2),
    facilitator: allAccounts[3] ?? tronDevnetAccount(3),
  };
  let stopping: Promise<void> | undefined;
  return {
    network,
    chainId: TRON_NILE_CHAIN_ID,
    fullHost: node.url,
    rpcUrl: anvil.rpcUrl,
    node,
    contracts: { paymentPermit: NILE_PAYMENT_PERMIT_ADDRESS },
    assets: { USDT, USDD },
    accounts,
    allAccounts,
    ...(gasFree ? { gasFree } : {}),
    async balances(address) {
      const [trx, usdt, usdd] = await Promise.all([
        readTronBalance(anvil.rpcUrl, 'TRX', address),
        readTronBalance(anvil.rpcUrl, USDT.address, address),
        readTronBalance(anvil.rpcUrl, USDD.address, address),
      ]);
      return { TRX: trx, USDT: usdt, USDD: usdd };
    },
    describe: () => ({
      network,
      chainId: TRON_NILE_CHAIN_ID,
      fullHost: node.url,
      rpcUrl: anvil.rpcUrl,
      contracts: { paymentPermit: NILE_PAYMENT_PERMIT_ADDRESS },
      assets: { USDT: USDT.address, USDD: USDD.address },
      energyPrice: energyPrice.toString(),
      weiPerSun: WEI_PER_SUN.toString(),
      accounts: { ...accounts },
      allAccounts: [...allAccounts],
      ...(gasFree ? { gasFree: gasFree.describe() } : {}),
    }),
    stop() {
      stopping ??= (gasFree?.service.stop() ?? Promise.resolve())
        .then(() => node.stop())
        .then(() => anvil.stop());
      return stopping;
    },
  };
}
