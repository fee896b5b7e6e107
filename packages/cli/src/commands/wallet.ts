/**
 * `x402kit wallet`: the addresses of the configured payer keys and, with an RPC URL, their balances
 * on each chain (the native coin and every asset the network registry knows), as one JSON object.
 * Keys come from the same flags, environment and key file as `x402kit pay`; they are never printed.
 */
import { createSolanaRpc, address as solanaAddress } from '@solana/kit';
import { formatUnits, getNetwork } from '@x402kit/core';
import { readSvmTokenBalance } from '@x402kit/svm';
import { createTronNodeClient, readTrc20Balance, toTronAddress } from '@x402kit/tron';
import { createPublicClient, erc20Abi, getAddress, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { z } from 'zod';
import { type CliContext, type Command, ExitCode, UsageError } from '../command.js';
import { type CommandFlags, defineCommand } from '../define-command.js';
import { KEY_FLAGS, parseEvmKey, readPayerKeys, SolanaSecretKeySchema, solanaSigner } from '../payer-keys.js';

const usage = `Usage: x402kit wallet [--rpc URL] [--solana-rpc URL] [--tron-rpc URL] [--key-file PATH]

Print the addresses of the configured payer keys and their balances, as ONE JSON object on stdout:
  {"status","wallets":[{"chain","address","network","balances":[{"asset","symbol","amount","value"}],"error"}],"error"}
chain: evm, solana, tron. network: the CAIP-2 id the RPC answers for (TRON: --tron-network; null
without an RPC URL).
balances: the native coin (asset "native") and each asset the network registry knows; amount in
atomic units, value in the asset's units; null without an RPC URL. Keys are never printed.

Options:
  --rpc <url>            EVM JSON-RPC URL (or EVM_RPC_URL)
  --solana-rpc <url>     Solana JSON-RPC URL (or SOLANA_RPC_URL)
  --private-key <key>    the EVM payer key (prefer PRIVATE_KEY / EVM_PRIVATE_KEY)
  --solana-private-key <key>  the Solana payer key (prefer SOLANA_PRIVATE_KEY)
  --tron-rpc <url>       TRON HTTP API URL, TronWeb's fullHost (or TRON_RPC_URL)
  --tron-network <id>    the TRON network that node serves (or TRON_NETWORK; default tron:mainnet)
  --tron-private-key <key>  the TRON key, 64 hex digits (prefer TRON_PRIVATE_KEY)
  --key-file <path>      NAME=value lines with the keys and RPC URLs (or X402KIT_KEY_FILE)
                         (PRIVATE_KEY, SOLANA_PRIVATE_KEY, SOLANA_RPC_URL, TRON_PRIVATE_KEY, TRON_RPC_URL)
  -h, --help             show this help

Exit codes: 0 every wallet read, 1 a balance could not be read (that wallet's "error" says why),
            2 bad usage (no key, a malformed key or URL).

Example:
  PRIVATE_KEY=0x... EVM_RPC_URL=http://127.0.0.1:8545 x402kit wallet`;

const Url = z
  .string()
  .regex(/^https?:\/\//i, 'must be an http(s) URL')
  .refine((value) => URL.canParse(value), 'must be a valid URL');

/** One balance of a wallet. */
export type WalletBalance = { asset: string; symbol: string; amount: string; value: string };

/** One configured key: its address and, with an RPC URL, its balances. */
export type WalletEntry = {
  chain: 'evm' | 'solana' | 'tron';
  address: string;
  network: string | null;
  balances: WalletBalance[] | null;
  error: string | null;
};

/** The one object `x402kit wallet` prints. */
export type WalletOutcome = {
  status: 'ok' | 'failed' | 'usage_error';
  wallets: WalletEntry[];
  error: string | null;
};

const WALLET_FLAGS = {
  rpc: { type: 'string' },
  'tron-rpc': { type: 'string' },
  'tron-network': { type: 'string' },
  'tron-private-key': { type: 'string' },
  ...KEY_FLAGS,
} as const;

/**
 * The `wallet` command.
 *
 * @example await walletCommand.run(['--rpc', 'http://127.0.0.1:8545'], context)
 */
export const walletCommand: Command = defineCommand({
  name: 'wallet',
  usage,
  options: WALLET_FLAGS,
  run: ({ values }, context) => runWallet(values, context),
  onError(error, _args, context) {
    if (error instanceof UsageError) {
      const outcome: WalletOutcome = { status: 'usage_error', wallets: [], error: error.message };
      context.stdout(`${JSON.stringify(outcome)}\n`);
    }
  },
});

async function runWallet(
  values: CommandFlags<typeof WALLET_FLAGS, false>['values'],
  context: CliContext,
): Promise<number> {
  const keys = readPayerKeys(values, context.env);
  if (!keys.evm && !keys.solana && !keys.tron)
    throw new UsageError(
      'no payer key: set PRIVATE_KEY=0x... (or EVM_PRIVATE_KEY), SOLANA_PRIVATE_KEY or TRON_PRIVATE_KEY',
    );
  const evmRpc = checkUrl(values.rpc ?? context.env.EVM_RPC_URL, '--rpc (or EVM_RPC_URL)');
  const solanaRpc = checkUrl(keys.solanaRpc, '--solana-rpc (or SOLANA_RPC_URL)');
  const reads: Array<Promise<WalletEntry>> = [];
  if (keys.evm) reads.push(evmWallet(privateKeyToAccount(parseEvmKey(keys.evm)).address, evmRpc));
  if (keys.solana) {
    const parsed = SolanaSecretKeySchema.safeParse(keys.solana);
    if (!parsed.success)
      throw new UsageError(
        `--solana-private-key (or SOLANA_PRIVATE_KEY): ${parsed.error.issues[0]?.message}`,
      );
    reads.push(solanaWallet((await solanaSigner(parsed.data)).address, solanaRpc));
  }
  if (keys.tron) {
    const tronRpc = checkUrl(keys.tronRpc, '--tron-rpc (or TRON_RPC_URL)');
    const network = values['tron-network'] ?? context.env.TRON_NETWORK ?? 'tron:mainnet';
    if (!getNetwork(network)?.id.startsWith('tron:'))
      throw new UsageError(
        `--tron-network (or TRON_NETWORK): ${network} is not a TRON network (tron:mainnet, tron:nile, tron:shasta)`,
      );
    const key = keys.tron.startsWith('0x') ? keys.tron : `0x${keys.tron}`;
    const owner = toTronAddress(privateKeyToAccount(parseEvmKey(key)).address);
    reads.push(tronWallet(owner, tronRpc, getNetwork(network)?.id ?? network));
  }
  const wallets = await Promise.all(reads);
  const failed = wallets.some((w) => w.error !== null);
  const outcome: WalletOutcome = { status: failed ? 'failed' : 'ok', wallets, error: null };
  context.stdout(`${JSON.stringify(outcome)}\n`);
  for (const w of wallets)
    context.stderr(
      `wallet: ${w.chain} ${w.address}${w.network ? ` on ${w.network}` : ''}${w.error ? `: ${w.error}` : ''}\n`,
    );
  return failed ? ExitCode.failure : ExitCode.ok;
}

function checkUrl(value: string | undefined, source: string): string | undefined {
  if (value === undefined) return undefined;
  const parsed = Url.safeParse(value.trim());
  if (!parsed.success) throw new UsageError(`${source}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** Registry assets of a network, each read with `read` (a failed read fails the wallet). */
async function registryBalances(
  network: string,
  read: (asset: string) => Promise<bigint>,
): Promise<WalletBalance[]> {
  const assets = getNetwork(network)?.assets ?? [];
  return Promise.all(
    assets.map(async (a) => {
      const amount = await read(a.address);
      return {
        asset: a.address,
        symbol: a.symbol,
        amount: amount.toString(),
        value: formatUnits(amount, a.decimals),
      };
    }),
  );
}

/** How to read one chain's balances, once connected: its network, its native coin, and a token's balance. */
type ChainBalances = {
  network: string;
  native: { symbol: string; decimals: number; read(): Promise<bigint> };
  tokenBalance(asset: string): Promise<bigint>;
};

/**
 * The wallet entry of `owner` on `chain`: no balances without an RPC URL; else `connect` (which may already
 * read), the network, the native balance, then the registry's tokens; any failure becomes the entry's error.
 */
async function readWallet(
  chain: WalletEntry['chain'],
  owner: string,
  rpcUrl: string | undefined,
  connect: (rpcUrl: string) => Promise<ChainBalances>,
): Promise<WalletEntry> {
  const entry: WalletEntry = { chain, address: owner, network: null, balances: null, error: null };
  if (!rpcUrl) return entry;
  try {
    const { network, native, tokenBalance } = await connect(rpcUrl);
    entry.network = network;
    const amount = await native.read();
    const tokens = await registryBalances(network, tokenBalance);
    entry.balances = [
      {
        asset: 'native',
        symbol: native.symbol,
        amount: amount.toString(),
        value: formatUnits(amount, native.decimals),
      },
      ...tokens,
    ];
  } catch (error) {
    entry.error = `cannot read balances from ${rpcUrl}: ${firstLine(error)}`;
  }
  return entry;
}

function evmWallet(owner: `0x${string}`, rpcUrl: string | undefined): Promise<WalletEntry> {
  return readWallet('evm', owner, rpcUrl, async (url) => {
    const client = createPublicClient({ transport: http(url) });
    return {
      network: `eip155:${await client.getChainId()}`,
      native: { symbol: 'ETH', decimals: 18, read: () => client.getBalance({ address: owner }) },
      tokenBalance: (asset) =>
        client.readContract({
          address: getAddress(asset),
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [owner],
        }),
    };
  });
}

function solanaWallet(owner: string, rpcUrl: string | undefined): Promise<WalletEntry> {
  return readWallet('solana', owner, rpcUrl, async (url) => {
    const rpc = createSolanaRpc(url);
    const network = `solana:${(await rpc.getGenesisHash().send()).slice(0, 32)}`;
    return {
      network,
      native: {
        symbol: 'SOL',
        decimals: 9,
        read: async () => (await rpc.getBalance(solanaAddress(owner)).send()).value,
      },
      tokenBalance: (asset) =>
        readSvmTokenBalance({
          network,
          rpcUrl: url,
          asset: solanaAddress(asset),
          owner: solanaAddress(owner),
        }),
    };
  });
}

function tronWallet(owner: string, url: string | undefined, network: string): Promise<WalletEntry> {
  return readWallet('tron', owner, url, async (fullHost) => {
    const node = createTronNodeClient({ url: fullHost, retries: 1 });
    // the account is read before the network is named: a node that cannot answer leaves the network null
    const sun = BigInt((await node.getAccount(owner))?.balance ?? 0);
    return {
      network,
      native: { symbol: 'TRX', decimals: 6, read: async () => sun },
      tokenBalance: (token) => readTrc20Balance(node, { token, owner }),
    };
  });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
