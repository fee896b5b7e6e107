/**
 * `x402kit gateway`: put an HTTP API behind x402 from a config file. Prints its routes and prices,
 * then `Gateway listening on <url>` on stdout; reloads the file on SIGHUP (a bad file keeps the
 * config in force and says why); stops on SIGINT / SIGTERM.
 */
import { Reasons, type ServerSchemeRegistration, X402Error } from '@x402kit/core';
import { createExactEvmServer } from '@x402kit/evm/exact/server';
import { createExactPermitEvmServer } from '@x402kit/evm/exact-permit';
import { createUptoEvmServer } from '@x402kit/evm/upto';
import { createGateway, type GatewayConfig } from '@x402kit/http/gateway';
import { listen } from '@x402kit/http/node';
import { createExactSvmServer } from '@x402kit/svm/exact/server';
import { createExactPermitTronServer } from '@x402kit/tron/exact-permit';
import { createExactGasFreeServer } from '@x402kit/tron/gasfree';
import { type CliContext, CliError, type Command, ExitCode, UsageError, untilAborted } from '../command.js';
import { defineCommand } from '../define-command.js';
import { parseInteger } from '../options.js';
import { loadGatewayFile } from './gateway-config.js';

const usage = `Usage: x402kit gateway --config gateway.yaml [--port 4021] [--host 127.0.0.1]

Put an HTTP API behind x402 without touching its code: a reverse proxy that answers 402 on the
paid routes of the config file, verifies a payment, forwards the request to the upstream, and
settles only when the upstream answered with a success status (an upstream error, timeout or
refused connection gives 502/504 and no charge). Other routes are proxied free, or refused with
"unlistedRoutes: refuse". Schemes: exact (EIP-3009, Permit2), upto, exact_permit on EVM;
exact_permit, exact_gasfree on TRON; exact on Solana.
At start, every route's scheme and network must be served by the facilitator (its /supported).
Prints the routes and "Gateway listening on http://HOST:PORT" on stdout when ready; reloads the
config file on SIGHUP (new prices apply to new requests; a bad file keeps the old config); stops on
Ctrl+C / SIGTERM.

Options:
  --config <file>         the YAML (or JSON) config file (see examples/gateway/gateway.yaml)
  --port <n>              TCP port (default: the file's port, else 4021; 0 picks a free one)
  --host <addr>           interface to bind (default: the file's host, else 127.0.0.1)
  --skip-supported-check  start even when the facilitator's /supported does not list a route's
                          scheme and network (its offers go out as written; payments of a kind
                          the facilitator does not serve are refused)
  -h, --help              show this help

Example:
  x402kit gateway --config examples/gateway/gateway.yaml`;

/** Every scheme server a gateway route can name. */
function schemes(): ServerSchemeRegistration[] {
  return [
    { network: 'eip155:*', server: createExactEvmServer() },
    { network: 'eip155:*', server: createUptoEvmServer() },
    { network: 'eip155:*', server: createExactPermitEvmServer() },
    { network: 'tron:*', server: createExactPermitTronServer() },
    { network: 'tron:*', server: createExactGasFreeServer() },
    { network: 'solana:*', server: createExactSvmServer() },
  ];
}

const GATEWAY_FLAGS = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'skip-supported-check': { type: 'boolean' },
} as const;

/**
 * The `gateway` command.
 *
 * @example
 * await gatewayCommand.run(['--config', 'gateway.yaml', '--port', '0'], context)
 */
export const gatewayCommand: Command = defineCommand({
  name: 'gateway',
  usage,
  options: GATEWAY_FLAGS,
  async run({ values }, context) {
    if (values.config === undefined) throw new UsageError('--config <file> is required');
    const path = values.config;
    const file = await loadGatewayFile(path);
    const port = parseInteger(values.port, '--port') ?? file.port ?? 4021;
    if (port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${port}`);
    const host = values.host ?? file.host ?? '127.0.0.1';

    const skipSupportedCheck = values['skip-supported-check'] ?? false;
    const gateway = createGatewayOrExplain(file.config, skipSupportedCheck, context);
    if (!skipSupportedCheck) {
      // refuse to start when the facilitator does not serve a route's scheme and network
      await gateway.ready().catch((error: unknown) => {
        gateway.close();
        const message = (error instanceof Error ? error.message : String(error)).replace(
          'skipSupportedCheck: true',
          '--skip-supported-check',
        );
        const hint = message.includes('--skip-supported-check')
          ? ''
          : ' (--skip-supported-check starts anyway)';
        // a facilitator that cannot be reached is a failure; one that does not serve a route, a config mistake
        const down = error instanceof X402Error && error.reason === Reasons.facilitatorUnavailable;
        throw new CliError(`${message}${hint}`, down ? ExitCode.failure : ExitCode.usage);
      });
    }
    const served = await listen(gateway.listener, { port, host }).catch((error: unknown) => {
      gateway.close();
      const message = error instanceof Error ? error.message : String(error);
      throw new CliError(
        `cannot listen on ${host}:${port}: ${message}${/EADDRINUSE/.test(message) ? ' (use --port 0 for a free port)' : ''}`,
      );
    });
    context.stdout(describeRoutes(file.config));
    context.stdout(`Gateway listening on ${served.url} -> ${file.config.upstream}\n`);

    const reload = () => {
      loadGatewayFile(path)
        .then((next) => {
          gateway.reload(next.config);
          context.stderr(`gateway: reloaded ${path}\n`);
          context.stdout(describeRoutes(next.config));
          if (!skipSupportedCheck) {
            gateway.ready().catch((error: unknown) => {
              const message = error instanceof Error ? error.message : String(error);
              context.stderr(`gateway warn: after the reload: ${message}\n`);
            });
          }
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          context.stderr(
            `gateway error: reload of ${path} refused, the previous config stays in force:\n${message}\n`,
          );
        });
    };
    process.on('SIGHUP', reload);
    try {
      await untilAborted(context.signal);
    } finally {
      process.off('SIGHUP', reload);
      context.stderr('gateway: stopping\n');
      await served.close();
      gateway.close();
    }
    return ExitCode.ok;
  },
});

function createGatewayOrExplain(config: GatewayConfig, skipSupportedCheck: boolean, context: CliContext) {
  try {
    return createGateway({
      config,
      schemes: schemes(),
      payments: { skipSupportedCheck },
      log: (event) => {
        if (event.level === 'debug') return;
        const data = event.data ? ` ${JSON.stringify(event.data)}` : '';
        context.stderr(`gateway ${event.level}: ${event.message}${data}\n`);
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** One line per route: its key and what it costs. */
function describeRoutes(config: GatewayConfig): string {
  const lines = Object.entries(config.routes).map(([key, route]) => {
    const options = Array.isArray(route.accepts) ? route.accepts : [route.accepts];
    const prices = options
      .map((o) => `${priceText(o.price)} ${o.scheme} on ${o.network} to ${String(o.payTo)}`)
      .join(' | ');
    return `  ${key}  ${prices}\n`;
  });
  const unlisted = config.unlistedRoutes === 'refuse' ? 'refused (404)' : 'proxied free';
  return `Paid routes:\n${lines.join('') || '  (none)\n'}Other routes: ${unlisted}\n`;
}

function priceText(price: unknown): string {
  if (typeof price === 'string' || typeof price === 'number') return String(price);
  if (typeof price === 'object' && price !== null && 'amount' in price && 'asset' in price) {
    return `${String(price.amount)} of ${String(price.asset)}`;
  }
  return '(dynamic)';
}
