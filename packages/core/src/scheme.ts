/**
 * The scheme plug-in interfaces: one per role. A chain package implements these for each
 * scheme (`exact` on EVM, ...) and registers them with the engines; the engines and the HTTP
 * layer never import chain code.
 *
 * Schemes always see the v2 shapes. v1 documents are normalized at the engine edge
 * (see `protocol/v1.ts`); `ctx.x402Version` tells a scheme which version the wire used, for
 * the few places where reason strings differ.
 */
import type { ParsedPrice, Price } from './money.js';
import type {
  PaymentPayload,
  PaymentRequirements,
  ResourceInfo,
  SettleResponse,
  SupportedKind,
  VerifyResponse,
  X402Version,
} from './protocol/schemas.js';

/** Client role: turns chosen requirements into a signed scheme payload. */
export type SchemeClient = {
  readonly scheme: string;
  createPaymentPayload(
    requirements: PaymentRequirements,
    ctx: SchemeClientContext,
  ): Promise<SchemeClientResult>;
  /**
   * For schemes that keep client-side state per payment (the channels of `batch-settlement`): called
   * by the engine with the settlement (`PAYMENT-RESPONSE`) that answered a v2 payment this scheme
   * built, successful or not, so the scheme can check it and advance its state. Never throws for a
   * bad settlement: it records the distrust and refuses the next payment instead.
   */
  onSettlement?(payload: PaymentPayload, settlement: SettleResponse): Promise<void> | void;
  /**
   * Refusal reasons (the 402's `error`) after which the paid request may be signed ONCE more against
   * the new 402, whose offer may carry state the scheme adopts (a "corrective 402", or a busy channel).
   * The transports never retry more than once per request.
   */
  readonly retryableRefusals?: readonly string[];
};

/** What a scheme client knows of the 402 it pays: the protocol version, the resource, the extensions. */
export type SchemeClientContext = {
  x402Version: X402Version;
  resource?: ResourceInfo;
  /** Extensions the server declared in its 402 (the client may enrich them). */
  extensions?: Record<string, unknown>;
};

/** What a scheme client produces: the scheme's payload and any extension objects. */
export type SchemeClientResult = {
  payload: Record<string, unknown>;
  /** Per-key extension objects, shallow-merged over the server's declarations. */
  extensions?: Record<string, unknown>;
};

/** Server role: turns a route price into requirements for one network. */
export type SchemeServer = {
  readonly scheme: string;
  /** Price -> amount, asset and scheme `extra` (e.g. the token's EIP-712 domain). */
  parsePrice(price: Price, network: string): ParsedPrice | Promise<ParsedPrice>;
  /**
   * Final touch on a requirement before it is offered: add what the facilitator advertises
   * for this kind (e.g. a fee payer) or what the scheme needs in `extra`. Must be deterministic:
   * the requirement is rebuilt on the paid retry and compared by deep equality.
   */
  enhanceRequirements?(requirements: PaymentRequirements, ctx: SchemeServerContext): PaymentRequirements;
  /**
   * Extension declarations this scheme adds to every 402 that offers it, such as a server-chosen
   * nonce and validity window (`paymentPermitContext` of `exact_permit`). Called for each 402
   * built and never cached, unlike requirements; merged over the route's own extensions.
   */
  paymentRequiredExtensions?(
    offered: PaymentRequirements[],
    ctx: { resource: ResourceInfo },
  ): Record<string, unknown> | undefined;
  /**
   * A check only the server that built the 402 can make, run by the engine before it asks the
   * facilitator to verify: e.g. that an `exact_permit`'s nonce and payment id are ones this server
   * issued for this offer and not yet used by another permit. Answers the refusal, or `undefined`
   * to go on. Never throws for bad input. `requirements` is the offer the payment matched.
   */
  checkPayment?(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<SchemePaymentRefusal | undefined>;
  /**
   * For schemes that keep payment state on the resource server (the channels of `batch-settlement`):
   * the scheme takes over verify, settle and release of its payments, and the engine hands it the
   * facilitator chosen for the kind. Without it, the engine asks the facilitator directly.
   */
  session?: SchemeServerSession;
  /**
   * Fields of `extra` that may differ between the offer and the payment's `accepted` (state the
   * server sent one payer, such as `batch-settlement`'s `channelState`): left out when matching.
   */
  dynamicExtraFields?: readonly string[];
};

/**
 * A scheme's own handling of its payments on the resource server (see {@link SchemeServer.session}).
 * One request's verify, settle and release carry the same `attempt`; the scheme serializes what must
 * be serialized (one request per channel) and answers refusals with reason codes, never throws for bad
 * input.
 */
export type SchemeServerSession = {
  /** Judge the payment (locally, or through `ctx.facilitator`) and reserve what it spends for `ctx.attempt`. */
  verify(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    ctx: SchemeSessionContext,
  ): Promise<SessionVerdict>;
  /** Commit the attempt after its handler succeeded: charge `ctx.amount` (default `requirements.amount`). */
  settle(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    ctx: SchemeSessionContext & { amount?: string },
  ): Promise<SettleResponse>;
  /** Give up the attempt's reservation (its handler failed); never throws. */
  release(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    ctx: SchemeSessionContext,
  ): Promise<void>;
};

/** What a scheme session gets with each call: the attempt and the facilitator that serves the kind. */
export type SchemeSessionContext = {
  /** The grant attempt (one per request); undefined only for calls outside a request. */
  attempt?: string;
  /** The facilitator chosen for this scheme and network. */
  facilitator: SessionFacilitator;
};

/** The facilitator as a scheme session calls it (the engine adds the wire version and the attempt). */
export type SessionFacilitator = {
  verify(payload: PaymentPayload, requirements: PaymentRequirements): Promise<VerifyResponse>;
  settle(payload: PaymentPayload, requirements: PaymentRequirements): Promise<SettleResponse>;
};

/** A scheme session's verdict: the verify answer, with what only a session can add. */
export type SessionVerdict = VerifyResponse & {
  /**
   * On a refusal: the offer as it should be re-sent to this payer (e.g. the channel's state in
   * `extra`, a "corrective 402"), in place of the offer the payment matched.
   */
  correctedRequirements?: PaymentRequirements;
  /**
   * On success: the answer that stands in for the paid handler (a payment operation such as a
   * cooperative refund, which buys no resource). The handler does not run; settle still does.
   */
  skipHandler?: { status?: number; contentType: string; body: unknown };
};

/** Why a scheme server refuses a payment before verification: a reason code and what to do. */
export type SchemePaymentRefusal = { reason: string; message: string };

/** What a scheme server knows of its facilitator when building requirements. */
export type SchemeServerContext = {
  /** The facilitator's `/supported` kind for this scheme and network, when known. */
  supportedKind?: SupportedKind;
  /** Extension keys the facilitator advertises. */
  facilitatorExtensions: readonly string[];
};

/** Facilitator role: verifies and settles payloads of one scheme on the networks it serves. */
export type SchemeFacilitator = {
  readonly scheme: string;
  /** CAIP family pattern used as the key of `/supported.signers`, e.g. `eip155:*`. */
  readonly family: string;
  /** `extra` advertised in `/supported` for this network (e.g. `{ facilitatorAddress }`). */
  getExtra?(network: string): Record<string, unknown> | undefined;
  /** Addresses this facilitator signs or pays gas with on `network`. */
  getSigners(network: string): string[];
  verify(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    ctx: SchemeFacilitatorContext,
  ): Promise<VerifyResponse>;
  settle(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    ctx: SchemeFacilitatorContext,
  ): Promise<SettleResponse>;
};

/** What a scheme facilitator receives with each verify or settle call. */
export type SchemeFacilitatorContext = {
  /** The protocol version used on the wire (reason strings differ slightly for v1). */
  x402Version: X402Version;
  /** Aborts long work (receipt waits) when the caller goes away or the service shuts down. */
  signal?: AbortSignal;
  /**
   * Called once a settlement transaction has been broadcast, before its receipt is awaited, so a
   * ledger can record the hash (and a restarted instance can find the transaction).
   */
  onBroadcast?: (transaction: string) => Promise<void> | void;
};
