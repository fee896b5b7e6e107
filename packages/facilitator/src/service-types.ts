/**
 * The types of the facilitator service: the transport-neutral request and answer, the
 * authentication and authorization hooks, extra routes and the per-request event.
 */
import type { Facilitator } from '@x402kit/core';
import type { FeeQuoter } from './fee-quote.js';
import type { Log } from './log.js';

/** Default cap on a verify/settle body: 64 KiB (a smart-wallet payload is a few KB). */
export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

/** Reads one header, case-insensitively; `null` when absent. The Web `Headers` class fits. */
export type HeaderReader = { get(name: string): string | null };

/** The endpoints of the facilitator service, as named in logs, metrics and auth decisions. */
export type FacilitatorEndpoint =
  | 'verify'
  | 'settle'
  | 'release'
  | 'supported'
  | 'health'
  | 'close'
  | 'feeQuote'
  | 'payments'
  | 'discovery'
  | 'metrics';

/** What an {@link Authenticate} hook sees. It runs before the body is read. */
export type AuthenticationRequest = {
  endpoint: Exclude<FacilitatorEndpoint, 'health'>;
  method: string;
  path: string;
  headers: HeaderReader;
  /** The peer's IP address, when the transport knows it (the Node server does). */
  remoteAddress?: string;
};

/** What `Authenticate` answers: the caller's principal, or the status and reason of a refusal. */
export type AuthenticationResult =
  | { ok: true; principal?: string }
  | {
      ok: false;
      status: 401 | 403 | 429;
      /** Reason code put in the answer's `error` field, e.g. `unauthorized`, `rate_limited`. */
      reason: string;
      message: string;
      /** Sent as `Retry-After` (useful with 429). */
      retryAfterSeconds?: number;
    };

/** Decides whether a request may use the service (API keys, rate limits). Must not throw. */
export type Authenticate = (request: AuthenticationRequest) => Promise<AuthenticationResult>;

/** What an {@link Authorize} hook sees: the parsed body of a `/verify` or `/settle` request. */
export type AuthorizationRequest = {
  endpoint: 'verify' | 'settle' | 'release';
  /** The principal {@link Authenticate} returned, if any. */
  principal?: string;
  paymentPayload: Record<string, unknown>;
  paymentRequirements: Record<string, unknown>;
};

/** What `Authorize` answers: allowed, or a 403 with its reason. */
export type AuthorizationResult = { ok: true } | { ok: false; status: 403; reason: string; message: string };

/**
 * Decides, once the body is parsed, whether the caller may ask for this payment (an API key's
 * payTo / asset allow-list). Must not throw.
 */
export type Authorize = (request: AuthorizationRequest) => AuthorizationResult | Promise<AuthorizationResult>;

/**
 * An extra route mounted under a path prefix (the ledger's `/payments`, `/metrics`). It handles its
 * own methods; unless `public`, it runs behind {@link Authenticate}.
 */
export type ServiceRoute = {
  /** `/payments` matches `/payments` and `/payments/...`. */
  prefix: string;
  endpoint: 'payments' | 'metrics' | 'discovery';
  public?: boolean;
  handle(exchange: ServiceExchange): Promise<ServiceReply>;
};

/** What `GET /health` reports; `ok: false` answers 503. */
export type HealthReport = { ok: boolean; details?: Record<string, unknown> };

/** One handled request, for metrics and access logs. */
export type ServiceRequestEvent = {
  endpoint: FacilitatorEndpoint | undefined;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  principal?: string;
  /** The `error` of a non-200 answer, or the `invalidReason` / `errorReason` of a refused payment. */
  reason?: string;
  /** The payment's scheme and network (/verify and /settle with a well-formed body). */
  scheme?: string;
  network?: string;
  /** For /verify and /settle answered 200. */
  outcome?: 'valid' | 'invalid' | 'settled' | 'failed';
  /** The payer and settlement transaction of a /verify or /settle answer, when known. */
  payer?: string;
  transaction?: string;
  /** When the request arrived (epoch ms). */
  startedAt?: number;
  /** The request's W3C `traceparent` header, if any (tracing). */
  traceparent?: string;
};

/** Options of `createFacilitatorService`. */
export type FacilitatorServiceOptions = {
  /** The engine (`createFacilitator` from `@x402kit/core`, or `createEvmFacilitator`). */
  facilitator: Facilitator;
  /** Largest accepted verify/settle body; default {@link DEFAULT_BODY_LIMIT_BYTES}. */
  bodyLimitBytes?: number;
  log?: Log;
  /** Runs before every endpoint but `/health`; absent means open access. */
  authenticate?: Authenticate;
  /** Backs `GET /health`; absent means always `{"status":"ok"}`. */
  checkHealth?: () => Promise<HealthReport>;
  /**
   * Enables `POST /close` (the x402 e2e harness stops facilitators with it): the service answers
   * `{"status":"closing"}` and then calls this. Absent means `/close` is a 404.
   */
  onClose?: () => void;
  /** Called once per request after the answer is ready (metrics). Must not throw. */
  observe?: (event: ServiceRequestEvent) => void;
  /**
   * Enables `POST /fee/quote` (BofAI's fee quote for `exact_permit`), e.g. the `quoteFee` of
   * `createEvmFacilitator({ fees })`. Absent means `/fee/quote` is a 404.
   */
  feeQuote?: FeeQuoter;
  /** Runs after the body of /verify and /settle is parsed; absent means every payment is allowed. */
  authorize?: Authorize;
  /** Extra routes (see {@link ServiceRoute}). */
  routes?: readonly ServiceRoute[];
};

/** A transport-neutral request: what the service needs from any HTTP server. */
export type ServiceExchange = {
  method: string;
  /** The request target; a query string is ignored. */
  path: string;
  headers: HeaderReader;
  remoteAddress?: string;
  /**
   * Reads the whole body, at most `limit` bytes. Resolves `undefined` as soon as the body proves
   * larger (reading stops there); rejects when the body cannot be read (the client went away).
   */
  readBody(limit: number): Promise<Uint8Array | undefined>;
};

/** A transport-neutral answer. The body is always JSON text. */
export type ServiceReply = {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The `error` code of a non-200 answer. */
  error?: string;
  /** The request body was not read to the end: the connection must not be reused. */
  closeConnection?: boolean;
};

/** What `createFacilitatorService` returns. */
export type FacilitatorService = {
  /** The Web-standard handler (Bun, Deno, Hono, `@hono/node-server`, tests). */
  fetch(request: Request): Promise<Response>;
  /** The same logic without `Request`/`Response` objects, for fast adapters. */
  handle(exchange: ServiceExchange): Promise<ServiceReply>;
  readonly bodyLimitBytes: number;
};
