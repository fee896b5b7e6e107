import type { Address, Chain } from 'viem';
import type { DevnetAccount } from './accounts.js';
import { DEVNET_ACCOUNTS, devnetAccount, FIRST_EXTRA_PAYER_INDEX } from './accounts.js';
import type { AnvilProcess } from './anvil.js';
import type { DevnetConfig, DevnetDescription } from './devnet.js';
import { describedAccounts, parseOptions } from './devnet.js';
import { fundExtraPayersGas, startDevnetAnvil } from './devnet-anvil.js';
import type { DevnetClient } from './devnet-client.js';
import type { DevnetContracts } from './devnet-contracts.js';
import { placeDevnetContracts } from './devnet-contracts.js';
import type { Erc20TokenSpec } from './erc20-tokens.js';
import { bscUsdtToken, DEVNET_PERMIT_TOKEN, DEVNET_PLAIN_TOKEN } from './erc20-tokens.js';
import { DevnetOptionsError } from './errors.js';
import { mintWith } from './mint-with.js';
import { PAYMENT_PERMIT_CHAIN_IDS } from './payment-permit.js';
import { placeErc20Token } from './place-erc20-token.js';
import type { DevnetToken } from './place-token.js';
import { placeToken } from './place-token.js';
import { smartWalletAddress } from './smart-wallet.js';

/** One chain of {@link startDevnets}. */
export interface DevnetChainOptions {
  chainId: number;
  /** CAIP-2 id; default `eip155:<chainId>`. */
  network?: string;
  /** TCP port; `0` or absent picks a free one. */
  port?: number;
  /** The EIP-3009 token; default USDC at its Base Sepolia address (see `DEFAULT_DEVNET_TOKEN`). */
  token?: DevnetToken;
  /**
   * More ERC-20s to place and fund; default: `DEVNET_PERMIT_TOKEN` (EIP-2612 only), `DEVNET_PLAIN_TOKEN`, and
   * on chains 56 and 97 BSC USDT at its real address (`bscUsdtToken(chainId)`).
   */
  tokens?: readonly Erc20TokenSpec[];
  /** Place PaymentPermit at `PAYMENT_PERMIT_ADDRESS`; default true on chains 56 and 97. */
  paymentPermit?: boolean;
}

/** Options of {@link startDevnets}. */
export interface StartDevnetsOptions {
  /** The chains, at least one; the first is the one `describe()`'s top-level fields describe. */
  chains: readonly DevnetChainOptions[];
  /** Atomic units of each chain's EIP-3009 token minted to each payer; default 1_000_000_000n. */
  fundPayerWith?: bigint;
  /** Whole tokens of every other ERC-20 minted to each payer (times 10^decimals); default 1000n. */
  fundTokensWith?: bigint;
  /** Also fund `devnetAccount(4)`, `devnetAccount(5)`, ... on every chain; default 0. */
  extraPayers?: number;
  /** Seconds between blocks on every chain; absent means one block per transaction. */
  blockTime?: number;
  log?: (line: string) => void;
}

/** What a devnet chain holds, as `describe()` reports it under `chains[network]`. */
export interface DevnetChainDescription {
  rpcUrl: string;
  chainId: number;
  /** Symbol to address, the EIP-3009 token first. */
  assets: Record<string, Address>;
  contracts: DevnetContracts;
}

/** {@link DevnetDescription} of the first chain plus every chain by CAIP-2 id. */
export interface MultiDevnetDescription extends DevnetDescription {
  chains: Record<string, DevnetChainDescription>;
}

/** A token on a devnet chain and what it supports. */
export interface DevnetAsset {
  readonly symbol: string;
  readonly address: Address;
  readonly name: string;
  readonly decimals: number;
  /** `eip3009` (also has EIP-2612), `eip2612` (permit only) or `erc20` (approve only). */
  readonly standard: 'eip3009' | 'eip2612' | 'erc20';
  /** EIP-712 domain version, for `eip3009` and `eip2612`. */
  readonly version?: string;
  /** For `erc20`: whether `transfer`/`transferFrom` return a bool. */
  readonly returnsBool?: boolean;
}

/** One running chain of a {@link MultiDevnet}. */
export interface DevnetChainInstance {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly network: string;
  readonly chain: Chain;
  readonly pid: number;
  /** The chain's EIP-3009 token. */
  readonly token: DevnetToken;
  /** Symbol to token, the EIP-3009 token first. */
  readonly assets: Readonly<Record<string, DevnetAsset>>;
  readonly contracts: DevnetContracts;
  /** Milliseconds: anvil's start and this chain's preparation. */
  readonly startupMs: { readonly anvil: number; readonly setup: number };
}

/** Several devnet chains sharing accounts; the top-level fields are the first chain's. */
export interface MultiDevnet {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly network: string;
  readonly chain: Chain;
  /** The roles of {@link DEVNET_ACCOUNTS}. */
  readonly accounts: typeof DEVNET_ACCOUNTS;
  readonly extraPayers: readonly DevnetAccount[];
  /**
   * The payer's counterfactual ERC-1271 wallet (`SmartWalletFactory`, salt 0): not deployed, funded with each
   * chain's EIP-3009 token (`fundPayerWith`); deploy it with `smartWalletDeployData` or sign with
   * `erc6492Signature`.
   */
  readonly counterfactualWallet: {
    readonly owner: Address;
    readonly salt: bigint;
    readonly address: Address;
  };
  /** Every chain, in the order given. */
  readonly chains: readonly DevnetChainInstance[];
  /** Milliseconds from the call until every chain was ready (chains start in parallel). */
  readonly startupMs: number;
  /** The chain with this chain id or CAIP-2 id; throws if there is none. */
  getChain(idOrNetwork: number | string): DevnetChainInstance;
  describe(): MultiDevnetDescription;
  /** Stops every anvil. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_TOKEN_FUNDING = 1000n;

/**
 * Starts one anvil per chain, in parallel, each with its EIP-3009 token, an EIP-2612-only token, a plain
 * ERC-20 (and USDT on BSC chains), Multicall3, Permit2, both x402 Permit2 proxies, the ERC-6492 smart-wallet
 * factory (and PaymentPermit on BSC), the payer (and extra payers) funded with every token, and the payer's
 * counterfactual smart wallet funded with the EIP-3009 token.
 *
 * @example
 * ```ts
 * const devnets = await startDevnets({ chains: [{ chainId: 84532 }, { chainId: 97 }] });
 * try {
 *   console.log(JSON.stringify(devnets.describe())); // {..., chains: {"eip155:84532": ..., "eip155:97": ...}}
 * } finally {
 *   await devnets.stop();
 * }
 * ```
 */
export async function startDevnets(options: StartDevnetsOptions): Promise<MultiDevnet> {
  const configs = parseChains(options);
  const started = performance.now();
  const extraPayers = Array.from({ length: configs[0]?.config.extraPayers ?? 0 }, (_, i) =>
    devnetAccount(FIRST_EXTRA_PAYER_INDEX + i),
  );
  const results = await Promise.allSettled(configs.map((c) => startChain(c, extraPayers, options)));
  const chains = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(chains.map((c) => c.anvil.stop()));
    throw failed.reason;
  }
  const startupMs = performance.now() - started;
  options.log?.(
    `devnet: ${chains.length} chain(s) ready in ${Math.round(startupMs)} ms: ` +
      chains.map((c) => `${c.instance.network} on ${c.instance.rpcUrl}`).join(', '),
  );
  return createMultiDevnet(
    chains.map((c) => c.instance),
    chains.map((c) => c.anvil),
    extraPayers,
    startupMs,
  );
}

interface ChainConfig {
  config: DevnetConfig;
  port: number | undefined;
  tokens: readonly Erc20TokenSpec[];
  paymentPermit: boolean;
  fundTokensWith: bigint;
}

function parseChains(options: StartDevnetsOptions): ChainConfig[] {
  if (!Array.isArray(options.chains) || options.chains.length === 0) {
    throw new DevnetOptionsError('chains', 'must list at least one chain, for example [{ chainId: 84532 }]');
  }
  const fundTokensWith = options.fundTokensWith ?? DEFAULT_TOKEN_FUNDING;
  if (typeof fundTokensWith !== 'bigint' || fundTokensWith < 0n) {
    throw new DevnetOptionsError('fundTokensWith', 'must be a bigint number of whole tokens, 0 or more');
  }
  const seen = new Set<string>();
  return options.chains.map((chain, i) => {
    const config = parseOptions({
      chainId: chain.chainId,
      network: chain.network,
      token: chain.token,
      fundPayerWith: options.fundPayerWith,
      extraPayers: options.extraPayers,
    });
    if (seen.has(config.network)) {
      throw new DevnetOptionsError(`chains[${i}].network`, `${config.network} is listed twice`);
    }
    seen.add(config.network);
    const bsc = PAYMENT_PERMIT_CHAIN_IDS.includes(config.chainId);
    const tokens = chain.tokens ?? [
      ...(bsc ? [bscUsdtToken(config.chainId)] : []),
      DEVNET_PERMIT_TOKEN,
      DEVNET_PLAIN_TOKEN,
    ];
    const symbols = new Set([config.token.symbol]);
    for (const token of tokens) {
      if (symbols.has(token.symbol)) {
        throw new DevnetOptionsError(`chains[${i}].tokens`, `symbol ${token.symbol} is used twice`);
      }
      symbols.add(token.symbol);
    }
    return { config, port: chain.port, tokens, paymentPermit: chain.paymentPermit ?? bsc, fundTokensWith };
  });
}

async function startChain(
  { config, port, tokens, paymentPermit, fundTokensWith }: ChainConfig,
  extraPayers: readonly DevnetAccount[],
  options: StartDevnetsOptions,
): Promise<{ anvil: AnvilProcess; instance: DevnetChainInstance }> {
  const { log } = options;
  const anvilOptions = { port, chainId: config.chainId, blockTime: options.blockTime, log };
  return startDevnetAnvil(
    anvilOptions,
    async ({ anvil, chain, client, mineNow, anvilMs, setupMs: setupSoFar }) => {
      const owner = DEVNET_ACCOUNTS.deployer.address;
      // One sender: its transactions go one after the other (viem would give parallel ones the same nonce).
      const contracts = await placeDevnetContracts(client, { from: owner, paymentPermit, mineNow });
      await placeToken(client, { token: config.token, owner, mineNow });
      for (const token of tokens) await placeErc20Token(client, { token, owner, mineNow });
      await fundPayers(client, { config, tokens, fundTokensWith, extraPayers, owner, mineNow });
      await fundExtraPayersGas(client, extraPayers);
      const setupMs = setupSoFar();
      log?.(
        `devnet: ${config.network} ready on ${anvil.rpcUrl} (anvil ${Math.round(anvilMs)} ms, setup ` +
          `${Math.round(setupMs)} ms): ${[config.token.symbol, ...tokens.map((t) => t.symbol)].join(', ')}, ` +
          `Permit2, x402 proxies${paymentPermit ? ', PaymentPermit' : ''}`,
      );
      const instance: DevnetChainInstance = {
        rpcUrl: anvil.rpcUrl,
        chainId: config.chainId,
        network: config.network,
        chain,
        pid: anvil.pid,
        token: config.token,
        assets: chainAssets(config.token, tokens),
        contracts,
        startupMs: { anvil: anvilMs, setup: setupMs },
      };
      return { anvil, instance };
    },
  );
}

/**
 * Mints the EIP-3009 token to the payer's counterfactual wallet, then every token to the payer and the extra
 * payers, one transaction after the other.
 */
async function fundPayers(
  client: DevnetClient,
  {
    config,
    tokens,
    fundTokensWith,
    extraPayers,
    owner,
    mineNow,
  }: {
    config: DevnetConfig;
    tokens: readonly Erc20TokenSpec[];
    fundTokensWith: bigint;
    extraPayers: readonly DevnetAccount[];
    owner: Address;
    mineNow: boolean;
  },
): Promise<void> {
  const payers = [DEVNET_ACCOUNTS.payer, ...extraPayers];
  const mints = [
    { token: config.token.address, amount: config.fundPayerWith },
    ...tokens.map((t) => ({ token: t.address, amount: fundTokensWith * 10n ** BigInt(t.decimals) })),
  ].filter((m) => m.amount > 0n);
  const wallet = smartWalletAddress({ owner: DEVNET_ACCOUNTS.payer.address });
  if (config.fundPayerWith > 0n) {
    await mintWith(client, {
      token: config.token.address,
      owner,
      to: wallet,
      amount: config.fundPayerWith,
      mineNow,
    });
  }
  for (const { token, amount } of mints) {
    for (const payer of payers) await mintWith(client, { token, owner, to: payer.address, amount, mineNow });
  }
}

/** A chain's assets by symbol: the EIP-3009 token first, then the other ERC-20s as specified. */
function chainAssets(token: DevnetToken, tokens: readonly Erc20TokenSpec[]): Record<string, DevnetAsset> {
  const assets: Record<string, DevnetAsset> = {
    [token.symbol]: {
      symbol: token.symbol,
      address: token.address,
      name: token.name,
      decimals: token.decimals,
      standard: 'eip3009',
      version: token.version,
    },
  };
  for (const t of tokens) {
    assets[t.symbol] =
      t.kind === 'eip2612'
        ? {
            symbol: t.symbol,
            address: t.address,
            name: t.name,
            decimals: t.decimals,
            standard: 'eip2612',
            version: t.version,
          }
        : {
            symbol: t.symbol,
            address: t.address,
            name: t.name,
            decimals: t.decimals,
            standard: 'erc20',
            returnsBool: t.returnsBool ?? true,
          };
  }
  return assets;
}

function createMultiDevnet(
  chains: readonly DevnetChainInstance[],
  anvils: readonly AnvilProcess[],
  extraPayers: readonly DevnetAccount[],
  startupMs: number,
): MultiDevnet {
  const first = chains[0];
  if (first === undefined) throw new DevnetOptionsError('chains', 'must list at least one chain');
  const { deployer, payer, payTo, facilitator } = DEVNET_ACCOUNTS;
  const addresses = (c: DevnetChainInstance) =>
    Object.fromEntries(Object.values(c.assets).map((a) => [a.symbol, a.address]));
  return {
    rpcUrl: first.rpcUrl,
    chainId: first.chainId,
    network: first.network,
    chain: first.chain,
    accounts: { deployer, payer, payTo, facilitator },
    extraPayers,
    counterfactualWallet: {
      owner: payer.address,
      salt: 0n,
      address: smartWalletAddress({ owner: payer.address }),
    },
    chains,
    startupMs,
    getChain(idOrNetwork) {
      const found = chains.find((c) => c.chainId === idOrNetwork || c.network === idOrNetwork);
      if (!found) throw new DevnetOptionsError('chain', `no devnet chain ${String(idOrNetwork)}`);
      return found;
    },
    describe: () => ({
      rpcUrl: first.rpcUrl,
      chainId: first.chainId,
      network: first.network,
      accounts: describedAccounts(),
      assets: addresses(first),
      chains: Object.fromEntries(
        chains.map((c) => [
          c.network,
          { rpcUrl: c.rpcUrl, chainId: c.chainId, assets: addresses(c), contracts: { ...c.contracts } },
        ]),
      ),
    }),
    stop: async () => {
      await Promise.all(anvils.map((a) => a.stop()));
    },
  };
}
