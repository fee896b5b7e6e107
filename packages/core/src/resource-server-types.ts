/**
 * The resource-server engine's types: the payment options of a route, the options and hooks of
 * `createResourceServer`, and the engine itself. A file of their own, so the engine's parts
 * (`resource-server-calls.ts`, `supported-cache.ts`, `pending-settlements.ts`) read them without
 * importing the engine.
 */
import type { FacilitatorClient } from './facilitator-client.js';
import type { Price } from './money.js';
import type {
  AnyPaymentPayload,
  PaymentRequired,
  PaymentRequirements,
  ResourceInfo,
  SettleResponse,
  SupportedResponse,
  VerifyResponse,
} from './protocol/schemas.js';
import type { SchemeServer, SessionVerdict } from './scheme.js';

/** One way a route can be paid. Functions are evaluated per request with the transport's context. */
export type PaymentOption<Ctx = unknown> = {
  scheme: string;
  network: string;
  payTo: string | ((ctx: Ctx) => string | Promise<string>);
  price: Price | ((ctx: Ctx) => Price | Promise<Price>);
  /** Default 300. */
  maxTimeoutSeconds?: number;
  /** Merged over the scheme's own `extra`. */
  extra?: Record<string, unknown>;
};

/** One scheme server the resource server uses on a network or pattern. */
export type ServerSchemeRegistration = { network: string; server: SchemeServer };

/** A payment payload with the offer it pays, as the resource server's hooks see it. */
export type PaymentCall = { payload: AnyPaymentPayload; requirements: PaymentRequirements };
type Abort = { abort: true; reason: string; message?: string };

/** Hooks around the resource server's verify and settle calls (`before*` may refuse). */
export type ResourceServerHooks = {
  beforeVerify?: (call: PaymentCall) => Promise<Abort | undefined> | Abort | undefined;
  afterVerify?: (call: PaymentCall, result: VerifyResponse) => Promise<void> | void;
  beforeSettle?: (call: PaymentCall) => Promise<Abort | undefined> | Abort | undefined;
  afterSettle?: (call: PaymentCall, result: SettleResponse) => Promise<void> | void;
};

/** Options of `createResourceServer`. */
export type ResourceServerOptions = {
  /** One or more facilitators; the first that supports a kind serves it. */
  facilitators: FacilitatorClient | FacilitatorClient[];
  schemes: ServerSchemeRegistration[];
  hooks?: ResourceServerHooks;
  /** How long a failed `/supported` lookup is remembered before trying again; default 5 s. */
  retrySupportedAfterMs?: number;
  /**
   * How long a request may wait for a `/supported` lookup before its offers are built without
   * the facilitator's data; default 2 s. A slow facilitator must not stall every 402.
   */
  supportedWaitMs?: number;
  /**
   * Payments whose settlement is pending (the facilitator answered `settlement_pending`, or the
   * settle call failed in a way that leaves its outcome unknown) are remembered with their grant
   * attempt, so the client's retry of the SAME payload continues that attempt
   * ({@link ResourceServer.takePending}) instead of being refused as a replay. Default: 10 minutes,
   * 10 000 payments.
   */
  pendingSettlements?: { ttlMs?: number; maxEntries?: number };
};

/**
 * Per-call options: the grant `attempt` (one request's verify, settle and release carry the same
 * id, see `createAttemptId`) and the resource, needed for v1 requirements.
 */
export type PaymentCallOptions = { resource?: ResourceInfo; attempt?: string };

/** A pending payment taken over by its retry: the attempt to continue, and the payer when known. */
export type PendingPayment = { attempt: string | undefined; payer?: string };

/** One facilitator's `/supported`, as {@link ResourceServer.facilitatorSupport} reports it. */
export type FacilitatorSupport = {
  /** Its URL, or `facilitator #<n>` for one without (an in-process engine). */
  name: string;
  /** Its answer; absent while it cannot be reached. */
  supported?: SupportedResponse;
  /** Why there is no answer. */
  error?: string;
};

/** What `createResourceServer` returns. */
export type ResourceServer = {
  /** Fetch `/supported` from every facilitator. Never throws: a facilitator that is down is retried later. */
  initialize(): Promise<void>;
  /**
   * Each facilitator's `/supported` answer (asked now when not known yet), or why it has none: what
   * a startup check compares the routes against. Never throws.
   */
  facilitatorSupport(): Promise<FacilitatorSupport[]>;
  /** Offers for this request, in the order of `options`. */
  buildRequirements<Ctx>(options: PaymentOption<Ctx>[], ctx: Ctx): Promise<PaymentRequirements[]>;
  /** A 402 document; schemes with `paymentRequiredExtensions` add theirs on every call. */
  createPaymentRequired(
    accepts: PaymentRequirements[],
    resource: ResourceInfo,
    options?: { error?: string; extensions?: Record<string, unknown> },
  ): PaymentRequired;
  /** True when a 402 for these offers carries per-call data, so it must not be cached. */
  hasDynamicExtensions(accepts: PaymentRequirements[]): boolean;
  /** The offer the payment was made against: deep equality of `accepted` (v2), or scheme+network (v1). */
  findMatchingRequirements(
    accepts: PaymentRequirements[],
    payload: AnyPaymentPayload,
  ): PaymentRequirements | undefined;
  /**
   * Have a facilitator verify the payment. With an `attempt`, an x402kit facilitator also reserves
   * the payment for it: any other request presenting the same payment is refused
   * (`duplicate_settlement`) until this attempt settles or releases it.
   */
  verify(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
    options?: PaymentCallOptions,
  ): Promise<SessionVerdict>;
  /**
   * Have a facilitator settle the payment. `settlement_pending` comes back when the transaction is
   * sent but not confirmed, and also when the call failed in a way that leaves its outcome unknown
   * (timeout, reset, 5xx): either way the payment is remembered for its retry.
   */
  settle(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
    options?: PaymentCallOptions & { amount?: string },
  ): Promise<SettleResponse>;
  /**
   * The checks only this server can make before a facilitator sees the payment (the scheme's
   * `checkPayment`, e.g. an `exact_permit` context it issued): the refusal, or `undefined`. `verify`
   * runs them itself; a flow that settles without verifying first calls this.
   */
  checkPayment(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<VerifyResponse | undefined>;
  /** Give up the attempt's reservation (the handler failed; nothing will be settled). Never throws. */
  release(
    payload: AnyPaymentPayload,
    requirements: PaymentRequirements,
    options?: PaymentCallOptions,
  ): Promise<void>;
  /**
   * The pending settlement of this exact payload, removed from memory so that exactly one retry
   * continues it (a concurrent copy finds nothing and is verified like any replay); put back by
   * `settle` if it is still pending.
   */
  takePending(payload: AnyPaymentPayload, requirements: PaymentRequirements): PendingPayment | undefined;
  /** True while this payment's settlement was last answered `settlement_pending`. */
  isSettlementPending(payload: AnyPaymentPayload, requirements: PaymentRequirements): boolean;
  /**
   * Whether the scheme registered for `scheme` on `network` keeps state per payer (a `session`, as
   * `batch-settlement`'s channels): its payments are verified and settled through that session.
   */
  hasSession(scheme: string, network: string): boolean;
};
