/**
 * `x402kit pay <url>`: fetch a URL and pay its x402 402 answer once (exact on EVM, and on Solana
 * with SOLANA_PRIVATE_KEY and an RPC URL), then print
 * the response; with `--json`, exactly one JSON object whatever happens (paid, refused, failed,
 * pending, unreachable, bad arguments). With `--max-amount`, refuses to pay more (exit code 3).
 */

import { type CliContext, type Command, UsageError } from '../command.js';
import { type CommandFlags, defineCommand } from '../define-command.js';
import { parseInteger } from '../options.js';
import { KEY_FLAGS, readPayerKeys } from '../payer-keys.js';
import { dryRunOf } from './pay/pay-dry-run.js';
import { parsePayOptions } from './pay/pay-options.js';
import { unsentOutcome } from './pay/pay-outcome.js';
import { payRequest } from './pay/pay-request.js';

const usage = `Usage: x402kit pay <url> [--method GET] [--header "Name: value" ...] [--data BODY]
                   [--max-amount 0.01] [--budget 5/day ...] [--dry-run] [--json] [--timeout 60]
                   [--solana-rpc URL] [--key-file PATH]

Request <url>; if it answers 402 with x402 payment requirements, pay once (scheme "exact" on an
EVM network, or on Solana with SOLANA_PRIVATE_KEY, signed with your key) and request it again.
Prints the response body on stdout.

Options:
  --method <verb>        HTTP method (default GET, or POST with --data)
  --header <k: v>        request header, repeatable
  --data <body>          request body (sent as application/json when it parses as JSON)
  --max-amount <amount>  refuse to pay more than this, in the asset's units (0.01 = 1 cent of USDC);
                         without it, a payment above $1 of a USD stablecoin is refused (the default cap)
  --budget <limit>       a cumulative budget in US dollars of stablecoins, repeatable:
                         5/day (UTC day), 5/session (needs --session), 5/total, 1/host (per host),
                         2/day/host; kept in $X402KIT_HOME/budget.json (default ~/.x402kit), shared by
                         every x402kit process; with it, the JSON has "budget": what is left
  --session <id>         the session /session limits count in (or X402KIT_SESSION)
  --dry-run              request the URL and print what would be paid, to whom, on which chain, and
                         the budget left, as one JSON object; signs and sends nothing:
                         {"status":"dry_run","httpStatus","reason","payment","budget","error"}
  --json                 print ONE JSON object on stdout, whatever the outcome:
                         {"status","httpStatus","reason","transaction","body","paymentResponse","error"}
                         (plus "budget" with --budget)
                         status: paid, free, http_error, refused, cannot_pay, payment_refused,
                         payment_failed, not_settled, unconfirmed, settlement_pending,
                         settlement_unknown, network_error, usage_error, error
  --timeout <seconds>    give up after this long (default 60)
  --private-key <key>    the payer key (prefer the environment variable)
  --solana-rpc <url>     Solana JSON-RPC URL for Solana offers (or SOLANA_RPC_URL)
  --solana-private-key <key>  the Solana payer key (prefer the environment variable)
  --key-file <path>      read PRIVATE_KEY, SOLANA_PRIVATE_KEY, SOLANA_RPC_URL from NAME=value lines
                         (or X402KIT_KEY_FILE); flags and the environment come first. Keys are never printed
  -h, --help             show this help

Environment:
  PRIVATE_KEY            the payer's private key, 0x + 64 hex digits (falls back to EVM_PRIVATE_KEY)
  SOLANA_PRIVATE_KEY     the Solana payer's secret key, base58 of 64 bytes (as the Solana CLI and
                         x402kit devnet print it); pays "exact" offers on solana:* networks
  SOLANA_RPC_URL         the Solana JSON-RPC URL (needed with SOLANA_PRIVATE_KEY)
  X402KIT_HOME           where the budget file lives (default ~/.x402kit)
  X402KIT_SESSION        the session of /session budget limits

Exit codes: 0 success (2xx), 1 failure (non-2xx answer, payment refused or not settled, network
            error), 2 bad usage, 3 refused, nothing signed: the price is above --max-amount or
            the default $1 cap, or the budget has not enough left (reason budget_exceeded),
            4 a payment was sent and its settlement is not final (pending, or the answer was
            lost): it may still be charged, check before paying again.

Example:
  PRIVATE_KEY=0x... x402kit pay http://127.0.0.1:4021/weather --max-amount 0.01 --json
  PRIVATE_KEY=0x... x402kit pay http://127.0.0.1:4021/weather --budget 5/day --dry-run
  SOLANA_PRIVATE_KEY=... SOLANA_RPC_URL=http://127.0.0.1:8899 x402kit pay http://127.0.0.1:4021/weather`;

const PAY_FLAGS = {
  method: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd' },
  'max-amount': { type: 'string' },
  budget: { type: 'string', multiple: true },
  session: { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  ...KEY_FLAGS,
} as const;

/**
 * The `pay` command.
 *
 * @example
 * await payCommand.run(['http://127.0.0.1:4021/weather', '--max-amount', '0.01', '--json'], context)
 */
export const payCommand: Command = defineCommand({
  name: 'pay',
  usage,
  allowPositionals: true,
  options: PAY_FLAGS,
  run: runPay,
  onError(error, args, context) {
    // bad arguments (or a bug) still give the one JSON object a script waits for
    if (wantsJson(args)) {
      const message = error instanceof Error ? error.message : String(error);
      const outcome = unsentOutcome(error instanceof UsageError ? 'usage_error' : 'error', message);
      const printed = args.includes('--dry-run') ? dryRunOf(outcome, null) : outcome;
      context.stdout(`${JSON.stringify(printed)}\n`);
    }
  },
});

/** `--json` or `--dry-run` among the flags (before a `--` that ends them), read before the flags are checked. */
function wantsJson(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  const flags = end === -1 ? args : args.slice(0, end);
  return flags.includes('--json') || flags.includes('--dry-run');
}

async function runPay(
  { values, positionals }: CommandFlags<typeof PAY_FLAGS, true>,
  context: CliContext,
): Promise<number> {
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? 'give the URL to pay for'
        : `expected one URL, got ${positionals.length} arguments`,
    );
  }
  const { evm: key, solana: solanaKey, solanaRpc } = readPayerKeys(values, context.env);
  if (!key && !solanaKey)
    throw new UsageError(
      'no payer key: set PRIVATE_KEY=0x... (or pass --private-key), or SOLANA_PRIVATE_KEY for Solana',
    );
  if (solanaKey && !solanaRpc)
    throw new UsageError(
      'SOLANA_PRIVATE_KEY needs a Solana RPC URL: set SOLANA_RPC_URL or pass --solana-rpc',
    );
  const options = parsePayOptions({
    url: positionals[0],
    method: values.method,
    headers: (values.header ?? []).map(parseHeader),
    data: values.data,
    maxAmount: values['max-amount'],
    json: values.json ?? false,
    budget: values.budget ?? [],
    session: values.session ?? context.env.X402KIT_SESSION,
    dryRun: values['dry-run'] ?? false,
    timeoutSeconds: parseInteger(values.timeout, '--timeout') ?? 60,
    privateKey: key?.trim(),
    solana: solanaKey ? { secretKey: solanaKey.trim(), rpcUrl: solanaRpc?.trim() } : undefined,
  });
  return payRequest(options, context);
}

function parseHeader(value: string): [string, string] {
  const colon = value.indexOf(':');
  const name = colon === -1 ? '' : value.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`--header "${value}": expected "Name: value"`);
  }
  return [name, value.slice(colon + 1).trim()];
}
