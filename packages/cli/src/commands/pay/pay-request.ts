/**
 * `x402kit pay`'s run once its options are checked: request the URL with a fetch that pays one 402
 * (within `--max-amount`, the default cap and the budget), watch whether a payment left, and report
 * the outcome (or, with `--dry-run`, what would be paid) on stdout and stderr.
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
  type X402Client,
  X402Error,
} from '@x402kit/core';
import { createExactEvmClient } from '@x402kit/evm';
import {
  type FetchLike,
  getPaymentResponse,
  type PaymentRequiredEvent,
  wrapFetchWithPayment,
} from '@x402kit/http';
import { createExactSvmClient } from '@x402kit/svm';
import { privateKeyToAccount } from 'viem/accounts';
import { budgetFilePath } from '../../budget/budget-home.js';
import { createFileBudgetStore } from '../../budget/file-budget-store.js';
import type { CliContext } from '../../command.js';
import { solanaSigner } from '../../payer-keys.js';
import { dryRunExitCode, dryRunOf, dryRunOutcome } from './pay-dry-run.js';
import type { PayOptions } from './pay-options.js';
import { exitCodeOf, failureOutcome, outcomeOf, type PayAttempt, type PayOutcome } from './pay-outcome.js';

/** One `pay` run: its options and context, its budget, and what happened so far. */
type PayRun = {
  options: PayOptions;
  context: CliContext;
  /** Whether a payment left and the last settlement seen. */
  attempt: PayAttempt;
  budget: PaymentBudget | undefined;
  /** What the budget counts this run under: the URL's host. */
  budgetKey: string;
  /** The offer the client chose to pay, once it chose one. */
  paid?: Offer;
  /** With `--dry-run`, the offer that would have been paid. */
  dryRun?: { offer: Offer; url: string };
};

/**
 * Request `options.url`, paying its 402 at most once, and print the outcome; resolves with the
 * exit code.
 *
 * @example
 * return payRequest(parsePayOptions(input), context)
 */
export async function payRequest(options: PayOptions, context: CliContext): Promise<number> {
  const run = startPayRun(options, context);
  const payingFetch = createPayingFetch(run, await payerSchemes(options));
  const init = requestInit(run);
  let response: Response;
  let text: string;
  try {
    response = await payingFetch(options.url, init);
    text = await response.text();
  } catch (error) {
    const outcome = failureOutcome({ error, attempt: run.attempt, ...describeFailure(error, options) });
    return options.dryRun ? printDryRun(run, outcome) : report(run, outcome);
  }
  if (options.dryRun) return finishDryRun(run, response, text);
  const settlement = getPaymentResponse(response);
  return report(
    run,
    outcomeOf({ response, body: bodyOf(response, text), settlement, attempt: run.attempt }),
    text,
  );
}

/** A run with nothing sent yet, and the file budget `--budget` asked for. */
function startPayRun(options: PayOptions, context: CliContext): PayRun {
  const budget: PaymentBudget | undefined =
    options.budget.length > 0
      ? createBudget({
          limits: options.budget,
          store: createFileBudgetStore(budgetFilePath(context.env)),
          ...(options.session === undefined ? {} : { session: options.session }),
        })
      : undefined;
  return { options, context, attempt: { sent: false }, budget, budgetKey: new URL(options.url).host };
}

/** What is left of the budget now (null when the store cannot be read). */
function budgetLeft({ budget, budgetKey }: PayRun): Promise<BudgetReport[] | null> {
  return budget ? budget.report({ key: budgetKey }).catch(() => null) : Promise.resolve(null);
}

/** Print the outcome (one JSON object with `--json`, else the body) and its stderr line; the exit code. */
async function report(run: PayRun, outcome: PayOutcome, text?: string): Promise<number> {
  const { options, context } = run;
  const fetched = outcome.status !== 'refused' && outcome.status !== 'cannot_pay';
  const printed = run.budget ? { ...outcome, budget: await budgetLeft(run) } : outcome;
  if (options.json) context.stdout(`${JSON.stringify(printed)}\n`);
  else if (fetched && text !== undefined && text.length > 0)
    context.stdout(text.endsWith('\n') ? text : `${text}\n`);
  context.stderr(describeOutcome(outcome, run.paid));
  return exitCodeOf(outcome);
}

/** A dry run that would not pay: the same one object, with what the budget has left. */
async function printDryRun(run: PayRun, outcome: PayOutcome): Promise<number> {
  const printed = dryRunOf(outcome, await budgetLeft(run));
  run.context.stdout(`${JSON.stringify(printed)}\n`);
  run.context.stderr(describeOutcome(outcome, undefined));
  return dryRunExitCode(printed);
}

/** The end of a dry run that got an answer: what would be paid and whether the budget allows it. */
async function finishDryRun(run: PayRun, response: Response, text: string): Promise<number> {
  const { dryRun, budget, context } = run;
  if (!dryRun)
    return printDryRun(
      run,
      outcomeOf({ response, body: bodyOf(response, text), settlement: undefined, attempt: run.attempt }),
    );
  const check = budget ? await budget.check(dryRun.offer, { key: run.budgetKey }) : undefined;
  const outcome = dryRunOutcome({ offer: dryRun.offer, httpStatus: response.status, check });
  context.stdout(`${JSON.stringify(outcome)}\n`);
  context.stderr(
    outcome.status === 'dry_run'
      ? `pay: dry run: would pay ${describeOffer(dryRun.offer)} to ${dryRun.offer.requirements.payTo}; nothing signed\n`
      : `pay: dry run: ${outcome.error}\n`,
  );
  return dryRunExitCode(outcome);
}

/** The payer's schemes: exact on EVM with the EVM key, exact on Solana with the Solana key and RPC. */
async function payerSchemes(options: PayOptions): Promise<ClientSchemeRegistration[]> {
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
  return schemes;
}

/**
 * A fetch paying at most one 402 with `schemes`, within `--max-amount` (or the default cap) and
 * the budget; it records on `run` what it chose, refused or could not pay.
 */
function createPayingFetch(run: PayRun, schemes: ClientSchemeRegistration[]): FetchLike {
  const { options } = run;
  // without --max-amount, the engine's default cap ($1 of a stablecoin) applies
  const uncapped = createX402Client({ schemes, defaultMaxAmount: false });
  const client = createX402Client({
    schemes,
    policies: options.maxAmount ? [maxAmountPolicy(options.maxAmount)] : [],
    ...(run.budget ? { budget: run.budget } : {}),
  });
  return wrapFetchWithPayment(observingFetch(run.attempt), client, {
    maxPayments: 1,
    onPaymentRequired: ({ paymentRequired }) => decideToPay(run, { uncapped, client }, paymentRequired),
  });
}

/** A fetch that sees every request and answer: whether a payment left, and the last settlement reported. */
function observingFetch(attempt: PayAttempt): FetchLike {
  return async (input, init) => {
    const headers = input instanceof Request ? input.headers : new Headers(init?.headers);
    if (headers.has(HeaderNames.paymentSignature) || headers.has(HeaderNames.xPayment)) attempt.sent = true;
    const response = await fetch(input, init);
    const settlement = getPaymentResponse(response);
    if (settlement) attempt.lastSettlement = settlement;
    return response;
  };
}

/**
 * Before paying a 402: `false` (return it unpaid) when no offer is payable at all, when the
 * limits refuse it, or on a dry run, each noted on `run`; `undefined` pays (saying so on stderr).
 */
function decideToPay(
  run: PayRun,
  clients: { uncapped: X402Client; client: X402Client },
  paymentRequired: PaymentRequiredEvent['paymentRequired'],
): false | undefined {
  const { options, attempt } = run;
  let offer: Offer;
  try {
    offer = clients.uncapped.selectOffer(paymentRequired);
  } catch (error) {
    attempt.cannotPay = {
      reason: error instanceof X402Error ? error.reason : null,
      message: `cannot pay: ${error instanceof Error ? error.message : String(error)} (this CLI pays "exact" on EVM networks, and on Solana with SOLANA_PRIVATE_KEY)`,
    };
    return false;
  }
  let paid: Offer;
  try {
    paid = clients.client.selectOffer(paymentRequired);
  } catch (error) {
    const reason = error instanceof X402Error ? error.reason : null;
    attempt.refusal =
      reason === BudgetReasons.aboveDefaultCap
        ? `refusing to pay: ${options.url} asks ${describeOffer(offer)}, above the default cap of $1 per payment; pass --max-amount to pay more`
        : `refusing to pay: ${options.url} asks ${describeOffer(offer)}, above --max-amount ${options.maxAmount}`;
    if (reason !== null) attempt.refusalReason = reason;
    return false;
  }
  run.paid = paid;
  if (options.dryRun) {
    run.dryRun = { offer: paid, url: options.url };
    return false;
  }
  run.context.stderr(
    `pay: paying ${describeOffer(paid)} to ${paid.requirements.payTo} (x402 v${paid.x402Version}) ...\n`,
  );
  return undefined;
}

/** The request `options` describe (`--method`, `--header`, `--data`), given up after `--timeout`. */
function requestInit({ options, context }: PayRun): RequestInit {
  const headers = new Headers(options.headers);
  if (options.data !== undefined && !headers.has('content-type')) {
    headers.set('content-type', isJson(options.data) ? 'application/json' : 'text/plain;charset=utf-8');
  }
  const method = options.method ?? (options.data === undefined ? 'GET' : 'POST');
  const signal = AbortSignal.any([context.signal, AbortSignal.timeout(options.timeoutSeconds * 1000)]);
  return { method, headers, ...(options.data === undefined ? {} : { body: options.data }), signal };
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
