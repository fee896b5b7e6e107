import type { Address, Chain } from 'viem';
import { getAddress, isAddress } from 'viem';
import type { DevnetAccount } from './accounts.js';
import { DEVNET_ACCOUNTS, devnetAccount, FIRST_EXTRA_PAYER_INDEX } from './accounts.js';
import type { AnvilProcess } from './anvil.js';
import { fundExtraPayersGas, startDevnetAnvil } from './devnet-anvil.js';
import type { DevnetContracts } from './devnet-contracts.js';
import { placeDevnetContracts } from './devnet-contracts.js';
import { DevnetOptionsError } from './errors.js';
import { mintWith } from './mint-with.js';
import type { DevnetToken } from './place-token.js';
import { DEFAULT_DEVNET_TOKEN, placeToken } from './place-token.js';

/** Options of {@link startDevnet}; every field is optional. */
export interface StartDevnetOptions {
  /** TCP port on 127.0.0.1; `0` or absent picks a free one. */
  port?: number;
  /** Chain id; default 84532 (Base Sepolia). */
  chainId?: number;
  /** CAIP-2 network id reported by `describe()`; default `eip155:<chainId>`. */
  network?: string;
  /** The EIP-3009 token to place; default Base Sepolia USDC ({@link DEFAULT_DEVNET_TOKEN}). */
  token?: DevnetToken;
  /** Atomic units minted to the payer (and each extra payer); default 1_000_000_000n (1000 USDC). */
  fundPayerWith?: bigint;
  /** Also fund `devnetAccount(4)`, `devnetAccount(5)`, ... with the token; default 0. */
  extraPayers?: number;
  /** Seconds between blocks (interval mining); absent means one block per transaction. */
  blockTime?: number;
  /** Receives one line per step with timings; nothing is printed without it. */
  log?: (line: string) => void;
}

/** The JSON a devnet describes itself with (the CLI prints it as one line). */
export interface DevnetDescription {
  rpcUrl: string;
  chainId: number;
  network: string;
  accounts: { payer: DevnetAccount; payTo: DevnetAccount; facilitator: DevnetAccount };
  /** Token symbol to token address, for example `{ USDC: '0x036C...' }`. */
  assets: Record<string, Address>;
}

/**
 * The accounts a devnet's description names: its payer, payee and facilitator (address and key only).
 *
 * @example describedAccounts().payer.address // '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
 */
export function describedAccounts(): DevnetDescription['accounts'] {
  const { payer, payTo, facilitator } = DEVNET_ACCOUNTS;
  return { payer: { ...payer }, payTo: { ...payTo }, facilitator: { ...facilitator } };
}

/** A running devnet: anvil with the token and Multicall3 placed and the payer funded. */
export interface Devnet {
  readonly rpcUrl: string;
  readonly chainId: number;
  /** CAIP-2 id, for example `eip155:84532`. */
  readonly network: string;
  /** A viem chain for this devnet (Multicall3 included), for `createPublicClient({ chain, transport: http() })`. */
  readonly chain: Chain;
  /** Process id of anvil. */
  readonly pid: number;
  /** The roles of {@link DEVNET_ACCOUNTS}. */
  readonly accounts: typeof DEVNET_ACCOUNTS;
  /** The extra payers funded with the token (`devnetAccount(4)` onwards), in order. */
  readonly extraPayers: readonly DevnetAccount[];
  /** Token symbol to token address. */
  readonly assets: Readonly<Record<string, Address>>;
  readonly token: DevnetToken;
  /** Multicall3, Permit2 and the x402 Permit2 proxies, at their canonical addresses. */
  readonly contracts: DevnetContracts;
  /** Milliseconds from the call to ready: anvil's start and the chain's preparation. */
  readonly startupMs: { readonly anvil: number; readonly setup: number };
  describe(): DevnetDescription;
  /** Stops anvil and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_CHAIN_ID = 84532;
const DEFAULT_FUNDING = 1_000_000_000n;
const MAX_UINT256 = 2n ** 256n - 1n;
const EXTRA_PAYER_LIMIT = 1000;

/**
 * Starts a local EVM chain for tests and demos: anvil (chain id 84532 by default), our EIP-3009 token at the
 * real token's address (Base Sepolia USDC by default, same EIP-712 domain), Multicall3, Permit2 and the x402
 * Permit2 proxies at their canonical addresses, and the payer funded with 1000 tokens. For several chains and
 * more tokens, see `startDevnets`.
 *
 * @example
 * ```ts
 * const devnet = await startDevnet();
 * try {
 *   console.log(JSON.stringify(devnet.describe()));
 * } finally {
 *   await devnet.stop();
 * }
 * ```
 */
export async function startDevnet(options: StartDevnetOptions = {}): Promise<Devnet> {
  const config = parseOptions(options);
  const { log } = options;
  const anvilOptions = { port: options.port, chainId: config.chainId, blockTime: options.blockTime, log };
  return startDevnetAnvil(anvilOptions, async ({ anvil, chain, client, mineNow, anvilMs, setupMs }) => {
    const { deployer, payer } = DEVNET_ACCOUNTS;
    const { token } = config;

    // One sender: its transactions go one after the other (viem would give parallel ones the same nonce).
    const contracts = await placeDevnetContracts(client, {
      from: deployer.address,
      paymentPermit: false,
      mineNow,
    });
    await placeToken(client, { token, owner: deployer.address, mineNow });
    log?.(`devnet: ${token.symbol} (EIP-3009, "${token.name}" v${token.version}) at ${token.address}`);

    const extraPayers = Array.from({ length: config.extraPayers }, (_, i) =>
      devnetAccount(FIRST_EXTRA_PAYER_INDEX + i),
    );
    for (const account of [payer, ...extraPayers]) {
      if (config.fundPayerWith > 0n) {
        await mintWith(client, {
          token: token.address,
          owner: deployer.address,
          to: account.address,
          amount: config.fundPayerWith,
          mineNow,
        });
      }
    }
    await fundExtraPayersGas(client, extraPayers);
    const startupMs = { anvil: anvilMs, setup: setupMs() };
    log?.(
      `devnet: funded ${1 + extraPayers.length} payer(s) with ${config.fundPayerWith} atomic ${token.symbol}; ` +
        `ready on ${anvil.rpcUrl} (${config.network}) in ${Math.round(startupMs.anvil + startupMs.setup)} ms ` +
        `(anvil ${Math.round(startupMs.anvil)} ms, setup ${Math.round(startupMs.setup)} ms)`,
    );
    return createDevnet(anvil, config, chain, extraPayers, contracts, startupMs);
  });
}

/** {@link StartDevnetOptions} after validation. */
export interface DevnetConfig {
  chainId: number;
  network: string;
  token: DevnetToken;
  fundPayerWith: bigint;
  extraPayers: number;
}

function createDevnet(
  anvil: AnvilProcess,
  config: DevnetConfig,
  chain: Chain,
  extraPayers: readonly DevnetAccount[],
  contracts: DevnetContracts,
  startupMs: Devnet['startupMs'],
): Devnet {
  const { deployer, payer, payTo, facilitator } = DEVNET_ACCOUNTS;
  const assets = { [config.token.symbol]: config.token.address };
  return {
    rpcUrl: anvil.rpcUrl,
    chainId: config.chainId,
    network: config.network,
    chain,
    pid: anvil.pid,
    accounts: { deployer, payer, payTo, facilitator },
    extraPayers,
    assets,
    token: config.token,
    contracts,
    startupMs,
    describe: () => ({
      rpcUrl: anvil.rpcUrl,
      chainId: config.chainId,
      network: config.network,
      accounts: describedAccounts(),
      assets: { ...assets },
    }),
    stop: () => anvil.stop(),
  };
}

/** Validates options once, at the edge, naming the field at fault. */
export function parseOptions(options: StartDevnetOptions): DevnetConfig {
  const chainId = options.chainId ?? DEFAULT_CHAIN_ID;
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new DevnetOptionsError('chainId', `must be a positive integer (got ${String(chainId)})`);
  }
  const network = options.network ?? `eip155:${chainId}`;
  if (typeof network !== 'string' || !/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$/.test(network)) {
    throw new DevnetOptionsError(
      'network',
      `must be a CAIP-2 id such as eip155:${chainId} (got ${String(network)})`,
    );
  }
  const token = options.token ?? DEFAULT_DEVNET_TOKEN;
  if (typeof token.address !== 'string' || !isAddress(token.address, { strict: false })) {
    throw new DevnetOptionsError(
      'token.address',
      `must be a 0x-prefixed 20-byte address (got ${String(token.address)})`,
    );
  }
  for (const field of ['name', 'version', 'symbol'] as const) {
    if (typeof token[field] !== 'string' || token[field].length === 0) {
      throw new DevnetOptionsError(`token.${field}`, 'must be a non-empty string');
    }
  }
  // OpenZeppelin 5's EIP712 keeps name and version in 32-byte immutables (ShortStrings).
  for (const field of ['name', 'version'] as const) {
    const bytes = Buffer.byteLength(token[field], 'utf8');
    if (bytes > 31) {
      throw new DevnetOptionsError(`token.${field}`, `must be at most 31 bytes of UTF-8 (got ${bytes})`);
    }
  }
  if (!Number.isInteger(token.decimals) || token.decimals < 0 || token.decimals > 255) {
    throw new DevnetOptionsError(
      'token.decimals',
      `must be an integer from 0 to 255 (got ${String(token.decimals)})`,
    );
  }
  const fundPayerWith = options.fundPayerWith ?? DEFAULT_FUNDING;
  if (typeof fundPayerWith !== 'bigint' || fundPayerWith < 0n || fundPayerWith > MAX_UINT256) {
    throw new DevnetOptionsError('fundPayerWith', 'must be a bigint amount of atomic units, 0 or more');
  }
  const extraPayers = options.extraPayers ?? 0;
  if (!Number.isInteger(extraPayers) || extraPayers < 0 || extraPayers > EXTRA_PAYER_LIMIT) {
    throw new DevnetOptionsError('extraPayers', `must be an integer from 0 to ${EXTRA_PAYER_LIMIT}`);
  }
  return {
    chainId,
    network,
    token: { ...token, address: getAddress(token.address) },
    fundPayerWith,
    extraPayers,
  };
}
