/**
 * `x402kit pay <url>`: fetch a URL and pay its x402 402 answer once (exact on EVM), then print
 * the response. With `--max-amount`, refuses to pay more (exit code 3).
 */
import {
  type AnyPaymentRequired,
  createX402Client,
  findAsset,
  formatUnits,
  maxAmountPolicy,
  type Offer,
  type SettleResponse,
  type X402Client,
  X402Error,
} from '@x402kit/core';
import { createExactEvmClient } from '@x402kit/evm';
import { getPaymentResponse, wrapFetchWithPayment } from '@x402kit/http';
import { privateKeyToAccount } from 'viem/accounts';
import { z } from 'zod';
import { type CliContext, CliError, type Command, ExitCode, UsageError } from '../command.js';
import { describeIssues, PrivateKeySchema, parseFlags, parseInteger } from '../options.js';

const usage = `Usage: x402kit pay <url> [--method GET] [--header "Name: value" ...] [--data BODY]
                   [--max-amount 0.01] [--json] [--timeout 60]

Request <url>; if it answers 402 with x402 payment requirements, pay once (scheme "exact" on an
EVM network, signed with your key) and request it again. Prints the response body on stdout.

Options:
  --method <verb>        HTTP method (default GET, or POST with --data)
  --header <k: v>        request header, repeatable
  --data <body>          request body (sent as application/json when it parses as JSON)
  --max-amount <amount>  refuse to pay more than this, in the asset's units (0.01 = 1 cent of USDC)
  --json                 print ONE JSON object: {"status","body","paymentResponse"}
                         (body parsed when the response is JSON)
  --timeout <seconds>    give up after this long (default 60)
  --private-key <key>    the payer key (prefer the environment variable)
  -h, --help             show this help

Environment:
  PRIVATE_KEY            the payer's private key, 0x + 64 hex digits (falls back to EVM_PRIVATE_KEY)

Exit codes: 0 success (2xx), 1 non-2xx answer or network error, 2 bad usage,
            3 refused: the price is above --max-amount.

Example:
  PRIVATE_KEY=0x... x402kit pay http://127.0.0.1:4021/weather --max-amount 0.01 --json`;

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
  timeoutSeconds: z.number().int().positive().max(3600),
  privateKey: PrivateKeySchema,
});
type PayOptions = z.output<typeof PayOptions>;

const SOURCES = {
  url: '<url>',
  method: '--method',
  headers: '--header',
  data: '--data',
  maxAmount: '--max-amount',
  json: '--json',
  timeoutSeconds: '--timeout',
  privateKey: '--private-key (or PRIVATE_KEY)',
} as const;

/**
 * The `pay` command.
 *
 * @example
 * await payCommand.run(['http://127.0.0.1:4021/weather', '--max-amount', '0.01', '--json'], context)
 */
export const payCommand: Command = {
  name: 'pay',
  usage,
  async run(args, context) {
    const { values, positionals } = parseFlags({
      args,
      allowPositionals: true,
      options: {
        method: { type: 'string', short: 'X' },
        header: { type: 'string', short: 'H', multiple: true },
        data: { type: 'string', short: 'd' },
        'max-amount': { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        'private-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      context.stdout(`${usage}\n`);
      return ExitCode.ok;
    }
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? 'give the URL to pay for'
          : `expected one URL, got ${positionals.length} arguments`,
      );
    }
    const key = values['private-key'] ?? context.env.PRIVATE_KEY ?? context.env.EVM_PRIVATE_KEY;
    if (!key) throw new UsageError('no payer key: set PRIVATE_KEY=0x... (or pass --private-key)');
    const parsed = PayOptions.safeParse({
      url: positionals[0],
      method: values.method,
      headers: (values.header ?? []).map(parseHeader),
      data: values.data,
      maxAmount: values['max-amount'],
      json: values.json ?? false,
      timeoutSeconds: parseInteger(values.timeout, '--timeout') ?? 60,
      privateKey: key.trim(),
    });
    if (!parsed.success) throw new UsageError(describeIssues(parsed.error.issues, SOURCES));
    return pay(parsed.data, context);
  },
};

async function pay(options: PayOptions, context: CliContext): Promise<number> {
  const signer = privateKeyToAccount(options.privateKey);
  const schemes = [{ network: 'eip155:*', client: createExactEvmClient({ signer }) }];
  const uncapped = createX402Client({ schemes });
  const client = options.maxAmount
    ? createX402Client({ schemes, policies: [maxAmountPolicy(options.maxAmount)] })
    : uncapped;

  let refusal: string | undefined;
  let paid: Offer | undefined;
  const payingFetch = wrapFetchWithPayment(fetch, client, {
    maxPayments: 1,
    onPaymentRequired: ({ paymentRequired }) => {
      const offer = selectOrExplain(uncapped, paymentRequired);
      try {
        paid = client.selectOffer(paymentRequired);
      } catch {
        refusal = `refusing to pay: ${options.url} asks ${describeOffer(offer)}, above --max-amount ${options.maxAmount}`;
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
  let response: Response;
  try {
    response = await payingFetch(options.url, {
      method,
      headers,
      ...(options.data === undefined ? {} : { body: options.data }),
      signal: AbortSignal.any([context.signal, AbortSignal.timeout(options.timeoutSeconds * 1000)]),
    });
  } catch (error) {
    throw new CliError(describeFailure(error, options));
  }

  const text = await response.text();
  const paymentResponse = getPaymentResponse(response);
  if (refusal !== undefined) {
    if (options.json) {
      context.stdout(
        `${JSON.stringify({ status: response.status, body: bodyOf(response, text), paymentResponse: null, error: refusal })}\n`,
      );
    }
    context.stderr(`pay: ${refusal}\n`);
    return ExitCode.refused;
  }
  if (options.json) {
    context.stdout(
      `${JSON.stringify({ status: response.status, body: bodyOf(response, text), paymentResponse: paymentResponse ?? null })}\n`,
    );
  } else if (text.length > 0) {
    context.stdout(text.endsWith('\n') ? text : `${text}\n`);
  }
  reportSettlement(paid, paymentResponse, response.status, context);
  return response.ok ? ExitCode.ok : ExitCode.failure;
}

/** The offer an uncapped client would pay; when there is none, the command fails with why. */
function selectOrExplain(client: X402Client, paymentRequired: AnyPaymentRequired): Offer {
  try {
    return client.selectOffer(paymentRequired);
  } catch (error) {
    throw new CliError(
      `cannot pay: ${error instanceof Error ? error.message : String(error)} (this CLI pays "exact" on EVM networks)`,
    );
  }
}

function reportSettlement(
  offer: Offer | undefined,
  settlement: SettleResponse | undefined,
  status: number,
  context: CliContext,
): void {
  if (!offer) {
    if (!(status >= 200 && status < 300)) context.stderr(`pay: HTTP ${status}\n`);
    return;
  }
  if (settlement?.success) {
    context.stderr(
      `pay: paid ${describeOffer(offer)}; transaction ${settlement.transaction} on ${settlement.network}\n`,
    );
  } else if (settlement) {
    context.stderr(
      `pay: the payment was not settled: ${settlement.errorReason ?? 'no reason given'} (HTTP ${status})\n`,
    );
  } else {
    context.stderr(`pay: paid, the server answered HTTP ${status} without a PAYMENT-RESPONSE header\n`);
  }
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

function describeFailure(error: unknown, options: PayOptions): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof X402Error) return `cannot pay ${options.url}: ${error.message} (${error.reason})`;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return error.name === 'TimeoutError'
      ? `${options.url} did not answer within ${options.timeoutSeconds} s`
      : 'interrupted';
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return `cannot reach ${options.url}: ${cause ?? (error instanceof Error ? error.message : String(error))}`;
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
