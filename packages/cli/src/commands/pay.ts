/**
 * `x402kit pay <url>`: fetch a URL and pay its x402 402 answer once (exact on EVM, and on Solana
 * with SOLANA_PRIVATE_KEY and an RPC URL), then print
 * the response; with `--json`, exactly one JSON object whatever happens (paid, refused, failed,
 * pending, unreachable, bad arguments). With `--max-amount`, refuses to pay more (exit code 3).
 */

import {
  BudgetReasons,
  type BudgetReport,
  type ClientSchemeRegistration,
  createBudget,
  createX402Client,
  findAsset,
  formatUnits,
  HeaderNames,
  maxAmountPolicy,
  type Offer,
  type PaymentBudget,
  parseBudgetLimit,
  X402Error,
} from '@x402kit/core';
import { createExactEvmClient } from '@x402kit/evm';
import { type FetchLike, getPaymentResponse, wrapFetchWithPayment } from '@x402kit/http';
import { createExactSvmClient } from '@x402kit/svm';
import { privateKeyToAccount } from 'viem/accounts';
import { z } from 'zod';
import { budgetFilePath } from '../budget/budget-home.js';
import { createFileBudgetStore } from '../budget/file-budget-store.js';
import { type CliContext, type Command, UsageError } from '../command.js';
import { type CommandFlags, defineCommand } from '../define-command.js';
import { describeIssues, PrivateKeySchema, parseInteger } from '../options.js';
import { KEY_FLAGS, KEY_SOURCES, readPayerKeys, SolanaSecretKeySchema, solanaSigner } from '../payer-keys.js';
import { dryRunExitCode, dryRunOf, dryRunOutcome } from './pay/pay-dry-run.js';
import {
  exitCodeOf,
  failureOutcome,
  outcomeOf,
  type PayAttempt,
  type PayOutcome,
  unsentOutcome,
} from './pay/pay-outcome.js';

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

const PayOptions = z.object({
  url: z
    .string()
    .regex(/^https?:\/\//i, 'must be an http(s) URL')
    .refine((value) => URL.canParse(value), 'must be a valid URL'),
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, 'must be an HTTP method such as GET or POST')
    .transform((m) => m.toUpperCase())
    .optional(),
  headers: z.array(z.tuple([z.string(), z.string()])),
  data: z.string().optional(),
  maxAmount: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal amount such as 0.01')
    .optional(),
  json: z.boolean(),
  budget: z.array(z.string()).transform((specs, ctx) => {
    try {
      return specs.map(parseBudgetLimit);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  }),
  session: z
    .string()
    .regex(/^[\w.:-]{1,128}$/, 'must be 1-128 letters, digits, _ . : -')
    .optional(),
  dryRun: z.boolean(),
  timeoutSeconds: z.number().int().positive().max(3600),
  privateKey: PrivateKeySchema.optional(),
  solana: z
    .object({
      secretKey: SolanaSecretKeySchema,
      rpcUrl: z
        .string()
        .regex(/^https?:\/\//i, 'must be an http(s) URL')
        .refine((value) => URL.canParse(value), 'must be a valid URL'),
    })
    .optional(),
});
type PayOptions = z.output<typeof PayOptions>;

const SOURCES = {
  url: '<url>',
  method: '--method',
  headers: '--header',
  data: '--data',
  maxAmount: '--max-amount',
  json: '--json',
  budget: '--budget',
  session: '--session (or X402KIT_SESSION)',
  dryRun: '--dry-run',
  timeoutSeconds: '--timeout',
  privateKey: '--private-key (or PRIVATE_KEY)',
  solana: 'Solana',
} as const;

const SOLANA_SOURCES = { secretKey: KEY_SOURCES.secretKey, rpcUrl: KEY_SOURCES.rpcUrl } as const;

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
  const parsed = PayOptions.safeParse({
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
  if (!parsed.success) {
    const solanaIssues = parsed.error.issues.filter((issue) => issue.path[0] === 'solana');
    const otherIssues = parsed.error.issues.filter((issue) => issue.path[0] !== 'solana');
    const messages = [
      ...(otherIssues.length > 0 ? [describeIssues(otherIssues, SOURCES)] : []),
      ...(solanaIssues.length > 0
        ? [
            describeIssues(
              solanaIssues.map((issue) => ({ ...issue, path: issue.path.slice(1) })),
              SOLANA_SOURCES,
            ),
          ]
        : []),
    ];
    throw new UsageError(messages.join('; '));
  }
  if (parsed.data.budget.some((l) => l.period === 'session') && parsed.data.session === undefined)
    throw new UsageError('a /session budget needs the session: pass --session <id> or set X402KIT_SESSION');
  return pay(parsed.data, context);
}

async function pay(options: PayOptions, context: CliContext): Promise<number> {
  const attempt: PayAttempt = { sent: false };
  let paid: Offer | undefined;
  const budgetKey = new URL(options.url).host;
  const budget: PaymentBudget | undefined =
    options.budget.length > 0
      ? createBudget({
          limits: options.budget,
          store: createFileBudgetStore(budgetFilePath(context.env)),
          ...(options.session === undefined ? {} : { session: options.session }),
        })
      : undefined;
  /** What is left of the budget now (null when the store cannot be read). */
  const budgetLeft = async (): Promise<BudgetReport[] | null> =>
    budget ? budget.report({ key: budgetKey }).catch(() => null) : null;
  const report = async (outcome: PayOutcome, text?: string): Promise<number> => {
    const fetched = outcome.status !== 'refused' && outcome.status !== 'cannot_pay';
    const printed = budget ? { ...outcome, budget: await budgetLeft() } : outcome;
    if (options.json) context.stdout(`${JSON.stringify(printed)}\n`);
    else if (fetched && text !== undefined && text.length > 0)
      context.stdout(text.endsWith('\n') ? text : `${text}\n`);
    context.stderr(describeOutcome(outcome, paid));
    return exitCodeOf(outcome);
  };

  const schemes: ClientSchemeRegistration[] = [];
  if (options.privateKey) {
    const signer = privateKeyToAccount(options.privateKey);
    schemes.push({ network: 'eip155:*', client: createExactEvmClient({ signer }) });
  }
  if (options.solana) {
    const signer = await solanaSigner(options.solana.secretKey);
    schemes.push({
      network: 'solana:*',
      client: createExactSvmClient({ signer, rpc: options.solana.rpcUrl }),
    });
  }
  // without --max-amount, the engine's default cap ($1 of a stablecoin) applies
  const uncapped = createX402Client({ schemes, defaultMaxAmount: false });
  const client = createX402Client({
    schemes,
    policies: options.maxAmount ? [maxAmountPolicy(options.maxAmount)] : [],
    ...(budget ? { budget } : {}),
  });
  let dryRun: { offer: Offer; url: string } | undefined;
  /** A dry run that would not pay: the same one object, with what the budget has left. */
  const printDryRun = async (outcome: PayOutcome): Promise<number> => {
    const printed = dryRunOf(outcome, await budgetLeft());
    context.stdout(`${JSON.stringify(printed)}\n`);
    context.stderr(describeOutcome(outcome, undefined));
    return dryRunExitCode(printed);
  };
  // sees every request and answer: whether a payment left, and the last settlement reported
  const observed: FetchLike = async (input, init) => {
    const headers = input instanceof Request ? input.headers : new Headers(init?.headers);
    if (headers.has(HeaderNames.paymentSignature) || headers.has(HeaderNames.xPayment)) attempt.sent = true;
    const response = await fetch(input, init);
    const settlement = getPaymentResponse(response);
    if (settlement) attempt.lastSettlement = settlement;
    return response;
  };
  const payingFetch = wrapFetchWithPayment(observed, client, {
    maxPayments: 1,
    onPaymentRequired: ({ paymentRequired }) => {
      let offer: Offer;
      try {
        offer = uncapped.selectOffer(paymentRequired);
      } catch (error) {
        attempt.cannotPay = {
          reason: error instanceof X402Error ? error.reason : null,
          message: `cannot pay: ${error instanceof Error ? error.message : String(error)} (this CLI pays "exact" on EVM networks, and on Solana with SOLANA_PRIVATE_KEY)`,
        };
        return false;
      }
      try {
        paid = client.selectOffer(paymentRequired);
      } catch (error) {
        const reason = error instanceof X402Error ? error.reason : null;
        attempt.refusal =
          reason === BudgetReasons.aboveDefaultCap
            ? `refusing to pay: ${options.url} asks ${describeOffer(offer)}, above the default cap of $1 per payment; pass --max-amount to pay more`
            : `refusing to pay: ${options.url} asks ${describeOffer(offer)}, above --max-amount ${options.maxAmount}`;
        if (reason !== null) attempt.refusalReason = reason;
        return false;
      }
      if (options.dryRun) {
        dryRun = { offer: paid, url: options.url };
        return false;
      }
      context.stderr(
        `pay: paying ${describeOffer(paid)} to ${paid.requirements.payTo} (x402 v${paid.x402Version}) ...\n`,
      );
      return undefined;
    },
  });

  const headers = new Headers(options.headers);
  if (options.data !== undefined && !headers.has('content-type')) {
    headers.set('content-type', isJson(options.data) ? 'application/json' : 'text/plain;charset=utf-8');
  }
  const method = options.method ?? (options.data === undefined ? 'GET' : 'POST');
  const signal = AbortSignal.any([context.signal, AbortSignal.timeout(options.timeoutSeconds * 1000)]);
  let response: Response;
  let text: string;
  try {
    response = await payingFetch(options.url, {
      method,
      headers,
      ...(options.data === undefined ? {} : { body: options.data }),
      signal,
    });
    text = await response.text();
  } catch (error) {
    if (options.dryRun)
      return printDryRun(failureOutcome({ error, attempt, ...describeFailure(error, options) }));
    return report(failureOutcome({ error, attempt, ...describeFailure(error, options) }));
  }
  if (options.dryRun) {
    if (!dryRun)
      return printDryRun(
        outcomeOf({ response, body: bodyOf(response, text), settlement: undefined, attempt }),
      );
    const check = budget ? await budget.check(dryRun.offer, { key: budgetKey }) : undefined;
    const outcome = dryRunOutcome({ offer: dryRun.offer, httpStatus: response.status, check });
    context.stdout(`${JSON.stringify(outcome)}\n`);
    context.stderr(
      outcome.status === 'dry_run'
        ? `pay: dry run: would pay ${describeOffer(dryRun.offer)} to ${dryRun.offer.requirements.payTo}; nothing signed\n`
        : `pay: dry run: ${outcome.error}\n`,
    );
    return dryRunExitCode(outcome);
  }
  const settlement = getPaymentResponse(response);
  return report(outcomeOf({ response, body: bodyOf(response, text), settlement, attempt }), text);
}

/** The stderr line of an outcome: what was paid, or what went wrong (nothing for a free answer). */
function describeOutcome(outcome: PayOutcome, offer: Offer | undefined): string {
  if (outcome.status === 'free') return '';
  if (outcome.status === 'paid') {
    const what = offer ? describeOffer(offer) : 'the payment';
    const network = outcome.paymentResponse?.network ?? offer?.requirements.network;
    const http =
      outcome.httpStatus !== null && outcome.httpStatus >= 300 ? ` (HTTP ${outcome.httpStatus})` : '';
    return `pay: paid ${what}; transaction ${outcome.transaction ?? '(none reported)'} on ${network}${http}\n`;
  }
  const reason =
    outcome.reason !== null && !outcome.error?.includes(outcome.reason) ? ` [${outcome.reason}]` : '';
  return `pay: ${outcome.status}: ${outcome.error ?? 'no details'}${reason}\n`;
}

function parseHeader(value: string): [string, string] {
  const colon = value.indexOf(':');
  const name = colon === -1 ? '' : value.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`--header "${value}": expected "Name: value"`);
  }
  return [name, value.slice(colon + 1).trim()];
}

function describeOffer(offer: Offer): string {
  const { amount, asset, network } = offer.requirements;
  const info = findAsset(network, asset);
  const what = info
    ? `${formatUnits(BigInt(amount), info.decimals)} ${info.symbol}`
    : `${amount} atomic units of ${asset}`;
  return `${what} on ${network}`;
}

function describeFailure(error: unknown, options: PayOptions): { message: string; unreachable: boolean } {
  if (error instanceof X402Error) {
    return { message: `cannot pay ${options.url}: ${error.message} (${error.reason})`, unreachable: false };
  }
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    const message =
      error.name === 'TimeoutError'
        ? `${options.url} did not answer within ${options.timeoutSeconds} s`
        : 'interrupted';
    return { message, unreachable: true };
  }
  if (error instanceof TypeError && error.cause instanceof Error) {
    return { message: `cannot reach ${options.url}: ${error.cause.message}`, unreachable: true };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { message: `unexpected error: ${detail}`, unreachable: false };
}

function bodyOf(response: Response, text: string): unknown {
  const type = response.headers.get('content-type') ?? '';
  if (/[/+]json\b/i.test(type) && text.length > 0) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
