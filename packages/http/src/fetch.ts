/**
 * The paying `fetch`: send the request; on an x402 402, pay once with the client engine and
 * send the same request again with the payment header. It never pays twice: while the server
 * reports the settlement pending, it re-sends the SAME payment, a bounded number of times.
 */
import {
  type AnyPaymentPayload,
  type AnyPaymentRequired,
  createEmitter,
  type Emit,
  HeaderNames,
  type Log,
  type PaymentOutcome,
  type SettleResponse,
  type X402Client,
} from '@x402kit/core';
import {
  type PendingRetryLimits,
  pendingRetryLimits,
  resendWhilePending,
  sendReportingOutcome,
  sleep,
} from '@x402kit/core/internal';
import {
  createPaymentSigner,
  outcomeOf,
  type PaymentSigner,
  paymentRequiredOf,
  refusalRetryDelayMs,
  settlementOf,
} from './pay-once.js';
import { isSettlementPending, type PendingSettlementOption, retryAfterMs } from './pending-settlement.js';

/** A `fetch`-compatible function. */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** What {@link WrapFetchOptions.onPaymentRequired} sees. */
export type PaymentRequiredEvent = {
  paymentRequired: AnyPaymentRequired;
  /** A copy of the request that was answered 402. */
  request: Request;
  response: Response;
};

/**
 * Decide before paying: `undefined` pays; `false` returns the 402 to the caller unpaid;
 * `{ headers }` first retries once with these headers added (e.g. a sign-in proof) and returns
 * that answer unless it is 402 again, in which case the payment proceeds.
 */
export type OnPaymentRequired = (
  event: PaymentRequiredEvent,
) =>
  | undefined
  | false
  | { headers: Record<string, string> }
  | Promise<undefined | false | { headers: Record<string, string> }>;

/** Options of {@link wrapFetchWithPayment}. */
export type WrapFetchOptions = {
  onPaymentRequired?: OnPaymentRequired;
  /**
   * Most payments this wrapped fetch makes over its lifetime (a spending safety net for
   * agents); default unlimited. Past it, a 402 throws `X402Error` (`no_acceptable_payment_option`).
   */
  maxPayments?: number;
  /**
   * The `payment-identifier` id to use for this request's payment when the 402 declares the
   * extension; `undefined` lets the client make a fresh one. An agent that stores the id before
   * paying and passes it again after a crash gets the first payment's result, not a second charge.
   */
  paymentIdentifier?: (request: Request) => string | undefined;
  /**
   * While the server answers that the settlement is pending (`PAYMENT-RESPONSE` with
   * `errorReason: 'settlement_pending'`, status 202), wait `Retry-After` and re-send the request
   * with the same payment header (never a new signature). Default `{ maxRetries: 5, maxDelayMs: 10000 }`;
   * `false` returns the pending answer to the caller.
   */
  pendingSettlement?: PendingSettlementOption;
  log?: Log;
};

/**
 * Wrap `fetch` so that x402 402 answers are paid automatically.
 *
 * Behaviour:
 * - a status other than 402 is returned as is;
 * - the 402's offers come from `PAYMENT-REQUIRED` (v2), or from a JSON body with
 *   `x402Version: 1` (v1); a 402 with neither is not x402 and is returned as is;
 * - the client engine pays ONCE and the request is re-sent (its body is buffered up front so it
 *   can be sent twice, streams included) with `PAYMENT-SIGNATURE` (v2) or `X-PAYMENT` (v1);
 * - a paid retry answered "settlement pending" (202 with `PAYMENT-RESPONSE`
 *   `errorReason: 'settlement_pending'`) is re-sent with the SAME payment after `Retry-After`,
 *   up to `pendingSettlement.maxRetries` times, then returned as it stands;
 * - a paid retry answered 402 with a refusal the scheme lists in `retryableRefusals` (e.g.
 *   `batch-settlement`'s corrective 402 or busy channel) is signed ONCE more against that 402,
 *   after its `Retry-After` (default 100 ms, at most 2 s), and re-sent;
 * - whatever else answers the paid retry is returned, a 402 included: it is never paid again;
 * - if the caller's request already carried `PAYMENT-SIGNATURE` or `X-PAYMENT`, its 402 is
 *   returned as is (no second payment is attempted);
 * - the payment's outcome ({@link paymentOutcomeOf}, `unknown` when no answer came) is reported to
 *   the client with `reportOutcome`, so its budget keeps a paid one, gives back a refused one and
 *   keeps an unknown one counted.
 * Throws `X402Error` when it cannot pay: the engine's reason (`no_acceptable_payment_option` for
 * no usable offer or a policy refusal such as an amount cap), `invalid_payment_header` for a
 * malformed `PAYMENT-REQUIRED`, `invalid_payment_requirements` for a malformed v1 body.
 * Read the settlement with {@link getPaymentResponse}.
 *
 * @example
 * const client = createX402Client({ schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer }) }] });
 * const pay = wrapFetchWithPayment(fetch, client, { maxPayments: 10 });
 * const res = await pay('https://api.example.com/weather');
 * console.log(res.status, getPaymentResponse(res)?.transaction);
 */
export function wrapFetchWithPayment(
  fetchImpl: FetchLike,
  client: X402Client,
  options: WrapFetchOptions = {},
): FetchLike {
  const deps: PayingFetch = {
    fetchImpl,
    client,
    options,
    emit: createEmitter(options.log),
    signer: createPaymentSigner(client, options.maxPayments),
    pendingLimits: pendingRetryLimits(options.pendingSettlement),
  };
  return (input, init) => payingFetch(deps, input, init);
}

/** What every request of one wrapped fetch shares: the fetch, the client, its budget and options. */
type PayingFetch = {
  fetchImpl: FetchLike;
  client: X402Client;
  options: WrapFetchOptions;
  emit: Emit;
  signer: PaymentSigner;
  pendingLimits: PendingRetryLimits | undefined;
};

/** A caller's request with its body buffered, so it can be sent again with more headers. */
type BufferedRequest = { base: Request; build: (extra?: Record<string, string>) => Request };

/** One request of the wrapped fetch: sent, and its 402 paid once when it is x402's to pay. */
async function payingFetch(
  deps: PayingFetch,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): Promise<Response> {
  const { fetchImpl, emit } = deps;
  const request = await bufferRequest(input, init);
  const { base, build } = request;
  const first = await fetchImpl(build());
  const carriesPayment =
    base.headers.has(HeaderNames.paymentSignature) || base.headers.has(HeaderNames.xPayment);
  if (first.status !== 402) {
    return carriesPayment ? untilSettled(deps, first, () => fetchImpl(build()), base) : first;
  }
  if (carriesPayment) {
    emit('warn', 'the request already carried a payment header and was answered 402; not paying again', {
      url: base.url,
    });
    return first;
  }
  const paymentRequired = await readPaymentRequired(first);
  if (!paymentRequired) {
    emit('debug', 'a 402 without x402 payment requirements; returned as is', { url: base.url });
    return first;
  }
  const instead = await askBeforePaying(deps, request, paymentRequired, first);
  if (instead) return instead;
  const paymentIdentifier = deps.options.paymentIdentifier?.(build());
  await discard(first);
  return payAndRetryRefusal(deps, request, paymentRequired, paymentIdentifier);
}

/** Buffer the request's body up front (streams included) so it can be sent more than once. */
async function bufferRequest(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): Promise<BufferedRequest> {
  const base = new Request(input, init);
  const body = base.body === null ? null : await base.arrayBuffer();
  const build = (extra?: Record<string, string>): Request => {
    const headers = new Headers(base.headers);
    if (extra) for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    return new Request(base, { body, headers });
  };
  return { base, build };
}

/**
 * The caller's `onPaymentRequired` decision: the answer to return instead of paying (the 402 when
 * it declines, the retry with its headers unless that is 402 again), or undefined to pay.
 */
async function askBeforePaying(
  deps: PayingFetch,
  { build }: BufferedRequest,
  paymentRequired: AnyPaymentRequired,
  first: Response,
): Promise<Response | undefined> {
  if (!deps.options.onPaymentRequired) return undefined;
  const decision = await deps.options.onPaymentRequired({
    paymentRequired,
    request: build(),
    response: first,
  });
  if (decision === false) return first;
  if (typeof decision === 'object') {
    const answer = await deps.fetchImpl(build(decision.headers));
    if (answer.status !== 402) {
      await discard(first);
      return answer;
    }
    await discard(answer);
  }
  return undefined;
}

/** Pay the 402 and send; a refusal the scheme may sign once more against gets one more payment. */
async function payAndRetryRefusal(
  deps: PayingFetch,
  request: BufferedRequest,
  paymentRequired: AnyPaymentRequired,
  paymentIdentifier: string | undefined,
): Promise<Response> {
  const { base } = request;
  const first = await payAndSend(deps, request, paymentRequired, paymentIdentifier);
  let paid = first.answer;
  const retry = paid.status === 402 ? await retryableRefusalOf(deps.client, paid, first.payload) : undefined;
  if (retry) {
    // the scheme asked for one more signature against this 402 (a corrective 402, a busy channel)
    deps.emit('info', `the payment was refused (${retry.reason}); signing once more against the new 402`, {
      url: base.url,
    });
    await discard(paid);
    await sleep(refusalRetryDelayMs(paid.headers.get('retry-after')), base.signal);
    paid = (await payAndSend(deps, request, retry.paymentRequired, paymentIdentifier)).answer;
  }
  if (paid.status === 402)
    deps.emit('warn', 'the server answered 402 after payment; not paying again', { url: base.url });
  return paid;
}

/** The 402 answering the last payment, when its scheme may sign once more against it. */
async function retryableRefusalOf(client: X402Client, answer: Response, lastPayload: AnyPaymentPayload) {
  const again = await readPaymentRequired(answer).catch(() => undefined);
  if (!again || !client.isRetryableRefusal(lastPayload, again)) return undefined;
  return { paymentRequired: again, reason: again.x402Version === 2 ? again.error : undefined };
}

/** Sign one payment for `required`, send it (re-sending while pending), report its outcome. */
async function payAndSend(
  deps: PayingFetch,
  { base, build }: BufferedRequest,
  required: AnyPaymentRequired,
  id: string | undefined,
): Promise<{ payload: AnyPaymentPayload; answer: Response }> {
  const { client, fetchImpl } = deps;
  const { payload, headers: paidHeaders } = await deps.signer.sign(required, id);
  deps.emit('info', `paying with x402 v${payload.x402Version}`, { url: base.url });
  const send = () => fetchImpl(build(paidHeaders));
  const answer = await sendReportingOutcome(
    client,
    payload,
    async () => untilSettled(deps, await send(), send, base),
    (paid) => ({ outcome: paymentOutcomeOf(paid), settlement: getPaymentResponse(paid) }),
  );
  return { payload, answer };
}

/** Re-send the same paid request while its settlement is reported pending. */
function untilSettled(
  { emit, pendingLimits }: PayingFetch,
  answer: Response,
  send: () => Promise<Response>,
  { url, signal }: Request,
): Promise<Response> {
  return resendWhilePending(answer, {
    limits: pendingLimits,
    isPending: isSettlementPending,
    delayMs: (current) => retryAfterMs(current.headers.get('retry-after')),
    resend: send,
    onRetry: async (current, { attempt, delay }) => {
      const transaction = getPaymentResponse(current)?.transaction;
      emit(
        'info',
        `settlement pending${transaction ? ` (${transaction})` : ''}; re-sending the same payment in ${delay} ms`,
        { url, attempt },
      );
      await discard(current);
    },
    onGiveUp: () => emit('warn', 'the settlement is still pending; returning the pending answer', { url }),
    signal,
  });
}

/**
 * The x402 offers of a 402 response: the `PAYMENT-REQUIRED` header (v2), else a JSON body with
 * `x402Version: 1`. Returns undefined when the response carries neither; throws `X402Error`
 * when the data is there but malformed. The response body stays readable.
 *
 * @example
 * const offers = await readPaymentRequired(response); // { x402Version: 2, accepts: [...], ... }
 */
export async function readPaymentRequired(response: Response): Promise<AnyPaymentRequired | undefined> {
  const header = response.headers.get(HeaderNames.paymentRequired);
  if (header !== null || response.body === null) return paymentRequiredOf(header, undefined);
  let json: unknown;
  try {
    json = JSON.parse(await response.clone().text());
  } catch {
    return undefined;
  }
  return paymentRequiredOf(null, json);
}

/**
 * The settlement a paid response reports in `PAYMENT-RESPONSE` (or the v1 `X-PAYMENT-RESPONSE`),
 * validated; undefined when absent or malformed.
 *
 * @example
 * const settlement = getPaymentResponse(await pay(url));
 * if (settlement?.success) console.log('paid in', settlement.transaction);
 */
export function getPaymentResponse(response: Response): SettleResponse | undefined {
  return settlementOf(
    response.headers.get(HeaderNames.paymentResponse) ?? response.headers.get(HeaderNames.xPaymentResponse),
  );
}

/**
 * How a paid request ended, read from its answer, for a budget: `paid` when `PAYMENT-RESPONSE`
 * reports success; `refused` when the payment is proven not charged (a settlement that failed, or a
 * 402 answer without one: verification refused it); `unknown` otherwise (pending, a
 * `duplicate_settlement` refusal: this authorization is spent elsewhere, a 2xx without a settlement,
 * a 5xx): it stays counted.
 *
 * @example paymentOutcomeOf(await pay(url)) // 'paid'
 */
export function paymentOutcomeOf(response: Response): PaymentOutcome {
  return outcomeOf(response.status, getPaymentResponse(response));
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // already consumed or errored: nothing to release
  }
}
