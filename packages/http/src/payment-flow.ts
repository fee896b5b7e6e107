/**
 * What the steps of a paid request share: the resource-server engine, the replies, the log, and
 * this process's memory of payments (outputs held while a settlement is pending, payments in
 * progress, payments granted, responses kept per payment id); and the types that travel between
 * the steps.
 */
import type {
  AnyPaymentPayload,
  Emit,
  PaymentRequirements,
  ResourceInfo,
  ResourceServer,
  SettleResponse,
} from '@x402kit/core';
import { createExpiringMap, type ExpiringMap } from '@x402kit/core/internal';
import type { BufferedResponse, PaymentReply } from './buffered-response.js';
import type { PaymentReplies } from './payment-replies.js';
import type { RouteOffers } from './route-offers.js';
import type { CompiledRoute, RouteContext } from './route-table.js';

/** Runs the downstream handler and returns its response (the core buffers a Web `Response`). */
export type RunHandler = () => Promise<Response | BufferedResponse>;

/** What the core decided. */
export type PaymentResult =
  /** Not a paid route: run the handler normally, without buffering. */
  | { type: 'unprotected' }
  /**
   * The core's own answer (402, 412, 400, 409, 500, or 202 while the settlement is pending). If the
   * handler ran, its output is discarded.
   */
  | { type: 'reply'; reply: PaymentReply; settlement?: SettleResponse }
  /** The handler's answer: settled (with `PAYMENT-RESPONSE`), or its own error status (no settlement). */
  | { type: 'response'; response: BufferedResponse; settlement?: SettleResponse };

/** A handler's output waiting for its payment to settle, and the amount its overrides asked. */
export type HeldOutput = { response: BufferedResponse; amount?: string };

/** The paid response of a payment id, with the payment it was bought with. */
export type IdentifiedResponse = {
  payload: AnyPaymentPayload;
  response: BufferedResponse;
  settlement: SettleResponse;
};

/** A paid request on a protected route, before the payment is read. */
export type RouteCall = { route: CompiledRoute; ctx: RouteContext; offers: RouteOffers };

/** What one paid request carries through the flow. */
export type Call = RouteCall & {
  payload: AnyPaymentPayload;
  requirements: PaymentRequirements;
  resource: ResourceInfo;
  /** This request's grant attempt (or the pending attempt it continues). */
  attempt: string;
  paymentId: string | undefined;
  /** The payment's signed part, canonical: what this process's guard keys on. */
  grantKey: string;
};

export type PaymentFlowOptions = {
  server: ResourceServer;
  replies: PaymentReplies;
  emit: Emit;
  v1: boolean;
  maxPaymentHeaderLength: number;
  pendingRetryAfterSeconds: number;
  assetDecimals: ((requirements: PaymentRequirements) => number | undefined) | undefined;
  grantMemory: { ttlMs?: number; maxEntries?: number };
};

/** The shared part of every step. */
export type PaymentFlow = Omit<PaymentFlowOptions, 'grantMemory'> & {
  /** Handler outputs of payments whose settlement is pending, by attempt: delivered to their retry, once. */
  held: ExpiringMap<string, HeldOutput>;
  /**
   * Payments a request of this process is handling now: a concurrent copy is refused at once (a
   * retry under the same payment id waits for the first request's response instead).
   */
  active: Map<string, Promise<PaymentResult>>;
  /** Payments this process granted, with their receipt: a replay is refused without asking the facilitator. */
  granted: ExpiringMap<string, SettleResponse>;
  /** The paid response of each payment id (routes with `payment-identifier`): its retries get it again. */
  identified: ExpiringMap<string, IdentifiedResponse>;
};

/**
 * The flow's shared part, its memory sized by `grantMemory` (default 10 minutes, 1000 entries;
 * 10 000 granted payments).
 *
 * @example
 * const flow = createPaymentFlow({ server, replies, emit, v1: true, maxPaymentHeaderLength: 16384, pendingRetryAfterSeconds: 2, assetDecimals: undefined, grantMemory: {} })
 */
export function createPaymentFlow(options: PaymentFlowOptions): PaymentFlow {
  const { grantMemory, ...shared } = options;
  const ttlMs = grantMemory.ttlMs ?? 600_000;
  const maxEntries = grantMemory.maxEntries ?? 1_000;
  return {
    ...shared,
    held: createExpiringMap({ ttlMs, maxEntries }),
    active: new Map(),
    granted: createExpiringMap({ ttlMs, maxEntries: 10_000 }),
    identified: createExpiringMap({ ttlMs, maxEntries }),
  };
}

/**
 * A 500 for a failure on our side, logged with the route.
 *
 * @example
 * return { type: 'reply', reply: internalError(flow, error, 'building payment requirements failed', route) }
 */
export function internalError(
  flow: PaymentFlow,
  error: unknown,
  what: string,
  route: CompiledRoute,
): PaymentReply {
  flow.emit('error', `${what} for route "${route.key}": ${describe(error)}`, { route: route.key });
  return flow.replies.internalError(error);
}

/** The network a payment names (v2 in `accepted`, v1 at the top). */
export function networkOfPayload(payload: AnyPaymentPayload): string {
  return payload.x402Version === 2 ? payload.accepted.network : payload.network;
}

/** A copy of a kept response, so each delivery has its own headers and body. */
export function copyOf(response: BufferedResponse): BufferedResponse {
  return {
    ...response,
    headers: new Headers(response.headers),
    body: response.body === null ? null : response.body.slice(),
  };
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
