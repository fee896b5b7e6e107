/**
 * The answers the payment core writes itself: the unpaid 402, the 402/412 after a refused
 * payment, the 402 after a failed settlement, and the 400/500 for unreadable paths and server
 * misconfiguration. Every 402 carries `Cache-Control: no-store` and the CORS expose list.
 */
import {
  type AnyPaymentPayload,
  encodeBase64,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  HeaderNames,
  PaymentIdentifierReasons,
  Reasons,
  type ResourceServer,
  type SettleResponse,
  X402Error,
} from '@x402kit/core';
import type { PaymentReply } from './buffered-response.js';
import { createNonce, type PaywallOptions, renderPaywallPage } from './paywall/paywall-page.js';
import { EXPOSE_HEADERS_VALUE, NO_STORE } from './response-headers.js';
import {
  documentBody,
  type RouteOffers,
  resourceOf,
  UNPAID_ERROR,
  UNPAID_ERROR_V1,
  v1Document,
} from './route-offers.js';
import type { CompiledRoute, ResponseBody, RouteContext } from './route-table.js';

/** Builds the core's own replies. */
export type PaymentReplies = {
  unpaid(route: CompiledRoute, ctx: RouteContext, offers: RouteOffers): Promise<PaymentReply>;
  /**
   * The unpaid 402 for a browser: the paywall page (`text/html`, its own CSP), still with
   * `PAYMENT-REQUIRED`; undefined when the paywall is disabled.
   */
  paywall(route: CompiledRoute, ctx: RouteContext, offers: RouteOffers): PaymentReply | undefined;
  refused(
    route: CompiledRoute,
    ctx: RouteContext,
    offers: RouteOffers,
    error: string,
    status?: number,
  ): PaymentReply;
  settlementFailed(
    route: CompiledRoute,
    ctx: RouteContext,
    offers: RouteOffers,
    payload: AnyPaymentPayload,
    settlement: SettleResponse,
  ): Promise<PaymentReply>;
  /**
   * 202 Accepted while the settlement transaction is sent but not yet confirmed: `PAYMENT-RESPONSE`
   * (`success: false`, `errorReason: 'settlement_pending'`, the hash) and `Retry-After`. No
   * `PAYMENT-REQUIRED`: the client must present the same payment again, not pay anew.
   */
  settlementPending(
    payload: AnyPaymentPayload,
    settlement: SettleResponse,
    retryAfterSeconds: number,
  ): PaymentReply;
  invalidPath(message: string): PaymentReply;
  /** 500 for a server-side failure; the body names only the reason code. */
  internalError(error: unknown): PaymentReply;
};

/** Options of {@link createPaymentReplies}. */
type PaymentRepliesOptions = {
  server: ResourceServer;
  v1: boolean;
  /** Unpaid 402 bodies carry the v1 document instead of the v2 one (for v1-only clients). */
  v1UnpaidBody?: boolean;
  paywall?: PaywallOptions;
};

/**
 * Create the reply builders of a payment handler.
 *
 * @example
 * const replies = createPaymentReplies({ server, v1: true });
 * return replies.refused(route, ctx, offers, 'No matching payment requirements');
 */
export function createPaymentReplies(options: PaymentRepliesOptions): PaymentReplies {
  return {
    unpaid: (route, ctx, offers) => unpaidReply(options, route, ctx, offers),
    paywall: (route, ctx, offers) => paywallReply(options, route, ctx, offers),
    refused: (route, ctx, offers, error, status = 402) =>
      refusedReply(options, route, ctx, offers, error, status),
    settlementFailed: (route, ctx, offers, payload, settlement) =>
      settlementFailedReply(route, ctx, offers, payload, settlement),
    settlementPending: settlementPendingReply,
    invalidPath: invalidPathReply,
    internalError: internalErrorReply,
  };
}

function paymentRequiredHeaders(encoded: string): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    [HeaderNames.paymentRequired]: encoded,
    'Cache-Control': NO_STORE,
    'Access-Control-Expose-Headers': EXPOSE_HEADERS_VALUE,
  };
}

function extensionsOf(route: CompiledRoute) {
  return route.config.extensions ? { extensions: route.config.extensions } : {};
}

/** The unpaid 402: the route's precomputed template when it has one, else built for this request. */
async function unpaidReply(
  { server, v1, v1UnpaidBody }: PaymentRepliesOptions,
  route: CompiledRoute,
  ctx: RouteContext,
  offers: RouteOffers,
): Promise<PaymentReply> {
  const custom = route.config.unpaidResponseBody ? await route.config.unpaidResponseBody(ctx) : undefined;
  let header: string;
  let body: string | undefined;
  const template = offers.unpaid;
  if (template) {
    const url = route.config.resource ?? ctx.url;
    if (template.lastUrl !== url || template.lastHeader === undefined) {
      const urlJson = JSON.stringify(url).slice(1, -1);
      template.lastHeader = encodeBase64(template.headerParts.join(urlJson));
      template.lastBody = template.bodyParts?.join(urlJson);
      template.lastUrl = url;
    }
    header = template.lastHeader;
    body = template.lastBody;
  } else {
    const resource = resourceOf(route, ctx);
    const paymentRequired = server.createPaymentRequired(offers.accepts, resource, {
      error: UNPAID_ERROR,
      ...extensionsOf(route),
    });
    header = encodePaymentRequiredHeader(paymentRequired);
    const forV1 = v1UnpaidBody ?? false;
    body = documentBody(paymentRequired, resource, { v1, v1Document: forV1 }, UNPAID_ERROR_V1);
  }
  const headers = paymentRequiredHeaders(header);
  if (custom) {
    headers['Content-Type'] = custom.contentType;
    return { status: 402, headers, body: serializeBody(custom) };
  }
  return { status: 402, headers, body: body ?? '{}' };
}

/** The unpaid 402 for a browser: the paywall page; undefined when the paywall is disabled. */
function paywallReply(
  options: PaymentRepliesOptions,
  route: CompiledRoute,
  ctx: RouteContext,
  offers: RouteOffers,
): PaymentReply | undefined {
  const paywall = options.paywall ?? {};
  if (paywall.disabled) return undefined;
  const paymentRequired = options.server.createPaymentRequired(offers.accepts, resourceOf(route, ctx), {
    error: UNPAID_ERROR,
    ...extensionsOf(route),
  });
  const nonce = createNonce();
  const page = renderPaywallPage(paymentRequired, paywall, ctx.method, nonce);
  return {
    status: 402,
    headers: {
      ...paymentRequiredHeaders(encodePaymentRequiredHeader(paymentRequired)),
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': page.contentSecurityPolicy,
      'X-Content-Type-Options': 'nosniff',
    },
    body: page.html,
  };
}

/** The 402 (or `status`) after a refused payment: the offers again, with the refusal as their error. */
function refusedReply(
  { server, v1 }: PaymentRepliesOptions,
  route: CompiledRoute,
  ctx: RouteContext,
  offers: RouteOffers,
  error: string,
  status: number,
): PaymentReply {
  const resource = resourceOf(route, ctx);
  const paymentRequired = server.createPaymentRequired(offers.accepts, resource, {
    error,
    ...extensionsOf(route),
  });
  // a v1 client (its payment in X-PAYMENT) reads the refusal from a v1 document
  const body = documentBody(paymentRequired, resource, { v1, v1Document: isV1Request(ctx) }, error);
  return {
    status,
    headers: paymentRequiredHeaders(encodePaymentRequiredHeader(paymentRequired)),
    body: body ?? '{}',
  };
}

/** The 402 (409 for a reused payment id) after a failed settlement, with its `PAYMENT-RESPONSE`. */
async function settlementFailedReply(
  route: CompiledRoute,
  ctx: RouteContext,
  offers: RouteOffers,
  payload: AnyPaymentPayload,
  settlement: SettleResponse,
): Promise<PaymentReply> {
  const encoded = encodePaymentResponseHeader(settlement);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    [HeaderNames.paymentResponse]: encoded,
    'Cache-Control': NO_STORE,
    'Access-Control-Expose-Headers': EXPOSE_HEADERS_VALUE,
  };
  if (payload.x402Version === 1) headers[HeaderNames.xPaymentResponse] = encoded;
  const custom = route.config.settlementFailedResponseBody
    ? await route.config.settlementFailedResponseBody(ctx, settlement)
    : undefined;
  // the id was used with another payment: a conflict, not a payment to make
  const status = settlement.errorReason === PaymentIdentifierReasons.conflict ? 409 : 402;
  if (custom) {
    headers['Content-Type'] = custom.contentType;
    return { status, headers, body: serializeBody(custom) };
  }
  // a v1 client reads the failure from a v1 document; a v2 client from PAYMENT-RESPONSE
  const body =
    payload.x402Version === 1
      ? v1Document(
          offers.accepts,
          resourceOf(route, ctx),
          settlement.errorReason ?? Reasons.unexpectedSettleError,
        )
      : undefined;
  return { status, headers, body: body ?? '{}' };
}

/** The 202 while the settlement is pending: `PAYMENT-RESPONSE` with the hash, and `Retry-After`. */
function settlementPendingReply(
  payload: AnyPaymentPayload,
  settlement: SettleResponse,
  retryAfterSeconds: number,
): PaymentReply {
  const encoded = encodePaymentResponseHeader(settlement);
  const seconds = Math.max(0, Math.ceil(retryAfterSeconds));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    [HeaderNames.paymentResponse]: encoded,
    'Retry-After': String(seconds),
    'Cache-Control': NO_STORE,
    'Access-Control-Expose-Headers': `${EXPOSE_HEADERS_VALUE}, Retry-After`,
  };
  if (payload.x402Version === 1) headers[HeaderNames.xPaymentResponse] = encoded;
  const body = JSON.stringify({
    status: Reasons.settlementPending,
    transaction: settlement.transaction,
    network: settlement.network,
    retryAfterSeconds: seconds,
    message: 'the payment is being settled; send the same request with the same payment header again',
  });
  return { status: 202, headers, body };
}

/** 400 for a request path that cannot be read. */
function invalidPathReply(message: string): PaymentReply {
  return {
    status: 400,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': NO_STORE },
    body: JSON.stringify({ error: Reasons.invalidPath, message }),
  };
}

/** 500 for a server-side failure; the body names only the reason code. */
function internalErrorReply(error: unknown): PaymentReply {
  return {
    status: 500,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': NO_STORE },
    body: JSON.stringify({ error: error instanceof X402Error ? error.reason : 'internal_error' }),
  };
}

/** A request whose payment came in the v1 header only. */
function isV1Request(ctx: RouteContext): boolean {
  const headers = ctx.request.headers;
  return headers.has(HeaderNames.xPayment) && !headers.has(HeaderNames.paymentSignature);
}

function serializeBody(custom: ResponseBody): string | Uint8Array<ArrayBuffer> {
  const { body } = custom;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return JSON.stringify(body);
}
