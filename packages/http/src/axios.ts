/**
 * axios adapter of the paying client: a response interceptor that pays an x402 402 once with the
 * client engine and sends the request again with the payment header, then re-sends that same
 * payment while the server reports its settlement pending. The 402 parsing, the budgeted signing
 * and the settlement reading are the paying fetch's (`pay-once.ts`, `pending-settlement.ts`); the
 * pending re-send loop and its limits are every paying client's (`resendWhilePending` in core).
 */
import {
  type AnyPaymentRequired,
  createEmitter,
  type Emit,
  HeaderNames,
  type Log,
  Reasons,
  type SettleResponse,
  type X402Client,
} from '@x402kit/core';
import { pendingRetryLimits, resendWhilePending, sleep } from '@x402kit/core/internal';
import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import {
  createPaymentSigner,
  outcomeOf,
  type PaymentSigner,
  paymentRequiredOf,
  refusalRetryDelayMs,
  settlementOf,
} from './pay-once.js';
import { type PendingSettlementOption, retryAfterMs } from './pending-settlement.js';

/** Options of {@link withPaymentInterceptor}. */
export type AxiosPaymentOptions = {
  /**
   * Most payments this instance makes over its lifetime; default unlimited. Past it, a 402
   * rejects with `X402Error` (`no_acceptable_payment_option`) before signing.
   */
  maxPayments?: number;
  /** The `payment-identifier` id of a request's payment when the 402 declares the extension. */
  paymentIdentifier?: (config: InternalAxiosRequestConfig) => string | undefined;
  /**
   * While the server answers that the settlement is pending (202, or 503, with `PAYMENT-RESPONSE`
   * `errorReason: 'settlement_pending'`), wait `Retry-After` (at most `maxDelayMs`) and re-send the
   * request with the same payment header (never a new signature), up to `maxRetries` times.
   * Default `{ maxRetries: 5, maxDelayMs: 10000 }`; `false` returns the pending answer as it is.
   */
  pendingSettlement?: PendingSettlementOption;
  log?: Log;
};

/**
 * Make an axios instance pay x402 402 answers: the offers come from `PAYMENT-REQUIRED` (v2) or
 * an `x402Version: 1` JSON body; the client engine pays once (its policies, such as amount caps
 * and budgets, apply) and the request is sent again with `PAYMENT-SIGNATURE` (v2) or `X-PAYMENT`
 * (v1). Whatever answers the paid request is the result (a 402 included: it is never paid
 * twice), and its outcome is reported to the client's budget. A request that already carried a
 * payment header is not paid again. Works whether 402 rejects (axios' default `validateStatus`)
 * or resolves. While the paid request's settlement is reported pending (202 `settlement_pending`),
 * the same payment is re-sent after `Retry-After` (see `pendingSettlement`); a request that carried
 * its own payment header is waited out the same way. Returns the same instance.
 *
 * @example
 * const api = withPaymentInterceptor(axios.create({ baseURL: 'https://api.example.com' }), client, { maxPayments: 10 });
 * const res = await api.get('/weather');
 * console.log(res.data, getAxiosPaymentResponse(res)?.transaction);
 */
export function withPaymentInterceptor<I extends AxiosInstance>(
  instance: I,
  client: X402Client,
  options: AxiosPaymentOptions = {},
): I {
  const emit = createEmitter(options.log);
  const deps: PayingAxios = {
    instance,
    client,
    options,
    signer: createPaymentSigner(client, options.maxPayments),
    emit,
  };
  const untilSettled = createPendingRetry(instance, options.pendingSettlement, emit);
  instance.interceptors.response.use(
    async (response) => {
      if (response.status === 402) return (await pay(deps, response)) ?? response;
      return untilSettled(response, undefined);
    },
    async (error: unknown) => {
      const response = responseOf(error);
      if (response?.status !== 402) return response ? untilSettled(response, error) : Promise.reject(error);
      const paid = await pay(deps, response);
      if (paid === undefined) throw error;
      return paid;
    },
  );
  return instance;
}

/** What the interceptor of one instance shares: the instance, the client, its budget and options. */
type PayingAxios = {
  instance: AxiosInstance;
  client: X402Client;
  options: AxiosPaymentOptions;
  signer: PaymentSigner;
  emit: Emit;
};

/** A 402 answer, paid once; undefined when it is not x402's to pay. */
async function pay(deps: PayingAxios, answer: AxiosResponse): Promise<AxiosResponse | undefined> {
  const { emit } = deps;
  const config = answer.config;
  if (header(config.headers, HeaderNames.paymentSignature) ?? header(config.headers, HeaderNames.xPayment)) {
    emit('warn', 'the request already carried a payment header and was answered 402; not paying again', {
      url: config.url,
    });
    return undefined;
  }
  const paymentRequired = paymentRequiredOf(
    header(answer.headers, HeaderNames.paymentRequired),
    jsonBody(answer.data),
  );
  if (!paymentRequired) return undefined;
  const first = await payAndSend(deps, config, paymentRequired);
  const refused = first.response?.status === 402 ? refusalOf(first.response) : undefined;
  if (!refused || !deps.client.isRetryableRefusal(first.payload, refused)) return first.answer();
  // the scheme asked for one more signature against this 402 (a corrective offer, a busy channel)
  emit(
    'info',
    `the payment was refused (${refused.x402Version === 2 ? refused.error : ''}); signing once more`,
    {
      url: config.url,
    },
  );
  await sleep(refusalRetryDelayMs(header(first.response?.headers, 'retry-after')));
  return (await payAndSend(deps, config, refused)).answer();
}

/** Sign one payment for `paymentRequired`, send `config` with it, report the outcome; the answer. */
async function payAndSend(
  { instance, client, options, signer, emit }: PayingAxios,
  config: AxiosResponse['config'],
  paymentRequired: AnyPaymentRequired,
) {
  const { payload, headers } = await signer.sign(paymentRequired, options.paymentIdentifier?.(config));
  emit('info', `paying with x402 v${payload.x402Version}`, { url: config.url });
  for (const [name, value] of Object.entries(headers)) config.headers.set(name, value);
  try {
    const paid = await instance.request(config);
    await client.reportOutcome(payload, outcomeOfAxios(paid), getAxiosPaymentResponse(paid));
    return { payload, response: paid as AxiosResponse | undefined, answer: async () => paid };
  } catch (error) {
    const response = responseOf(error);
    await client.reportOutcome(
      payload,
      response ? outcomeOfAxios(response) : 'unknown',
      response ? getAxiosPaymentResponse(response) : undefined,
    );
    return {
      payload,
      response,
      answer: async (): Promise<AxiosResponse> => {
        throw error;
      },
    };
  }
}

/** The offers of a 402 that answered a payment, when it carries them. */
function refusalOf(answer: AxiosResponse): AnyPaymentRequired | undefined {
  try {
    return paymentRequiredOf(header(answer.headers, HeaderNames.paymentRequired), jsonBody(answer.data));
  } catch {
    return undefined;
  }
}

/** Marks the re-sends of a pending payment, so their own answers are not waited out twice. */
const PENDING_RESEND = 'x402kitPendingResend';

/**
 * What the interceptor does with a paid request's answer other than 402: while it reports the
 * settlement pending, re-send the request as it was (the same payment header) after `Retry-After`.
 * `error` is the rejection the answer came with (axios' `validateStatus`), thrown again when it stands.
 */
function createPendingRetry(
  instance: AxiosInstance,
  option: PendingSettlementOption | undefined,
  emit: Emit,
): (answer: AxiosResponse, error: unknown) => Promise<AxiosResponse> {
  const limits = pendingRetryLimits(option);
  return async (answer, error) => {
    const config = answer.config;
    const paid =
      header(config.headers, HeaderNames.paymentSignature) ?? header(config.headers, HeaderNames.xPayment);
    if (!limits || paid === undefined || Reflect.get(config, PENDING_RESEND) === true || !isPending(answer)) {
      if (error !== undefined) throw error;
      return answer;
    }
    const current = await resendWhilePending<{ answer: AxiosResponse; error: unknown }>(
      { answer, error },
      {
        limits,
        isPending: (pair) => isPending(pair.answer),
        delayMs: (pair) => retryAfterMs(header(pair.answer.headers, 'retry-after') ?? null),
        resend: () => {
          const resend = { ...config };
          Reflect.set(resend, PENDING_RESEND, true);
          return instance.request(resend).then(
            (response: AxiosResponse) => ({ answer: response, error: undefined }),
            (failure: unknown) => {
              const response = responseOf(failure);
              if (!response) throw failure;
              return { answer: response, error: failure };
            },
          );
        },
        onRetry: (pair, { attempt, delay }) => {
          const transaction = getAxiosPaymentResponse(pair.answer)?.transaction;
          emit('info', `settlement pending (${transaction}); re-sending the same payment in ${delay} ms`, {
            url: config.url,
            attempt,
          });
        },
        onGiveUp: () =>
          emit('warn', 'the settlement is still pending; returning the pending answer', { url: config.url }),
        signal: config.signal instanceof AbortSignal ? config.signal : undefined,
      },
    );
    if (current.error !== undefined) throw current.error;
    return current.answer;
  };
}

/** Does this answer report a pending settlement (202 or 503 with the pending `PAYMENT-RESPONSE`)? */
function isPending(response: AxiosResponse): boolean {
  if (response.status !== 202 && response.status !== 503) return false;
  const settlement = getAxiosPaymentResponse(response);
  return (
    settlement !== undefined && !settlement.success && settlement.errorReason === Reasons.settlementPending
  );
}

/**
 * The settlement an axios response reports in `PAYMENT-RESPONSE` (or the v1
 * `X-PAYMENT-RESPONSE`), validated; undefined when absent or malformed.
 *
 * @example
 * const settlement = getAxiosPaymentResponse(await api.get('/weather'));
 * if (settlement?.success) console.log('paid in', settlement.transaction);
 */
export function getAxiosPaymentResponse(
  response: Pick<AxiosResponse, 'headers'>,
): SettleResponse | undefined {
  return settlementOf(
    header(response.headers, HeaderNames.paymentResponse) ??
      header(response.headers, HeaderNames.xPaymentResponse),
  );
}

function outcomeOfAxios(response: AxiosResponse) {
  return outcomeOf(response.status, getAxiosPaymentResponse(response));
}

function responseOf(error: unknown): AxiosResponse | undefined {
  if (typeof error !== 'object' || error === null || !('response' in error)) return undefined;
  const response = (error as { response?: unknown }).response;
  return typeof response === 'object' && response !== null && 'status' in response && 'config' in response
    ? (response as AxiosResponse)
    : undefined;
}

/** A header of axios' request or response headers (an `AxiosHeaders`, or a plain object). */
function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  const value =
    typeof get === 'function'
      ? get.call(headers, name)
      : Object.entries(headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? value.join(', ') : undefined;
}

/** A response body as JSON whatever `responseType` read it as; undefined when it is not JSON. */
function jsonBody(data: unknown): unknown {
  let text: string;
  if (typeof data === 'string') text = data;
  else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data))
    text = new TextDecoder().decode(
      data instanceof ArrayBuffer ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
  else return data;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
