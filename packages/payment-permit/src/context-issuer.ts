/**
 * The resource server's half of `paymentPermitContext`: it issues a fresh context (nonce, payment id,
 * window) in every 402 and remembers it, and refuses a permit whose context it did not issue, issued
 * for other offers, altered, or already used by another permit. BofAI's own servers issue contexts
 * but never check them, so with them a client may sign a nonce and window of its own choosing; the
 * PaymentPermit contract only stops the same buyer from reusing a nonce.
 */
import {
  AUTHORIZATION_LIFETIME_SKEW_SECONDS,
  type PaymentRequirements,
  type SchemePaymentRefusal,
  type SchemeServer,
} from '@x402kit/core';
import { type Hex, keccak256, stringToHex } from 'viem';
import {
  type CreatePaymentPermitContextOptions,
  createPaymentPermitContext,
  DEFAULT_CONTEXT_WINDOW_SECONDS,
  PAYMENT_PERMIT_CONTEXT_KEY,
  type PaymentPermitContext,
} from './context.js';
import {
  createMemoryPaymentPermitContextStore,
  type PaymentPermitContextStore,
  paymentPermitContextKey,
} from './context-store.js';
import { ExactPermitReasons } from './reasons.js';
import type { PaymentPermitMessage } from './typed-data.js';

/** Options of {@link createPaymentPermitContextIssuer}. */
export type PaymentPermitContextIssuerOptions = {
  /** Where issued contexts are kept; default an in-process {@link createMemoryPaymentPermitContextStore}. */
  store?: PaymentPermitContextStore;
  /**
   * Nonce and payment-id sources and the window's skew. `validForSeconds` can only shorten the
   * window, which is the smallest `maxTimeoutSeconds` of the offers (the facilitator refuses a permit
   * valid for longer).
   */
  context?: Omit<CreatePaymentPermitContextOptions, 'now'>;
  /** Unix seconds; default the clock. */
  now?: () => number;
};

/** Issues contexts and checks permits against them; one per scheme server. */
export type PaymentPermitContextIssuer = {
  /** A fresh context for a 402 offering `offered` (this scheme's offers), remembered as issued. */
  issue(offered: readonly PaymentRequirements[]): PaymentPermitContext;
  /**
   * The refusal for `permit` paying `requirements`, or `undefined` when its context is one this
   * server issued for that offer, unaltered, and not used by another permit (the same permit again
   * passes: a retry, or a replay the ledger answers `duplicate_settlement`).
   */
  check(
    permit: PaymentPermitMessage,
    signature: string,
    requirements: PaymentRequirements,
  ): Promise<SchemePaymentRefusal | undefined>;
};

/**
 * Create the context issuer of an `exact_permit` scheme server.
 *
 * @example
 * const contexts = createPaymentPermitContextIssuer();
 * const extensions = { paymentPermitContext: contexts.issue(offered) };
 * const refusal = await contexts.check(permit, signature, requirements); // undefined: go on
 */
export function createPaymentPermitContextIssuer(
  options: PaymentPermitContextIssuerOptions = {},
): PaymentPermitContextIssuer {
  const issuer: Issuer = {
    options,
    store: options.store ?? createMemoryPaymentPermitContextStore(),
    clock: options.now ?? (() => Math.floor(Date.now() / 1000)),
    writing: new Map<string, Promise<void>>(),
  };
  return {
    issue: (offered) => issueContext(issuer, offered),
    check: (permit, signature, requirements) => checkPermitContext(issuer, permit, signature, requirements),
  };
}

/** One issuer's store and clock, shared by `issue` and `check`. */
type Issuer = {
  options: PaymentPermitContextIssuerOptions;
  store: PaymentPermitContextStore;
  clock: () => number;
  /** Writes to an asynchronous store still under way, so a payment racing its 402 waits for them. */
  writing: Map<string, Promise<void>>;
};

function issueContext(issuer: Issuer, offered: readonly PaymentRequirements[]): PaymentPermitContext {
  const { options, writing } = issuer;
  const now = issuer.clock();
  const validForSeconds = contextWindowSeconds(offered, options.context?.validForSeconds);
  const context = createPaymentPermitContext({ ...options.context, validForSeconds, now });
  const { paymentId, nonce, validAfter, validBefore } = context.meta;
  const key = paymentPermitContextKey(paymentId, nonce);
  const written = issuer.store.issue({
    key,
    validAfter,
    validBefore,
    offers: offered.map(offerKey),
    expiresAt: validBefore + AUTHORIZATION_LIFETIME_SKEW_SECONDS,
  });
  if (written instanceof Promise) {
    // a failed write leaves the context unknown: its permit is refused, never accepted unchecked
    const done = written.then(
      () => undefined,
      () => undefined,
    );
    writing.set(key, done);
    void done.then(() => writing.delete(key));
  }
  return context;
}

async function checkPermitContext(
  issuer: Issuer,
  permit: PaymentPermitMessage,
  signature: string,
  requirements: PaymentRequirements,
): Promise<SchemePaymentRefusal | undefined> {
  const { store } = issuer;
  const { meta } = permit;
  const now = issuer.clock();
  // past its window a permit cannot move money: the facilitator answers (expired, or a duplicate
  // of a settled payment) with the more useful reason
  if (meta.validBefore < BigInt(now)) return undefined;
  const key = paymentPermitContextKey(meta.paymentId, meta.nonce);
  await issuer.writing.get(key);
  const issued = await store.find(key, now);
  if (!issued) {
    return {
      reason: ExactPermitReasons.contextNotIssued,
      message: `exact_permit: paymentId ${meta.paymentId} with nonce ${meta.nonce} is not a paymentPermitContext this server issued (or its window closed); sign the context of a fresh 402`,
    };
  }
  if (!issued.offers.includes(offerKey(requirements))) {
    return {
      reason: ExactPermitReasons.contextOfferMismatch,
      message: `exact_permit: paymentId ${meta.paymentId} was issued in a 402 for other offers, not this ${requirements.network} offer of ${requirements.amount}; sign the context of this offer's 402`,
    };
  }
  if (
    meta.kind !== 0 ||
    meta.validAfter !== BigInt(issued.validAfter) ||
    meta.validBefore !== BigInt(issued.validBefore)
  ) {
    return {
      reason: ExactPermitReasons.contextMismatch,
      message: `exact_permit: the permit's window ${meta.validAfter}..${meta.validBefore} (kind ${meta.kind}) is not the issued ${issued.validAfter}..${issued.validBefore} (PAYMENT_ONLY); sign the context's meta verbatim`,
    };
  }
  const fingerprint = permitFingerprint(permit, signature);
  const boundTo = await store.claim(key, fingerprint, now);
  if (boundTo === undefined) {
    return {
      reason: ExactPermitReasons.contextNotIssued,
      message: `exact_permit: paymentId ${meta.paymentId} was forgotten while checking it; sign the context of a fresh 402`,
    };
  }
  if (boundTo !== fingerprint) {
    return {
      reason: ExactPermitReasons.contextUsed,
      message: `exact_permit: paymentId ${meta.paymentId} with nonce ${meta.nonce} was already used by another permit; each 402's context pays once`,
    };
  }
  return undefined;
}

/**
 * Seconds of a context's window for a 402 offering `offered`: the smallest `maxTimeoutSeconds`,
 * shortened to `validForSeconds` when that is less (300 s when neither says).
 *
 * @example contextWindowSeconds([{ maxTimeoutSeconds: 300 }, { maxTimeoutSeconds: 60 }]) // 60
 */
export function contextWindowSeconds(
  offered: ReadonlyArray<Pick<PaymentRequirements, 'maxTimeoutSeconds'>>,
  validForSeconds?: number,
): number {
  const seconds = Math.min(
    validForSeconds ?? Number.POSITIVE_INFINITY,
    ...offered.map((o) => o.maxTimeoutSeconds),
  );
  return Number.isFinite(seconds) ? seconds : DEFAULT_CONTEXT_WINDOW_SECONDS;
}

/**
 * One offer's key: the hash of its JSON with keys sorted, so a paid retry's offer (rebuilt, deep
 * equal) has the key of the offer in the 402.
 *
 * @example offerKey(requirements) // '0x5f…'
 */
export function offerKey(requirements: PaymentRequirements): string {
  return keccak256(stringToHex(canonicalJson(requirements)));
}

/** One permit and signature, as one string: what a context is bound to on first use. */
function permitFingerprint(permit: PaymentPermitMessage, signature: string): string {
  return keccak256(stringToHex(`${canonicalJson(permit)}|${signature}`));
}

function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) out[key] = sort(Reflect.get(v, key));
    return out;
  };
  return JSON.stringify(sort(value)) ?? 'null';
}

/**
 * The context options of an `exact_permit` scheme server, on EVM and TRON alike.
 *
 * @example
 * const options: PermitServerContextOptions = { context: { validForSeconds: 600 }, contextStore: sharedStore };
 */
export type PermitServerContextOptions = {
  /**
   * Nonce/payment-id sources of each 402's `paymentPermitContext`. Its window is the offers'
   * smallest `maxTimeoutSeconds`; `validForSeconds` can only shorten it.
   */
  context?: Omit<CreatePaymentPermitContextOptions, 'now'>;
  /**
   * Where issued contexts are remembered until their window closes; default in-process. Give
   * several server processes behind one URL one shared store.
   */
  contextStore?: PaymentPermitContextStore;
};

/**
 * The part of an `exact_permit` scheme server that deals in contexts, whatever the chain: a fresh
 * `paymentPermitContext` in every 402, and `checkPayment`, which reads the permit with `readPayload`
 * and refuses one whose context this server did not issue for the offer paid (messages prefixed
 * with `label`).
 *
 * @example
 * const server: SchemeServer = { scheme: 'exact_permit', parsePrice, ...permitContextHooks(options, readExactPermitPayload, 'exact_permit') }
 */
export function permitContextHooks(
  options: PermitServerContextOptions,
  readPayload: (
    payload: Record<string, unknown>,
  ) =>
    | { ok: true; permit: PaymentPermitMessage; signature: Hex }
    | { ok: false; reason: string; message: string },
  label: string,
): Required<Pick<SchemeServer, 'paymentRequiredExtensions' | 'checkPayment'>> {
  const contexts = createPaymentPermitContextIssuer({
    ...(options.context ? { context: options.context } : {}),
    ...(options.contextStore ? { store: options.contextStore } : {}),
  });
  return {
    paymentRequiredExtensions: (offered) => ({ [PAYMENT_PERMIT_CONTEXT_KEY]: contexts.issue(offered) }),
    async checkPayment(payload, requirements) {
      const read = readPayload(payload.payload);
      if (!read.ok) return { reason: read.reason, message: `${label}: ${read.message}` };
      return contexts.check(read.permit, read.signature, requirements);
    },
  };
}
