/**
 * `x402kit facilitator`: the x402 facilitator service (`/verify`, `/settle`, `/supported`,
 * `/health`) for EVM networks, on one port. Prints `Facilitator listening on <url>` on stdout
 * when ready (the x402 e2e harness waits for that line) and stops on SIGINT / SIGTERM.
 */

import { resolve } from 'node:path';
import { isRecord } from '@x402kit/core/internal';
import { type EvmNetworksConfig, evmChain } from '@x402kit/evm/chain-module';
import {
  createFacilitatorApp,
  createJsonLog,
  type FacilitatorApp,
  FacilitatorConfigError,
  type LogEvent,
  loadServiceConfig,
  type ServiceConfig,
  SettlementKeyInUseError,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { svmChain } from '@x402kit/svm/chain-module';
import { tronChain } from '@x402kit/tron/chain-module';
import { type CliContext, CliError, type Command, ExitCode, UsageError, untilAborted } from '../command.js';
import { defineCommand } from '../define-command.js';
import { parseInteger, splitList } from '../options.js';
import { checkRpcChainIds } from '../rpc-check.js';

/** The chains `x402kit facilitator` can serve; the config turns on those it configures. */
const CHAINS = [evmChain, tronChain, svmChain];

const usage = `Usage: x402kit facilitator [--config facilitator.yaml] [--rpc <network>=<url> ...] [--port 4022] [--host 127.0.0.1]

Run an x402 facilitator for EVM networks (exact via EIP-3009 and Permit2, upto, exact_permit;
x402 v2 and v1), for TRON (exact_permit, exact_gasfree) from the config file's "tron" section and
for Solana (exact) from its "solana" section:
POST /verify, POST /settle, GET /supported, GET /health, GET /metrics, GET /payments, POST /fee/quote.
Settlements go through a ledger (exactly-once): the SQLite file x402kit-ledger.db in the data
directory ($X402KIT_DATA_DIR, else $XDG_DATA_HOME/x402kit, else ~/.local/share/x402kit; created on
demand, named in the startup line) unless the config names another file (ledger.sqlite.path;
":memory:" for none) or PostgreSQL (DATABASE_URL). Flags override the environment, which overrides the file.
Each settlement key serves one live instance: a key another instance sharing the ledger holds
refuses the start (exit code 1; give each instance its own key, or wait keyLease.staleAfterMs,
default 10 s, after that instance died).
Prints "Facilitator listening on http://HOST:PORT" on stdout when ready; stops on Ctrl+C / SIGTERM.

Options:
  --config <file>         a YAML (.yaml/.yml) or JSON (.json) configuration file (see the README)
  --rpc <network>=<url>   a JSON-RPC URL for a network, repeatable; the network is a CAIP-2 id
                          (eip155:84532) or a v1 name (base-sepolia); repeat a network for fallbacks
  --port <n>              TCP port (default 4022; 0 picks a free one)
  --host <addr>           interface to bind (default 127.0.0.1; 0.0.0.0 for every interface)
  --private-key <keys>    settlement key(s), comma-separated (prefer the environment variable)
  --body-limit <bytes>    largest /verify or /settle body (default 65536)
  --enable-close          serve POST /close, which stops the process (for the x402 e2e harness)
  --log-format <f>        "text" (default: one readable line per event on stderr) or "json"
                          (structured JSON lines, level from log.level / LOG_LEVEL); or LOG_FORMAT
  --verbose               log every verification on stderr
  -h, --help              show this help

Environment (used when the matching flag is absent; overrides the file):
  FACILITATOR_PRIVATE_KEY(S) settlement key(s), comma-separated (falls back to EVM_PRIVATE_KEY)
  PORT, HOST                TCP port, interface
  DATABASE_URL              postgres://... : the PostgreSQL ledger (shared by every instance)
  X402KIT_DATA_DIR          the directory of the default SQLite ledger (else $XDG_DATA_HOME/x402kit,
                            else ~/.local/share/x402kit)
  RPC_URL_<CHAINID>         RPC URL(s) of eip155:<CHAINID>, comma-separated
  INSTANCE_ID               this instance's name in the ledger (default host-pid)
  TRON_GRID_API_KEY         TronGrid key for the config's TRON nodes (TRON-PRO-API-KEY)
  GASFREE_API_KEY(_NILE|_MAINNET|_SHASTA), GASFREE_API_SECRET(...)  GasFree API HMAC keys
  LOG_LEVEL                 debug | info | warn | error
  OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME  OpenTelemetry traces (OTLP/HTTP JSON)
  EVM_NETWORK, EVM_RPC_URL  one network and its RPC (the x402 e2e harness sets these;
                            EVM_NETWORK defaults to eip155:84532)

Example:
  FACILITATOR_PRIVATE_KEY=0x... x402kit facilitator --rpc eip155:84532=http://127.0.0.1:8545`;

/** The flag behind each field of the file that a flag sets, for error messages. */
const FLAGS = {
  port: '--port (or PORT)',
  host: '--host',
  networks: '--rpc (or EVM_NETWORK/EVM_RPC_URL)',
  privateKeys: '--private-key (or FACILITATOR_PRIVATE_KEY)',
  bodyBytes: '--body-limit',
  enableClose: '--enable-close',
} as const;

/**
 * The `facilitator` command.
 *
 * @example
 * await facilitatorCommand.run(['--rpc', 'eip155:84532=http://127.0.0.1:8545', '--port', '0'], context)
 */
export const facilitatorCommand: Command = defineCommand({
  name: 'facilitator',
  usage,
  options: {
    config: { type: 'string' },
    rpc: { type: 'string', multiple: true },
    port: { type: 'string' },
    host: { type: 'string' },
    'private-key': { type: 'string' },
    'body-limit': { type: 'string' },
    'enable-close': { type: 'boolean' },
    'log-format': { type: 'string' },
    verbose: { type: 'boolean' },
  },
  async run({ values }, context) {
    const config = await readConfig(
      {
        config: values.config,
        rpc: values.rpc,
        port: values.port,
        host: values.host,
        privateKey: values['private-key'],
        bodyLimit: values['body-limit'],
        enableClose: values['enable-close'],
      },
      context.env,
    );
    const logFormat = values['log-format'] ?? context.env.LOG_FORMAT ?? 'text';
    if (logFormat !== 'text' && logFormat !== 'json') {
      throw new UsageError(`--log-format "${logFormat}": expected "text" or "json"`);
    }
    return serve(config, { verbose: values.verbose ?? false, logFormat }, context);
  },
});

type FacilitatorFlags = {
  config: string | undefined;
  rpc: string[] | undefined;
  port: string | undefined;
  host: string | undefined;
  privateKey: string | undefined;
  bodyLimit: string | undefined;
  enableClose: boolean | undefined;
};

/**
 * Flags over the environment over the file, validated once by `@x402kit/facilitator`'s schema: the
 * flags become overrides in the file's shape, and the service reads the environment.
 */
async function readConfig(flags: FacilitatorFlags, env: CliContext['env']): Promise<ServiceConfig> {
  const overrides = flagOverrides(flags);
  try {
    return await loadServiceConfig({
      ...(flags.config === undefined ? {} : { file: flags.config }),
      env,
      overrides,
      chains: CHAINS,
    });
  } catch (error) {
    if (error instanceof FacilitatorConfigError) {
      throw new UsageError(describeConfigError(error, overrides, flags.config === undefined));
    }
    throw error;
  }
}

/** The flags in the shape of the configuration file. */
function flagOverrides(flags: FacilitatorFlags): Record<string, unknown> {
  const overrides: Record<string, unknown> = {};
  const networks: Record<string, { rpc: string[] }> = {};
  for (const value of flags.rpc ?? []) {
    const match = /^(.+?)=(\S+)$/.exec(value.trim());
    if (!match?.[1] || !match[2]) {
      throw new UsageError(
        `--rpc "${value}": expected <network>=<url>, e.g. eip155:84532=http://127.0.0.1:8545`,
      );
    }
    const entry = networks[match[1]] ?? { rpc: [] };
    entry.rpc.push(match[2]);
    networks[match[1]] = entry;
  }
  if (Object.keys(networks).length > 0) overrides.networks = networks;
  const keys = splitList(flags.privateKey);
  if (keys.length > 0) overrides.signers = { privateKeys: keys };
  const port = parseInteger(flags.port, '--port');
  if (port !== undefined) overrides.port = port;
  if (flags.host !== undefined) overrides.host = flags.host;
  const bodyBytes = parseInteger(flags.bodyLimit, '--body-limit');
  if (bodyBytes !== undefined) overrides.limits = { bodyBytes };
  if (flags.enableClose !== undefined) overrides.enableClose = flags.enableClose;
  return overrides;
}

/**
 * The configuration's issues worded by the flag that carried each mistake (`--rpc (or …)
 * (eip155:84532): must be an http(s) URL`). Without a file, the settlement keys come from
 * `--private-key` or the environment and a missing chain or key is told as what to pass; a field no
 * flag set keeps its path in the file.
 */
function describeConfigError(
  error: FacilitatorConfigError,
  overrides: Record<string, unknown>,
  withoutFile: boolean,
): string {
  const byFlag = error.issues.map((issue) =>
    flagIssue(pathSegments(issue.path), issue.message, overrides, withoutFile),
  );
  if (byFlag.every((text) => text === undefined)) return error.message;
  return error.issues
    .map((issue, i) => byFlag[i] ?? `${issue.path || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** One issue worded by its flag, or `undefined` when no flag set that field. */
function flagIssue(
  [head, ...rest]: string[],
  message: string,
  overrides: Record<string, unknown>,
  withoutFile: boolean,
): string | undefined {
  if (head === 'networks') {
    if (rest.length === 0) {
      return withoutFile
        ? 'no RPC configured: pass --rpc <network>=<url> (e.g. --rpc eip155:84532=http://127.0.0.1:8545), set EVM_RPC_URL or use --config'
        : undefined;
    }
    const [network = '', , index] = rest;
    const given = isRecord(overrides.networks) ? overrides.networks[network] : undefined;
    if (!isRecord(given) || !Array.isArray(given.rpc)) return undefined;
    // the network itself is refused: quote it; one URL per network: name the network without an index
    if (rest.length === 1) return `${FLAGS.networks}: "${network}" ${message}`;
    const where = given.rpc.length === 1 || index === undefined ? network : `${network}.${index}`;
    return `${FLAGS.networks} (${where}): ${message}`;
  }
  if (head === 'signers' && rest[0] === 'privateKeys' && (withoutFile || 'signers' in overrides)) {
    if (rest.length === 1) {
      return 'no facilitator private key: set FACILITATOR_PRIVATE_KEY=0x... (several keys: comma-separated) or pass --private-key';
    }
    return `${FLAGS.privateKeys} (${rest.slice(1).join('.')}): ${message}`;
  }
  if (head === 'limits' && rest[0] === 'bodyBytes' && 'limits' in overrides) {
    return `${FLAGS.bodyBytes}: ${message}`;
  }
  if ((head === 'port' || head === 'host' || head === 'enableClose') && head in overrides) {
    return `${FLAGS[head]}: ${message}`;
  }
  return undefined;
}

/** The parts of a path as the service writes it: `networks["eip155:84532"].rpc[0]` -> networks, eip155:84532, rpc, 0. */
function pathSegments(path: string): string[] {
  const parts: string[] = [];
  for (const m of path.matchAll(/\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
    const quoted = m[3];
    parts.push(m[1] ?? m[2] ?? (quoted === undefined ? '' : String(JSON.parse(quoted))));
  }
  return parts;
}

/** The RPC URLs of the EVM `networks` section (as the EVM module's own schema reads it), for the chain-id check at start. */
function evmRpcOf(networks: unknown): Record<string, string[]> {
  const parsed: EvmNetworksConfig = evmChain.sections.networks.parse(networks);
  return Object.fromEntries(Object.entries(parsed).map(([network, { rpc }]) => [network, rpc]));
}

async function serve(
  config: ServiceConfig,
  options: { verbose: boolean; logFormat: 'text' | 'json' },
  context: CliContext,
): Promise<number> {
  const log =
    options.logFormat === 'json'
      ? createJsonLog({
          level: options.verbose ? 'debug' : config.log.level,
          fields: { instance: config.instanceId },
        })
      : (event: LogEvent) => {
          if (event.level === 'debug' && !options.verbose) return;
          const data = event.data ? ` ${JSON.stringify(event.data)}` : '';
          context.stderr(`facilitator ${event.level}: ${event.message}${data}\n`);
        };

  const rpc = evmRpcOf(config.sections.networks);
  for (const problem of await checkRpcChainIds(rpc)) {
    if (problem.kind === 'mismatch') throw new CliError(problem.message, ExitCode.usage);
    context.stderr(`facilitator warn: ${problem.message}\n`);
  }
  if ('sqlite' in config.ledger && config.ledger.sqlite.path === ':memory:') {
    context.stderr(
      'facilitator warn: the settlement ledger is in memory (lost on restart, not shared): set ledger.sqlite.path or DATABASE_URL\n',
    );
  }

  const closeRequested = new AbortController();
  let app: FacilitatorApp;
  try {
    app = await createFacilitatorApp(config, { log, onClose: () => closeRequested.abort() });
  } catch (error) {
    // another live instance sends from one of our keys: not a usage mistake, and maybe gone soon
    const exitCode = error instanceof SettlementKeyInUseError ? ExitCode.failure : ExitCode.usage;
    throw new CliError(error instanceof Error ? error.message : String(error), exitCode, { cause: error });
  }
  const server = await startFacilitatorServer({
    service: app.service,
    port: config.port,
    host: config.host,
    // settlements still in flight at shutdown get the drain time to answer (settled or settlement_pending)
    closeTimeoutMs: config.shutdown.drainTimeoutMs + 2000,
    log,
  }).catch(async (error: unknown) => {
    await app.close();
    throw new CliError(error instanceof Error ? error.message : String(error), ExitCode.failure, {
      cause: error,
    });
  });
  const { facilitator } = app;
  const leases = app.keyLeases
    ? `; key leases held (taken over if silent for ${config.keyLease.staleAfterMs} ms)`
    : '; key leases off';
  context.stderr(
    `facilitator: networks ${facilitator.networks.join(', ')}; signer(s) ${facilitator.signers.join(', ')}; ledger: ${'postgres' in config.ledger ? 'postgres' : ledgerFile(config.ledger.sqlite.path)}; instance ${config.instanceId}${leases}\n`,
  );
  context.stdout(`Facilitator listening on ${server.url}\n`);

  await untilAborted(AbortSignal.any([context.signal, closeRequested.signal]));
  const drainMs = config.shutdown.drainTimeoutMs;
  context.stderr(`facilitator: stopping (settlements in flight get up to ${drainMs} ms) ...\n`);
  const closing = server.close();
  // past the drain bound the engine stops waiting for receipts: those settlements answer
  // settlement_pending with their hash (the ledger keeps it; the reconciler finishes them)
  const bound = setTimeout(() => app.facilitator.close(), drainMs);
  bound.unref();
  await closing;
  clearTimeout(bound);
  await app.close();
  context.stderr('facilitator: stopped\n');
  return ExitCode.ok;
}

/** The ledger file as the startup line names it: absolute, so the operator finds it. */
function ledgerFile(path: string): string {
  return path === ':memory:' || path.startsWith('file:') ? path : resolve(path);
}
