/**
 * The paying `fetch`: send the request; on an x402 402, pay once with the client engine and
 * send the same request again with the payment header. It never loops.
 */
import {
  type AnyPaymentRequired,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  describeIssues,
  encodePaymentSignatureHeader,
  HeaderNames,
  PaymentRequiredV1,
  Reasons,
  type SettleResponse,
  type X402Client,
  X402Error,
} from '@x402kit/core';
import { createEmitter, type Log } from './log.js';

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
 * - whatever answers the paid retry is returned, a 402 included: it is never retried;
 * - if the caller's request already carried `PAYMENT-SIGNATURE` or `X-PAYMENT`, its 402 is
 *   returned as is (no second payment is attempted).
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
  const emit = createEmitter(options.log);
  const maxPayments = options.maxPayments ?? Number.POSITIVE_INFINITY;
  let payments = 0;

  return async (input, init) => {
    const base = new Request(input, init);
    const body = base.body === null ? null : await base.arrayBuffer();
    const build = (extra?: Record<string, string>): Request => {
      const headers = new Headers(base.headers);
      if (extra) for (const [name, value] of Object.entries(extra)) headers.set(name, value);
      return new Request(base, { body, headers });
    };

    const first = await fetchImpl(build());
    if (first.status !== 402) return first;
    if (base.headers.has(HeaderNames.paymentSignature) || base.headers.has(HeaderNames.xPayment)) {
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

    if (options.onPaymentRequired) {
      const decision = await options.onPaymentRequired({
        paymentRequired,
        request: build(),
        response: first,
      });
      if (decision === false) return first;
      if (typeof decision === 'object') {
        const answer = await fetchImpl(build(decision.headers));
        if (answer.status !== 402) {
          await discard(first);
          return answer;
        }
        await discard(answer);
      }
    }

    if (payments >= maxPayments) {
      throw new X402Error(
        Reasons.noAcceptablePaymentOption,
        `payment budget used up: this fetch may pay ${maxPayments} time(s); create a new wrapper or raise maxPayments`,
      );
    }
    payments++;
    let payload: Awaited<ReturnType<X402Client['createPaymentPayload']>>;
    try {
      payload = await client.createPaymentPayload(paymentRequired);
    } catch (error) {
      payments--;
      throw error;
    }
    await discard(first);
    const headerName = payload.x402Version === 2 ? HeaderNames.paymentSignature : HeaderNames.xPayment;
    emit('info', `paying with x402 v${payload.x402Version}`, { url: base.url });
    const paid = await fetchImpl(build({ [headerName]: encodePaymentSignatureHeader(payload) }));
    if (paid.status === 402)
      emit('warn', 'the server answered 402 after payment; not retrying', { url: base.url });
    return paid;
  };
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
  if (header !== null) return decodePaymentRequiredHeader(header);
  if (response.body === null) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(await response.clone().text());
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || (json as { x402Version?: unknown }).x402Version !== 1)
    return undefined;
  const parsed = PaymentRequiredV1.safeParse(json);
  if (!parsed.success) {
    throw new X402Error(
      Reasons.invalidPaymentRequirements,
      `the 402 body is not a valid x402 v1 document: ${describeIssues(parsed.error.issues)}`,
    );
  }
  return parsed.data;
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
  const value =
    response.headers.get(HeaderNames.paymentResponse) ?? response.headers.get(HeaderNames.xPaymentResponse);
  if (value === null) return undefined;
  try {
    return decodePaymentResponseHeader(value);
  } catch {
    return undefined;
  }
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // already consumed or errored: nothing to release
  }
}
