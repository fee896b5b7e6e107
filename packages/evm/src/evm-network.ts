/**
 * Everything a facilitator keeps per EVM network: one viem public client (created once), the
 * relayers of its keys (used round-robin), one fee oracle, and a cache of token facts (is it a
 * contract, its EIP-712 name and version).
 */
import { X402Error } from '@x402kit/core';
import { type Address, createPublicClient, type LocalAccount, type PublicClient } from 'viem';
import { addressKey } from './address.js';
import { eip3009Abi } from './eip3009.js';
import { EvmReasons } from './evm-reasons.js';
import { failover } from './relayer/failover-transport.js';
import { createFeeOracle, type FeeOracle } from './relayer/fee-oracle.js';
import { createRelayer, type Relayer } from './relayer/relayer.js';
import { createSettlementBatcher, type EvmBatchingOptions } from './relayer/settlement-batcher.js';

/** Options of `createEvmNetwork`. */
export type EvmNetworkOptions = {
  /** CAIP-2 id, e.g. `eip155:84532`. */
  network: string;
  chainId: number;
  /**
   * One URL, or several: requests go to the first healthy one and fail over to the next on a refused
   * connection, an HTTP error status or a timeout (see `failover`).
   */
  rpcUrl: string | readonly string[];
  accounts: readonly LocalAccount[];
  /** Per-request RPC timeout; default 10 000 ms. */
  rpcTimeoutMs?: number;
  /** Fee reading reuse; default 2000 ms. */
  feeCacheMs?: number;
  /** JSON-RPC batching of concurrent requests; default false. */
  batch?: boolean;
  /** Replace a settlement transaction still unmined after this long; 0 never. Default 15 000 ms. */
  stuckAfterMs?: number;
  /**
   * Batch concurrent EIP-3009 settlements into Multicall3 transactions (see
   * `createSettlementBatcher`); default off. Worth it at block times of about 1 s and more.
   */
  batching?: EvmBatchingOptions;
};

/** What `createEvmNetwork` returns. */
export type EvmNetwork = {
  readonly network: string;
  readonly chainId: number;
  readonly client: PublicClient;
  readonly relayers: readonly Relayer[];
  /** The fee estimate every relayer of the network uses (sponsored gas is priced against it). */
  readonly fees: FeeOracle;
  /** The next relayer, round-robin. */
  nextRelayer(): Relayer;
  /** What is known about a token from a recent read, if anything. */
  cachedTokenFacts(asset: Address): TokenFacts | undefined;
  /**
   * Read a token's code, `name()` and `version()` (concurrent callers share one read). Facts about a
   * contract are cached for {@link TOKEN_FACTS_TTL_MS}; a missing contract is asked again next time.
   */
  loadTokenFacts(asset: Address): Promise<TokenFacts>;
};

/** What a facilitator needs to know about a token: is it a contract, and its EIP-712 name/version. */
export type TokenFacts = {
  isContract: boolean;
  /** `name()`, when the call succeeded. */
  name: string | undefined;
  /** `version()`, when the call succeeded. */
  version: string | undefined;
};

/** How long token facts are trusted. */
export const TOKEN_FACTS_TTL_MS = 15 * 60 * 1000;

/**
 * Create the per-network state. No I/O happens here.
 *
 * @example
 * const net = createEvmNetwork({ network: 'eip155:84532', chainId: 84532, rpcUrl: 'http://127.0.0.1:8545', accounts: [account] })
 * await net.nextRelayer().send({ to, data, gas: 120_000n })
 */
export function createEvmNetwork(options: EvmNetworkOptions): EvmNetwork {
  const urls = typeof options.rpcUrl === 'string' ? [options.rpcUrl] : [...options.rpcUrl];
  const transport = failover(urls, {
    timeout: options.rpcTimeoutMs ?? 10_000,
    batch: options.batch ?? false,
  });
  const client: PublicClient = createPublicClient({ transport, cacheTime: 0 });
  const fees = createFeeOracle({
    client,
    ...(options.feeCacheMs === undefined ? {} : { cacheMs: options.feeCacheMs }),
  });
  const lanes = options.accounts.map((account) =>
    createRelayer({
      client,
      account,
      chainId: options.chainId,
      fees,
      ...(options.stuckAfterMs === undefined ? {} : { stuckAfterMs: options.stuckAfterMs }),
    }),
  );
  const batcher = options.batching
    ? createSettlementBatcher({
        client,
        ...options.batching,
        nextRelayer: roundRobin(lanes, options.network),
      })
    : undefined;
  // with batching, settle paths see relayers that hand EIP-3009 transfers to the batcher
  const relayers: Relayer[] = batcher ? lanes.map((lane) => ({ ...lane, batcher })) : lanes;
  const facts = new Map<string, { facts: TokenFacts; until: number }>();
  const loading = new Map<string, Promise<TokenFacts>>();

  async function readTokenFacts(asset: Address): Promise<TokenFacts> {
    const [code, name, version] = await Promise.all([
      client.getCode({ address: asset }),
      readString(client, asset, 'name'),
      readString(client, asset, 'version'),
    ]);
    return { isContract: code !== undefined && code !== '0x', name, version };
  }

  return {
    network: options.network,
    chainId: options.chainId,
    client,
    relayers,
    fees,
    nextRelayer: roundRobin(relayers, options.network),
    cachedTokenFacts(asset) {
      const entry = facts.get(addressKey(asset));
      return entry && entry.until > Date.now() ? entry.facts : undefined;
    },
    loadTokenFacts(asset) {
      const key = addressKey(asset);
      const running = loading.get(key);
      if (running) return running;
      const task = readTokenFacts(asset)
        .then((read) => {
          if (read.isContract) facts.set(key, { facts: read, until: Date.now() + TOKEN_FACTS_TTL_MS });
          return read;
        })
        .finally(() => loading.delete(key));
      loading.set(key, task);
      return task;
    },
  };
}

async function readString(
  client: PublicClient,
  asset: Address,
  functionName: 'name' | 'version',
): Promise<string | undefined> {
  try {
    return await client.readContract({ address: asset, abi: eip3009Abi, functionName });
  } catch {
    return undefined;
  }
}

/** Each call the next of `relayers`, in turn; none configured is `invalid_evm_config`. */
function roundRobin<R>(relayers: readonly R[], network: string): () => R {
  let turn = 0;
  return () => {
    const relayer = relayers[turn % relayers.length];
    turn = (turn + 1) % relayers.length;
    if (!relayer) throw new X402Error(EvmReasons.config, `no relayer key configured for ${network}`);
    return relayer;
  };
}
