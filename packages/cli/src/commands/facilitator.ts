/**
 * `x402kit facilitator`: the x402 facilitator service (`/verify`, `/settle`, `/supported`,
 * `/health`) for EVM networks, on one port. Prints `Facilitator listening on <url>` on stdout
 * when ready (the x402 e2e harness waits for that line) and stops on SIGINT / SIGTERM.
 */
import {
  createEvmFacilitator,
  createFacilitatorService,
  type FacilitatorConfig,
  FacilitatorConfigError,
  type FacilitatorConfigInput,
  type LogEvent,
  parseFacilitatorConfig,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { type CliContext, CliError, type Command, ExitCode, UsageError, untilAborted } from '../command.js';
import { describeIssues, parseFlags, parseInteger, splitList } from '../options.js';
import { checkRpcChainIds } from '../rpc-check.js';

const usage = `Usage: x402kit facilitator --rpc <network>=<url> [--rpc ...] [--port 4022] [--host 127.0.0.1]

Run an x402 facilitator for EVM networks (scheme "exact", EIP-3009; x402 v2 and v1):
POST /verify, POST /settle, GET /supported, GET /health.
Prints "Facilitator listening on http://HOST:PORT" on stdout when ready; stops on Ctrl+C / SIGTERM.

Options:
  --rpc <network>=<url>   a JSON-RPC URL for a network, repeatable; the network is a CAIP-2 id
                          (eip155:84532) or a v1 name (base-sepolia); repeat a network for fallbacks
  --port <n>              TCP port (default 4022; 0 picks a free one)
  --host <addr>           interface to bind (default 127.0.0.1; 0.0.0.0 for every interface)
  --private-key <keys>    settlement key(s), comma-separated (prefer the environment variable)
  --body-limit <bytes>    largest /verify or /settle body (default 65536)
  --enable-close          serve POST /close, which stops the process (for the x402 e2e harness)
  --verbose               log every verification on stderr
  -h, --help              show this help

Environment (used when the matching flag is absent):
  FACILITATOR_PRIVATE_KEY   settlement key(s), comma-separated (falls back to EVM_PRIVATE_KEY)
  PORT                      TCP port
  EVM_NETWORK, EVM_RPC_URL  one network and its RPC (the x402 e2e harness sets these;
                            EVM_NETWORK defaults to eip155:84532)

Example:
  FACILITATOR_PRIVATE_KEY=0x... x402kit facilitator --rpc eip155:84532=http://127.0.0.1:8545`;

/** Where each configuration field comes from, for error messages. */
const SOURCES = {
  port: '--port (or PORT)',
  host: '--host',
  rpc: '--rpc (or EVM_NETWORK/EVM_RPC_URL)',
  privateKeys: '--private-key (or FACILITATOR_PRIVATE_KEY)',
  bodyLimitBytes: '--body-limit',
  enableClose: '--enable-close',
} as const;

/**
 * The `facilitator` command.
 *
 * @example
 * await facilitatorCommand.run(['--rpc', 'eip155:84532=http://127.0.0.1:8545', '--port', '0'], context)
 */
export const facilitatorCommand: Command = {
  name: 'facilitator',
  usage,
  async run(args, context) {
    const { values } = parseFlags({
      args,
      options: {
        rpc: { type: 'string', multiple: true },
        port: { type: 'string' },
        host: { type: 'string' },
        'private-key': { type: 'string' },
        'body-limit': { type: 'string' },
        'enable-close': { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      context.stdout(`${usage}\n`);
      return ExitCode.ok;
    }
    const config = readConfig(
      {
        rpc: values.rpc,
        port: values.port,
        host: values.host,
        privateKey: values['private-key'],
        bodyLimit: values['body-limit'],
        enableClose: values['enable-close'],
      },
      context.env,
    );
    return serve(config, { verbose: values.verbose ?? false }, context);
  },
};

type FacilitatorFlags = {
  rpc: string[] | undefined;
  port: string | undefined;
  host: string | undefined;
  privateKey: string | undefined;
  bodyLimit: string | undefined;
  enableClose: boolean | undefined;
};

/** Flags first, then the environment; validated by `@x402kit/facilitator`'s schema. */
function readConfig(flags: FacilitatorFlags, env: CliContext['env']): FacilitatorConfig {
  const rpc: Record<string, string[]> = {};
  if (flags.rpc && flags.rpc.length > 0) {
    for (const value of flags.rpc) {
      const match = /^(.+?)=(\S+)$/.exec(value.trim());
      if (!match?.[1] || !match[2]) {
        throw new UsageError(
          `--rpc "${value}": expected <network>=<url>, e.g. eip155:84532=http://127.0.0.1:8545`,
        );
      }
      const urls = rpc[match[1]] ?? [];
      urls.push(match[2]);
      rpc[match[1]] = urls;
    }
  } else if (env.EVM_RPC_URL) {
    rpc[env.EVM_NETWORK || 'eip155:84532'] = [env.EVM_RPC_URL];
  } else {
    throw new UsageError(
      'no RPC configured: pass --rpc <network>=<url> (e.g. --rpc eip155:84532=http://127.0.0.1:8545) or set EVM_RPC_URL',
    );
  }

  const keys = splitList(flags.privateKey ?? env.FACILITATOR_PRIVATE_KEY ?? env.EVM_PRIVATE_KEY);
  if (keys.length === 0) {
    throw new UsageError(
      'no facilitator private key: set FACILITATOR_PRIVATE_KEY=0x... (several keys: comma-separated) or pass --private-key',
    );
  }
  const input: FacilitatorConfigInput = {
    // one URL per network is passed as a string, so messages name the network without an index
    rpc: Object.fromEntries(
      Object.entries(rpc).map(([network, urls]) => [network, urls.length === 1 ? (urls[0] ?? '') : urls]),
    ),
    privateKeys: keys,
    ...optional('port', parseInteger(flags.port, '--port') ?? parseInteger(env.PORT, 'PORT')),
    ...optional('host', flags.host),
    ...optional('bodyLimitBytes', parseInteger(flags.bodyLimit, '--body-limit')),
    ...optional('enableClose', flags.enableClose),
  };
  try {
    return parseFacilitatorConfig(input);
  } catch (error) {
    if (error instanceof FacilitatorConfigError) throw new UsageError(describeIssues(error.issues, SOURCES));
    throw error;
  }
}

async function serve(
  config: FacilitatorConfig,
  options: { verbose: boolean },
  context: CliContext,
): Promise<number> {
  const log = (event: LogEvent) => {
    if (event.level === 'debug' && !options.verbose) return;
    const data = event.data ? ` ${JSON.stringify(event.data)}` : '';
    context.stderr(`facilitator ${event.level}: ${event.message}${data}\n`);
  };

  for (const problem of await checkRpcChainIds(config.rpc)) {
    if (problem.kind === 'mismatch') throw new CliError(problem.message, ExitCode.usage);
    context.stderr(`facilitator warn: ${problem.message}\n`);
  }

  let facilitator: ReturnType<typeof createEvmFacilitator>;
  try {
    facilitator = createEvmFacilitator({ rpc: config.rpc, privateKeys: config.privateKeys });
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), ExitCode.usage, {
      cause: error,
    });
  }
  const closeRequested = new AbortController();
  const service = createFacilitatorService({
    facilitator,
    bodyLimitBytes: config.bodyLimitBytes,
    log,
    ...(config.enableClose ? { onClose: () => closeRequested.abort() } : {}),
  });
  const server = await startFacilitatorServer({ service, port: config.port, host: config.host, log }).catch(
    (error: unknown) => {
      facilitator.close();
      throw new CliError(error instanceof Error ? error.message : String(error));
    },
  );
  context.stderr(
    `facilitator: networks ${facilitator.networks.join(', ')}; signer(s) ${facilitator.signers.join(', ')}\n`,
  );
  context.stdout(`Facilitator listening on ${server.url}\n`);

  await untilAborted(AbortSignal.any([context.signal, closeRequested.signal]));
  context.stderr('facilitator: stopping ...\n');
  await server.close();
  facilitator.close();
  context.stderr('facilitator: stopped\n');
  return ExitCode.ok;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  const out: { [P in K]?: V } = {};
  if (value !== undefined) out[key] = value;
  return out;
}
