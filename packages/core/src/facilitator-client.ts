/**
 * A facilitator reached over HTTP (`POST /verify`, `POST /settle`, `GET /supported`), and the
 * {@link FacilitatorClient} interface the resource server talks to. The in-process engine from
 * `createFacilitator` satisfies the same interface, so a server can skip HTTP entirely.
 */
import { z } from 'zod';
import type { FacilitatorCallOptions, ReleaseResponse } from './facilitator.js';
import { sleep } from './internal/sleep.js';
import { describeIssues, X402Error } from './protocol/errors.js';
import { Reasons } from './protocol/reasons.js';
import {
  type AnyPaymentPayload,
  type AnyPaymentRequirements,
  SettleResponse,
  SupportedResponse,
  VerifyResponse,
} from './protocol/schemas.js';

/** A facilitator as the resource server calls it (`createHttpFacilitatorClient` gives one over HTTP). */
export type FacilitatorClient = {
  verify(
    payload: AnyPaymentPayload,
    requirements: AnyPaymentRequirements,
    options?: FacilitatorCallOptions,
  ): Promise<VerifyResponse>;
  settle(
    payload: AnyPaymentPayload,
    requirements: AnyPaymentRequirements,
    options?: FacilitatorCallOptions,
  ): Promise<SettleResponse>;
  /**
   * Give up what `options.attempt` reserved at verify (x402kit facilitators: `POST /release`).
   * Optional: facilitators without reservations have nothing to give up.
   */
  release?(
    payload: AnyPaymentPayload,
    requirements: AnyPaymentRequirements,
    options?: FacilitatorCallOptions,
  ): Promise<ReleaseResponse>;
  supported(): Promise<SupportedResponse>;
};

/** The request header that carries {@link FacilitatorCallOptions.attempt} over HTTP. */
export const ATTEMPT_HEADER = 'x402-attempt';

/** What an attempt id may look like on the wire: 8 to 128 characters of `[A-Za-z0-9._:-]`. */
export const ATTEMPT_PATTERN = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * A fresh, unguessable attempt id (128 random bits).
 *
 * @example const attempt = createAttemptId() // 'att_3f9c…'
 */
export function createAttemptId(): string {
  return `att_${globalThis.crypto.randomUUID().replaceAll('-', '')}`;
}

/**
 * Is the outcome of a failed facilitator call unknown (it may have been acted upon)? False only
 * when nothing was acted upon: the connection was refused, the host not found, or the facilitator
 * answered a 4xx refusal. A timeout, a reset, a 5xx or an unreadable answer leave it unknown.
 *
 * @example if (isOutcomeUnknown(error)) answerPending()
 */
export function isOutcomeUnknown(error: unknown): boolean {
  if (!(error instanceof X402Error) || error.reason !== Reasons.facilitatorUnavailable) return true;
  return Reflect.get(error.details ?? {}, 'outcomeUnknown') !== false;
}

/** Options of `createHttpFacilitatorClient`. */
export type HttpFacilitatorClientOptions = {
  /** Base URL, e.g. `http://127.0.0.1:4022` (a trailing `/` is ignored). */
  url: string;
  /** `Authorization: Bearer <token>` on every call (AEON-style keys). */
  bearerToken?: string;
  /** `X-API-KEY: <key>` on every call (BofAI-style keys). */
  apiKey?: string;
  /** Extra headers, fixed or per endpoint. */
  headers?: Record<string, string> | ((endpoint: Endpoint) => Record<string, string>);
  /** Per-attempt timeout; default 30 s. */
  timeoutMs?: number;
  /** How many times to retry after HTTP 429 (honouring Retry-After up to 5 s); default 3. */
  maxRetries?: number;
  fetch?: typeof fetch;
};

/**
 * Create a client for a facilitator's HTTP API.
 *
 * @example
 * const facilitator = createHttpFacilitatorClient({ url: 'http://127.0.0.1:4022', bearerToken: process.env.KEY })
 * const { kinds } = await facilitator.supported()
 */
export function createHttpFacilitatorClient(
  options: HttpFacilitatorClientOptions,
): FacilitatorClient & { url: string } {
  const http: HttpFacilitator = {
    options,
    base: options.url.replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: options.maxRetries ?? 3,
    doFetch: options.fetch ?? fetch,
  };
  return {
    url: http.base,
    verify: (payload, requirements, opts) =>
      call(http, 'verify', VerifyResponse, request(payload, requirements), opts),
    settle: (payload, requirements, opts) =>
      call(http, 'settle', SettleResponse, request(payload, requirements), opts),
    release: (payload, requirements, opts) =>
      call(http, 'release', ReleaseResponseSchema, request(payload, requirements), opts),
    supported: () => call(http, 'supported', SupportedResponse),
  };
}

/** One facilitator's HTTP settings, with the defaults applied. */
type HttpFacilitator = {
  options: HttpFacilitatorClientOptions;
  base: string;
  timeoutMs: number;
  maxRetries: number;
  doFetch: typeof fetch;
};

function headersFor(options: HttpFacilitatorClientOptions, endpoint: Endpoint): Record<string, string> {
  const h: Record<string, string> = {};
  if (options.bearerToken) h.authorization = `Bearer ${options.bearerToken}`;
  if (options.apiKey) h['x-api-key'] = options.apiKey;
  const extra = typeof options.headers === 'function' ? options.headers(endpoint) : options.headers;
  return { ...h, ...extra };
}

function request(payload: AnyPaymentPayload, requirements: AnyPaymentRequirements) {
  return { x402Version: payload.x402Version, paymentPayload: payload, paymentRequirements: requirements };
}

/** One endpoint's call: retried after HTTP 429, its answer parsed with `schema`. */
async function call<S extends z.ZodType>(
  http: HttpFacilitator,
  endpoint: Endpoint,
  schema: S,
  body?: unknown,
  options?: FacilitatorCallOptions,
): Promise<z.infer<S>> {
  const init: RequestInit = {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headersFor(http.options, endpoint),
      ...(options?.attempt === undefined ? {} : { [ATTEMPT_HEADER]: options.attempt }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
  for (let attempt = 0; ; attempt++) {
    const response = await send(http, endpoint, init);
    if (response.status === 429 && attempt < http.maxRetries) {
      await response.body?.cancel();
      await sleep(retryDelay(response.headers.get('retry-after'), attempt));
      continue;
    }
    return readAnswer(http, endpoint, schema, response);
  }
}

/** The request sent once, within the timeout; a failure says whether it may have been acted upon. */
async function send(http: HttpFacilitator, endpoint: Endpoint, init: RequestInit): Promise<Response> {
  const { base, timeoutMs } = http;
  try {
    return await http.doFetch(`${base}/${endpoint}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const why =
      error instanceof Error && error.name === 'TimeoutError'
        ? `timed out after ${timeoutMs} ms`
        : describeFetchError(error);
    throw new X402Error(Reasons.facilitatorUnavailable, `facilitator ${base}/${endpoint} ${why}`, {
      cause: error,
      details: { outcomeUnknown: !neverSent(error) },
    });
  }
}

/** The answer parsed with `schema`, or an `X402Error` saying what was wrong with it. */
async function readAnswer<S extends z.ZodType>(
  http: HttpFacilitator,
  endpoint: Endpoint,
  schema: S,
  response: Response,
): Promise<z.infer<S>> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  // A facilitator may answer a refused payment with a non-2xx status and a valid body; keep its reason.
  if (parsed.success) return parsed.data;
  if (!response.ok) {
    throw new X402Error(
      Reasons.facilitatorUnavailable,
      `facilitator ${http.base}/${endpoint} answered HTTP ${response.status}: ${text.slice(0, 300) || '(empty body)'}`,
      { details: { status: response.status, outcomeUnknown: response.status >= 500 } },
    );
  }
  throw new X402Error(
    Reasons.facilitatorUnavailable,
    `facilitator ${http.base}/${endpoint} answered out of protocol: ${describeIssues(parsed.error.issues)}`,
  );
}

type Endpoint = 'verify' | 'settle' | 'release' | 'supported';

const ReleaseResponseSchema = z.object({ released: z.boolean() });

/** Connection refused or host unknown: the request never left this process. */
function neverSent(error: unknown): boolean {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : undefined;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

function retryDelay(retryAfter: string | null, attempt: number): number {
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 5000);
  return Math.min(250 * 2 ** attempt, 2000);
}

function describeFetchError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return `is unreachable: ${cause ?? (error instanceof Error ? error.message : String(error))}`;
}
