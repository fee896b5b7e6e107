import type { Hex } from 'viem';
import { encodeDeployData } from 'viem';
import { ANVIL_FUNDED_ACCOUNTS, DEVNET_ACCOUNTS, devnetAccount } from '../accounts.js';
import { startAnvil } from '../anvil.js';
import { devnetChain } from '../devnet-chain.js';
import type { DevnetClient } from '../devnet-client.js';
import { createDevnetClient } from '../devnet-client.js';
import { DevnetOptionsError, DevnetSetupError } from '../errors.js';
import {
  gasFreeControllerArtifact,
  paymentPermitArtifact,
  plainErc20TokenArtifact,
  tronUsdtTokenArtifact,
} from '../generated/contracts.js';
import { mintWith } from '../mint-with.js';
import { placePaymentPermit } from '../payment-permit.js';
import { placeErc20Token } from '../place-erc20-token.js';
import { placeRuntimeCode } from '../runtime-code.js';
import { tronAddressToBase58, tronAddressToEvm, tronAddressToHex } from './tron-address.js';

export { tronUsdtTokenArtifact } from '../generated/contracts.js';

import { readTronBalance } from './tron-balances.js';
import { toTronAbi } from './tron-contract-abis.js';
import type {
  TronDevnetGasFree,
  TronDevnetGasFreeDescription,
  TronDevnetGasFreeOptions,
} from './tron-gasfree.js';
import { startTronDevnetGasFree } from './tron-gasfree.js';
import {
  DEFAULT_ENERGY_PRICE_SUN,
  NILE_PAYMENT_PERMIT_ADDRESS,
  NILE_USDD_ADDRESS,
  NILE_USDT_ADDRESS,
  TRON_NILE_CHAIN_ID,
  TRON_NILE_NETWORK,
  WEI_PER_SUN,
} from './tron-nile.js';
import type { TronNode } from './tron-node.js';
import { startTronNode } from './tron-node.js';

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

/** A well-known devnet account in TRON forms. Public keys: never use them on a real network. */
export interface TronDevnetAccount {
  /** Index in the anvil mnemonic (see `devnetAccount`). */
  readonly index: number;
  /** Base58Check (`T…`). */
  readonly address: string;
  /** `41…` hex. */
  readonly hex: string;
  /** The same 20 bytes as an EVM address. */
  readonly evmAddress: Hex;
  /** 64 hex characters without `0x` (TronWeb's form). */
  readonly privateKey: string;
}

/** A TRC-20 on the TRON devnet. */
export interface TronDevnetAsset {
  readonly symbol: string;
  readonly name: string;
  readonly decimals: number;
  /** Base58Check. */
  readonly address: string;
  /** Whether `transfer`/`transferFrom` return a bool (TRON USDT: false). */
  readonly returnsBool: boolean;
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
 * A TRON account's forms for a devnet key index.
 *
 * @example
 * ```ts
 * tronDevnetAccount(1).address; // 'TLsV52sRDL79HXGGm9yzwKibb6BeruhUzy'
 * ```
 */
export function tronDevnetAccount(index: number): TronDevnetAccount {
  const account = devnetAccount(index);
  const hex = tronAddressToHex(account.address);
  return {
    index,
    address: tronAddressToBase58(hex),
    hex,
    evmAddress: account.address,
    privateKey: account.privateKey.slice(2),
  };
}

const USDT: TronDevnetAsset = {
  symbol: 'USDT',
  name: 'Tether USD',
  decimals: 6,
  address: NILE_USDT_ADDRESS,
  returnsBool: false,
};
const USDD: TronDevnetAsset = {
  symbol: 'USDD',
  name: 'Decentralized USD',
  decimals: 18,
  address: NILE_USDD_ADDRESS,
  returnsBool: true,
};

async function placeTronUsdt(client: DevnetClient, owner: Hex): Promise<void> {
  const address = tronAddressToEvm(USDT.address);
  const creationCode = encodeDeployData({
    abi: tronUsdtTokenArtifact.abi,
    bytecode: tronUsdtTokenArtifact.bytecode,
    args: [owner],
  });
  await placeRuntimeCode(client, { creationCode, address, step: 'token.USDT' });
  const abi = tronUsdtTokenArtifact.abi;
  const [name, symbol, decimals] = await Promise.all([
    client.readContract({ address, abi, functionName: 'name' }),
    client.readContract({ address, abi, functionName: 'symbol' }),
    client.readContract({ address, abi, functionName: 'decimals' }),
  ]);
  if (name !== USDT.name || symbol !== USDT.symbol || decimals !== USDT.decimals) {
    throw new DevnetSetupError(
      'token.USDT',
      `the token at ${USDT.address} reads ${name}/${symbol}/${decimals}`,
    );
  }
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
    // Gas costs nothing: the node burns TRX for energy itself (gas price 0 needs a zero base fee).
    await client.setNextBlockBaseFeePerGas({ baseFeePerGas: 0n });
    await placePaymentPermit(client, tronAddressToEvm(NILE_PAYMENT_PERMIT_ADDRESS));
    await placeTronUsdt(client, owner);
    await placeErc20Token(client, {
      token: {
        kind: 'erc20',
        address: tronAddressToEvm(USDD.address),
        name: USDD.name,
        symbol: USDD.symbol,
        decimals: USDD.decimals,
        returnsBool: true,
      },
      owner,
      mineNow,
    });
    const allAccounts = Array.from({ length: ANVIL_FUNDED_ACCOUNTS }, (_, i) => tronDevnetAccount(i));
    for (const asset of [USDT, USDD]) {
      const amount = fundTokensWith * 10n ** BigInt(asset.decimals);
      if (amount === 0n) continue;
      for (const account of allAccounts) {
        await mintWith(client, {
          token: tronAddressToEvm(asset.address),
          owner,
          to: account.evmAddress,
          amount,
          mineNow,
        });
      }
    }
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
      contracts: [
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
      ],
    });
    const running = node;
    const accounts = {
      deployer: allAccounts[0] ?? tronDevnetAccount(0),
      payer: allAccounts[1] ?? tronDevnetAccount(1),
      payTo: allAccounts[2] ?? tronDevnetAccount(2),
      facilitator: allAccounts[3] ?? tronDevnetAccount(3),
    };
    const energyPrice = options.energyPrice ?? DEFAULT_ENERGY_PRICE_SUN;
    log?.(
      `tron devnet: ${network} ready in ${Math.round(performance.now() - started)} ms: node ${running.url}, anvil ` +
        `${anvil.rpcUrl}; PaymentPermit ${NILE_PAYMENT_PERMIT_ADDRESS}, USDT ${USDT.address}, USDD ${USDD.address}` +
        (gasFree ? `; GasFree ${gasFree.baseUrl} (controller ${gasFree.controller})` : ''),
    );
    let stopping: Promise<void> | undefined;
    return {
      network,
      chainId: TRON_NILE_CHAIN_ID,
      fullHost: running.url,
      rpcUrl: anvil.rpcUrl,
      node: running,
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
        fullHost: running.url,
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
          .then(() => running.stop())
          .then(() => anvil.stop());
        return stopping;
      },
    };
  } catch (error) {
    await stopGasFree?.();
    await node?.stop();
    await anvil.stop();
    throw error;
  }
}
