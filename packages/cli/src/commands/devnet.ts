/**
 * `x402kit devnet`: a local chain for x402 (anvil, an EIP-3009 USDC at its Base Sepolia
 * address, funded accounts), or several (`--chains 84532,97`), and an offline TRON Nile
 * (`--chains 84532,tron:nile`: a local TRON node and GasFree API over anvil), and an offline Solana
 * devnet (`--chains 84532,solana:devnet`: litesvm behind a local Solana JSON-RPC). Prints ONE JSON line
 * describing it on stdout when ready, runs until SIGINT / SIGTERM, then stops everything.
 */
import type { DevnetDescription, SolanaDevnet, TronDevnet } from '@x402kit/devnet';
import {
  SOLANA_DEVNET_NETWORK,
  startDevnet,
  startDevnets,
  startSolanaDevnet,
  startTronDevnet,
} from '@x402kit/devnet';
import { z } from 'zod';
import { type Command, ExitCode, UsageError, untilAborted } from '../command.js';
import { defineCommand } from '../define-command.js';
import { describeIssues, parseInteger, splitList } from '../options.js';

const usage = `Usage: x402kit devnet [--port 8545] [--chain-id 84532]... [--chains 84532,97,tron:nile,solana:devnet] [--quiet]

Start a local EVM chain for x402: anvil with an EIP-3009 USDC at the Base Sepolia USDC
address, Multicall3, Permit2, the x402 Permit2 proxies, and funded test accounts (payer,
payTo, facilitator).

When ready, prints ONE JSON line on stdout:
  {"rpcUrl","chainId","network","accounts":{"payer","payTo","facilitator"},"assets":{"USDC"}}
then runs until Ctrl+C (SIGINT) or SIGTERM, and stops anvil.

With several chains (--chain-id repeated, or --chains), one anvil per chain, each also with
an EIP-2612 token (PUSD), a plain ERC-20 (PLUSD), and on BSC (56, 97) USDT and PaymentPermit;
the line describes the first chain as above and adds
  "chains":{"eip155:84532":{"rpcUrl","chainId","assets","contracts"},"eip155:97":{...}}

With tron:nile in --chains, also an offline TRON Nile: anvil at chain id 3448148188 with
PaymentPermit, USDT (no-bool TRC-20) and USDD at Nile's addresses, a local TRON node speaking
TRON's HTTP API (TronWeb's fullHost), and a local GasFree API with its controller; the line adds
  "tron":{"tron:nile":{"fullHost","rpcUrl","chainId","contracts","assets","accounts","gasFree"}}
(with tron:nile alone, the line is {"network":"tron:nile","tron":{...}}).

With solana:devnet in --chains, also an offline Solana devnet: litesvm in-process behind a local
Solana JSON-RPC server, USDC at devnet's mint 4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU (SPL Token),
PYUSD at devnet's mint CXk2AMBfi3TwaEL2468s6zP8xq9NxTXjp9gjMgzeUynM (Token-2022), and funded payer,
payTo and fee payer (base58 keys); the line adds
  "solana":{"solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1":{"rpcUrl","network","assets","accounts",...}}
(without an EVM chain, the line is {"network":<the first of TRON, Solana>,"tron"?,"solana"?}).

Options:
  --port <n>       TCP port of the first chain on 127.0.0.1 (default 8545; 0 picks free
                   ports); further chains use the next ports
  --chain-id <n>   chain id (default 84532, Base Sepolia); repeat for several chains
  --chains <list>  comma-separated chain ids, for example 84532,97 (always the extended line);
                   tron:nile (or its ids tron:0xcd8690dc, tron:3448148188) adds TRON;
                   solana:devnet (or solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1) adds Solana
  --quiet          no progress on stderr
  -h, --help       show this help

The accounts' keys are public test keys: never use them on a real chain.`;

const ChainId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const DevnetOptions = z.object({
  port: z.number().int().min(0).max(65535).default(8545),
  chainIds: z
    .array(ChainId)
    .default([84532])
    .refine((ids) => new Set(ids).size === ids.length, 'lists a chain id twice'),
  /** The extended (multi-chain) devnet and JSON line. */
  multi: z.boolean().default(false),
  quiet: z.boolean().default(false),
});

/**
 * The `devnet` command.
 *
 * @example
 * await devnetCommand.run(['--port', '0'], context) // prints the JSON line, returns 0 after SIGTERM
 */
export const devnetCommand: Command = defineCommand({
  name: 'devnet',
  usage,
  options: {
    port: { type: 'string' },
    'chain-id': { type: 'string', multiple: true },
    chains: { type: 'string' },
    quiet: { type: 'boolean' },
  },
  async run({ values }, context) {
    const { chainIds, others } = readChains(values);
    if ((others.tron || others.solana) && chainIds.length === 0)
      return runNonEvmOnly(values, others, context);
    const options = parseDevnetOptions(values, chainIds);
    const progress = options.quiet ? undefined : (line: string) => context.stderr(`${line}\n`);
    progress?.(
      `devnet: starting anvil (chain ${options.chainIds.join(', ')}, port ${options.port || 'any'}) ...`,
    );
    const log = progress ? { log: progress } : {};
    const devnet = await startEvmDevnets(options, log);
    let tronDevnet: TronDevnet | undefined;
    let solanaDevnet: SolanaDevnet | undefined;
    try {
      const next = options.port === 0 ? 0 : options.port + options.chainIds.length;
      if (others.tron) {
        progress?.('devnet: starting TRON Nile (anvil, local TRON node, GasFree API) ...');
        tronDevnet = await startTronDevnet({ port: next, anvilPort: next === 0 ? 0 : next + 1, ...log });
      }
      if (others.solana) {
        progress?.('devnet: starting Solana devnet (litesvm, local Solana JSON-RPC) ...');
        solanaDevnet = await startSolanaDevnet({ port: next === 0 ? 0 : next + 2, ...log });
      }
      if (context.signal.aborted) return ExitCode.ok; // stopped while starting: nothing to announce
      const line = {
        ...devnet.describe(),
        ...(tronDevnet ? { tron: { [TRON_NILE]: tronDevnet.describe() } } : {}),
        ...(solanaDevnet ? { solana: { [SOLANA_DEVNET_NETWORK]: solanaDevnet.describe() } } : {}),
      };
      context.stdout(`${JSON.stringify(line)}\n`);
      const extra = [
        tronDevnet ? ` and TRON ${tronDevnet.fullHost}` : '',
        solanaDevnet ? ` and Solana ${solanaDevnet.rpcUrl}` : '',
      ].join('');
      progress?.(`devnet: ready on ${devnet.rpcUrl}${extra}; press Ctrl+C to stop`);
      await untilAborted(context.signal);
      progress?.('devnet: stopping anvil ...');
    } finally {
      await solanaDevnet?.stop();
      await tronDevnet?.stop();
      await devnet.stop();
    }
    progress?.('devnet: stopped');
    return ExitCode.ok;
  },
});

const TRON_NILE = 'tron:nile';
const TRON_NILE_IDS = new Set([TRON_NILE, 'tron:0xcd8690dc', 'tron:3448148188']);
const SOLANA_DEVNET_IDS = new Set(['solana:devnet', SOLANA_DEVNET_NETWORK]);

/**
 * The chains `--chain-id` and `--chains` ask for: the EVM chain ids, and whether TRON Nile and the
 * Solana devnet are among them (any other TRON or Solana network is a {@link UsageError}).
 */
function readChains(values: { 'chain-id'?: string[] | undefined; chains?: string | undefined }): {
  chainIds: Array<number | undefined>;
  others: { tron: boolean; solana: boolean };
} {
  const listed = splitList(values.chains);
  const tron = listed.filter((v) => v.startsWith('tron:'));
  for (const id of tron) {
    if (!TRON_NILE_IDS.has(id.toLowerCase())) {
      throw new UsageError(`--chains: ${id} is not a TRON network the devnet runs (only tron:nile)`);
    }
  }
  const solana = listed.filter((v) => v.startsWith('solana:'));
  for (const id of solana) {
    if (!SOLANA_DEVNET_IDS.has(id)) {
      throw new UsageError(`--chains: ${id} is not a Solana network the devnet runs (only solana:devnet)`);
    }
  }
  const chainIds = [
    ...(values['chain-id'] ?? []).map((v) => parseInteger(v, '--chain-id')),
    ...listed
      .filter((v) => !v.startsWith('tron:') && !v.startsWith('solana:'))
      .map((v) => parseInteger(v, '--chains')),
  ];
  return { chainIds, others: { tron: tron.length > 0, solana: solana.length > 0 } };
}

/** `--port`, the chain ids and `--quiet`, checked; a {@link UsageError} names the flag at fault. */
function parseDevnetOptions(
  values: { port?: string | undefined; chains?: string | undefined; quiet?: boolean | undefined },
  chainIds: Array<number | undefined>,
): z.output<typeof DevnetOptions> {
  const parsed = DevnetOptions.safeParse({
    port: parseInteger(values.port, '--port'),
    chainIds: chainIds.length > 0 ? chainIds : undefined,
    multi: values.chains !== undefined || chainIds.length > 1,
    quiet: values.quiet,
  });
  if (!parsed.success) {
    throw new UsageError(
      describeIssues(parsed.error.issues, { port: '--port', chainIds: '--chain-id/--chains' }),
    );
  }
  return parsed.data;
}

/** The EVM chains: one anvil, or with `multi` one per chain id on consecutive ports. */
async function startEvmDevnets(
  options: z.output<typeof DevnetOptions>,
  log: { log?: (line: string) => void },
): Promise<{ rpcUrl: string; describe(): DevnetDescription; stop(): Promise<void> }> {
  return options.multi
    ? await startDevnets({
        chains: options.chainIds.map((chainId, i) => ({
          chainId,
          port: options.port === 0 ? 0 : options.port + i,
        })),
        ...log,
      })
    : await startDevnet({ port: options.port, chainId: options.chainIds[0], ...log });
}

/** `--chains tron:nile`, `solana:devnet` or both, without an EVM chain: their lines keyed under `tron`/`solana`. */
async function runNonEvmOnly(
  values: { port?: string | undefined; quiet?: boolean | undefined },
  chains: { tron: boolean; solana: boolean },
  context: Parameters<Command['run']>[1],
): Promise<number> {
  const port = parseInteger(values.port, '--port') ?? 0;
  if (port < 0 || port > 65535) throw new UsageError(`--port ${port}: expected 0-65535`);
  const progress = values.quiet ? undefined : (line: string) => context.stderr(`${line}\n`);
  const log = progress ? { log: progress } : {};
  let tronDevnet: TronDevnet | undefined;
  let solanaDevnet: SolanaDevnet | undefined;
  try {
    if (chains.tron) {
      progress?.('devnet: starting TRON Nile (anvil, local TRON node, GasFree API) ...');
      tronDevnet = await startTronDevnet({ port, anvilPort: port === 0 ? 0 : port + 1, ...log });
    }
    if (chains.solana) {
      progress?.('devnet: starting Solana devnet (litesvm, local Solana JSON-RPC) ...');
      const solanaPort = port === 0 || !chains.tron ? port : port + 2;
      solanaDevnet = await startSolanaDevnet({ port: solanaPort, ...log });
    }
    if (context.signal.aborted) return ExitCode.ok;
    const line = {
      network: tronDevnet ? TRON_NILE : SOLANA_DEVNET_NETWORK,
      ...(tronDevnet ? { tron: { [TRON_NILE]: tronDevnet.describe() } } : {}),
      ...(solanaDevnet ? { solana: { [SOLANA_DEVNET_NETWORK]: solanaDevnet.describe() } } : {}),
    };
    context.stdout(`${JSON.stringify(line)}\n`);
    const ready = [
      tronDevnet ? `TRON ready on ${tronDevnet.fullHost}` : '',
      solanaDevnet ? `Solana ready on ${solanaDevnet.rpcUrl}` : '',
    ].filter((part) => part !== '');
    progress?.(`devnet: ${ready.join(', ')}; press Ctrl+C to stop`);
    await untilAborted(context.signal);
    progress?.('devnet: stopping ...');
  } finally {
    await solanaDevnet?.stop();
    await tronDevnet?.stop();
  }
  progress?.('devnet: stopped');
  return ExitCode.ok;
}
