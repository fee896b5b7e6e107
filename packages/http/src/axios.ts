/**
 * axios adapter of the paying client: a response interceptor that pays an x402 402 once with the
 * client engine and sends the request again with the payment header. The 402 parsing, the
 * budgeted signing and the settlement reading are the paying fetch's (`pay-once.ts`).
 */
import { createEmitter, HeaderNames, type Log, type SettleResponse, type X402Client } from '@x402kit/core';
import type { AxiosInstance, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import { createPaymentSigner, outcomeOf, paymentRequiredOf, settlementOf } from './pay-once.js';

/** Options of {@link withPaymentInterceptor}. */
export type AxiosPaymentOptions = {
  /**
   * Most payments this instance makes over its lifetime; default unlimited. Past it, a 402
   * rejects with `X402Error` (`no_acceptable_payment_option`) before signing.
   */
  maxPayments?: number;
  /** The `payment-identifier` id of a request's payment when the 402 declares the extension. */
  paymentIdentifier?: (config: InternalAxiosRequestConfig) => string | undefined;
  log?: Log;
};

/**
 * Make an axios instance pay x402 402 answers: the offers come from `PAYMENT-REQUIRED` (v2) or
 * an `x402Version: 1` JSON body; the client engine pays once (its policies, such as amount caps
 * and budgets, apply) and the request is sent again with `PAYMENT-SIGNATURE` (v2) or `X-PAYMENT`
 * (v1). Whatever answers the paid request is the result (a 402 included: it is never paid
 * twice), and its outcome is reported to the client's budget. A request that already carried a
 * payment header is not paid again. Works whether 402 rejects (axios' default `validateStatus`)
 * or resolves. A pending settlement (202) is returned as it stands. Returns the same instance.
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
  const signer = createPaymentSigner(client, options.maxPayments);
  const emit = createEmitter(options.log);

  /** A 402 answer, paid once; undefined when it is not x402's to pay. */
  async function pay(answer: AxiosResponse): Promise<AxiosResponse | undefined> {
    const config = answer.config;
    if (
      header(config.headers, HeaderNames.paymentSignature) ??
      header(config.headers, HeaderNames.xPayment)
    ) {
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
    const { payload, headers } = await signer.sign(paymentRequired, options.paymentIdentifier?.(config));
    emit('info', `paying with x402 v${payload.x402Version}`, { url: config.url });
    for (const [name, value] of Object.entries(headers)) config.headers.set(name, value);
    let paid: AxiosResponse;
    try {
      paid = await instance.request(config);
    } catch (error) {
      const response = responseOf(error);
      await client.reportOutcome(
        payload,
        response ? outcomeOfAxios(response) : 'unknown',
        response ? getAxiosPaymentResponse(response) : undefined,
      );
      throw error;
    }
    await client.reportOutcome(payload, outcomeOfAxios(paid), getAxiosPaymentResponse(paid));
    return paid;
  }

  instance.interceptors.response.use(
    async (response) => (response.status === 402 ? ((await pay(response)) ?? response) : response),
    async (error: unknown) => {
      const response = responseOf(error);
      if (response?.status !== 402) throw error;
      const paid = await pay(response);
      if (paid === undefined) throw error;
      return paid;
    },
  );
  return instance;
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
