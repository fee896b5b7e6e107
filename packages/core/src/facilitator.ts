/**
 * The facilitator engine: dispatches verify/settle by protocol version, scheme and network to
 * the registered {@link SchemeFacilitator}, normalizing v1 documents on the way in and out.
 * It never throws for bad input: every failure is an `isValid:false` / `success:false` answer
 * with a reason code. The HTTP service (`@x402kit/facilitator`) wraps it.
 */
import type { z } from 'zod';
import { networkMatches, toCaip2, toV1Name } from './networks/registry.js';
import { describeIssues } from './protocol/errors.js';
import { Reasons } from './protocol/reasons.js';
import { settleRefusal, verifyRefusal } from './protocol/responses.js';
import {
  type AnyPaymentPayload,
  type AnyPaymentRequirements,
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequirements,
  PaymentRequirementsV1,
  type SettleResponse,
  type SupportedKind,
  type SupportedResponse,
  type VerifyResponse,
  type X402Version,
} from './protocol/schemas.js';
import { networkForVersion, requirementsFromV1 } from './protocol/v1.js';
import type { SchemeFacilitator } from './scheme.js';

/** One scheme facilitator the engine serves, on these concrete networks. */
export type FacilitatorRegistration = {
  /** Concrete CAIP-2 ids this scheme serves (they are listed in `/supported`). */
  networks: string | string[];
  facilitator: SchemeFacilitator;
  /** Protocol versions to accept; default both. */
  x402Versions?: X402Version[];
};

/** What hooks see: the normalized (v2-shaped) documents and the chosen scheme. */
export type FacilitatorCall = {
  x402Version: X402Version;
  payload: PaymentPayload;
  requirements: PaymentRequirements;
  scheme: SchemeFacilitator;
  /**
   * The grant attempt the caller says this call belongs to (see {@link FacilitatorCallOptions}):
   * absent for callers that send none (official resource servers).
   */
  attempt?: string;
  /** Who called, as the facilitator service authenticated it (an API key's name); absent when anonymous. */
  principal?: string;
};

/**
 * Per-call options of the engine and of every {@link FacilitatorClient}.
 *
 * `attempt` names one grant attempt of a resource server: the verify, settle (and release) it
 * makes for ONE request, and its own retries of them, carry the same unguessable id. A ledger
 * (`@x402kit/facilitator`) uses it to tell a retry of the attempt that holds a payment (it gets
 * the stored outcome) from any other request presenting the same payment (`duplicate_settlement`).
 */
export type FacilitatorCallOptions = {
  signal?: AbortSignal;
  attempt?: string;
  /**
   * The authenticated caller, set by the facilitator service (never sent over the wire): a reservation
   * made without an attempt can only be settled by the same principal.
   */
  principal?: string;
};

/** What `release` answers: whether a reservation held by the attempt was given up. */
export type ReleaseResponse = { released: boolean };

/** What `afterSettle` returns to replace the engine's answer. */
export type SettleReplacement = { result: SettleResponse };
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that only observes returns void (or Promise<void>)
type MaybeReplacement = SettleReplacement | void;

/** What a `before*` facilitator hook returns to refuse the call: a reason code and message. */
export type HookAbort = {
  abort: true;
  reason: string;
  message?: string;
  /** The transaction that already settled this payment, when the refusal is a replay's and it is known. */
  transaction?: string;
};

/** What `afterVerify` returns to replace the engine's answer. */
export type VerifyReplacement = { result: VerifyResponse };
// biome-ignore lint/suspicious/noConfusingVoidType: a hook that only observes returns void (or Promise<void>)
type MaybeVerifyReplacement = VerifyReplacement | void;

/** Hooks around verify and settle (a ledger, idempotency and metrics plug in here). */
export type FacilitatorHooks = {
  beforeVerify?: (call: FacilitatorCall) => Promise<HookAbort | undefined> | HookAbort | undefined;
  /**
   * Called with every verification the scheme produced. May replace the answer (a ledger that
   * reserves a valid payment for this attempt refuses it when another request holds it).
   */
  afterVerify?: (
    call: FacilitatorCall,
    result: VerifyResponse,
  ) => Promise<MaybeVerifyReplacement> | MaybeVerifyReplacement;
  /** Give up what `afterVerify` reserved for `call.attempt` (the resource server will not settle). */
  onRelease?: (call: FacilitatorCall) => Promise<boolean> | boolean;
  /** May abort, or answer with a known outcome instead of settling (a ledger replaying a result). */
  beforeSettle?: (
    call: FacilitatorCall,
  ) =>
    | Promise<HookAbort | { result: SettleResponse } | undefined>
    | HookAbort
    | { result: SettleResponse }
    | undefined;
  /** Called once the scheme has broadcast a settlement transaction, before the receipt wait. */
  onBroadcast?: (call: FacilitatorCall, transaction: string) => Promise<void> | void;
  /**
   * Called with every settlement outcome the engine produced, failures and exceptions included.
   * May replace the answer (e.g. a ledger that knows a front-run authorization did settle).
   */
  afterSettle?: (
    call: FacilitatorCall,
    result: SettleResponse,
  ) => Promise<MaybeReplacement> | MaybeReplacement;
};

/** Options of `createFacilitator`. */
export type FacilitatorOptions = {
  schemes: FacilitatorRegistration[];
  /** Extension keys to advertise in `/supported`. */
  extensions?: string[];
  hooks?: FacilitatorHooks;
};

/** What `createFacilitator` returns. */
export type Facilitator = {
  verify(payload: unknown, requirements: unknown, options?: FacilitatorCallOptions): Promise<VerifyResponse>;
  settle(payload: unknown, requirements: unknown, options?: FacilitatorCallOptions): Promise<SettleResponse>;
  /**
   * The resource server will not settle this payment for `options.attempt` (its handler failed):
   * what the attempt reserved at verify is given up, so the payer may present it again. Without an
   * attempt, or with nothing reserved, it answers `{ released: false }`.
   */
  release?(
    payload: unknown,
    requirements: unknown,
    options?: FacilitatorCallOptions,
  ): Promise<ReleaseResponse>;
  supported(): Promise<SupportedResponse>;
};

type Resolved =
  | { ok: true; call: FacilitatorCall }
  | { ok: false; reason: string; message: string; network: string; x402Version: X402Version };

/**
 * Create a facilitator engine.
 *
 * @example
 * const facilitator = createFacilitator({ schemes: [{ networks: 'eip155:84532', facilitator: exactEvm }] })
 * await facilitator.verify(paymentPayload, paymentRequirements) // { isValid, invalidReason?, payer? }
 */
export function createFacilitator(options: FacilitatorOptions): Facilitator {
  const registrations: Registration[] = options.schemes.map((r) => ({
    networks: (Array.isArray(r.networks) ? r.networks : [r.networks]).map((n) => toCaip2(n) ?? n),
    facilitator: r.facilitator,
    versions: r.x402Versions ?? [1, 2],
  }));
  const hooks = options.hooks ?? {};
  let supportedCache: SupportedResponse | undefined;

  return {
    async verify(rawPayload, rawRequirements, opts) {
      const resolved = resolveCall(registrations, rawPayload, rawRequirements, opts);
      if (!resolved.ok) return verifyRefusal(resolved.reason, resolved.message);
      return verifyCall(hooks, resolved.call, opts);
    },

    async settle(rawPayload, rawRequirements, opts) {
      const resolved = resolveCall(registrations, rawPayload, rawRequirements, opts);
      if (!resolved.ok) {
        return settleRefusal(
          resolved.reason,
          resolved.message,
          networkForVersion(resolved.network, resolved.x402Version),
        );
      }
      return settleCall(hooks, resolved.call, opts);
    },

    async release(rawPayload, rawRequirements, opts) {
      const resolved = resolveCall(registrations, rawPayload, rawRequirements, opts);
      if (!resolved.ok || resolved.call.attempt === undefined || !hooks.onRelease) return { released: false };
      return { released: await hooks.onRelease(resolved.call) };
    },

    async supported() {
      supportedCache ??= supportedOf(registrations, options.extensions ?? []);
      return supportedCache;
    },
  };
}

/** A registration with its networks as CAIP-2 ids and its versions defaulted. */
type Registration = { networks: string[]; facilitator: SchemeFacilitator; versions: X402Version[] };

/** The call's documents parsed and normalized (v1 to v2 shape), its scheme chosen, the caller's options on it. */
function resolveCall(
  registrations: Registration[],
  rawPayload: unknown,
  rawRequirements: unknown,
  opts?: FacilitatorCallOptions,
): Resolved {
  const resolved = resolve(registrations, rawPayload, rawRequirements);
  if (resolved.ok && opts?.attempt !== undefined) resolved.call.attempt = opts.attempt;
  if (resolved.ok && opts?.principal !== undefined) resolved.call.principal = opts.principal;
  return resolved;
}

function resolve(registrations: Registration[], rawPayload: unknown, rawRequirements: unknown): Resolved {
  const version = readVersion(rawPayload);
  if (version === 2) {
    const parsed = parseCall(V2_SCHEMAS, rawPayload, rawRequirements, 2);
    return parsed.ok ? dispatch(registrations, parsed.payload, parsed.requirements, 2) : parsed;
  }
  if (version === 1) {
    const parsed = parseCall(V1_SCHEMAS, rawPayload, rawRequirements, 1);
    if (!parsed.ok) return parsed;
    const { payload, requirements } = fromV1(parsed.payload, parsed.requirements);
    return dispatch(registrations, payload, requirements, 1);
  }
  return fail(Reasons.invalidX402Version, 'paymentPayload.x402Version must be 1 or 2', '', 2);
}

/** A v1 payload and requirements in the v2 shape the schemes and hooks see. */
function fromV1(
  p: PaymentPayloadV1,
  r: PaymentRequirementsV1,
): { payload: PaymentPayload; requirements: PaymentRequirements } {
  const requirements = requirementsFromV1(r);
  const payload: PaymentPayload = {
    x402Version: 2,
    accepted: {
      ...requirements,
      scheme: p.scheme,
      network: toCaip2(p.network) ?? p.network,
    },
    payload: p.payload,
  };
  return { payload, requirements };
}

function dispatch(
  registrations: Registration[],
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  x402Version: X402Version,
): Resolved {
  const sameScheme = registrations.filter(
    (r) => r.facilitator.scheme === requirements.scheme && r.versions.includes(x402Version),
  );
  if (sameScheme.length === 0) {
    return fail(
      Reasons.unsupportedScheme,
      `scheme "${requirements.scheme}" (x402 v${x402Version}) is not supported here`,
      requirements.network,
      x402Version,
    );
  }
  const reg = sameScheme.find((r) => r.networks.some((n) => networkMatches(requirements.network, n)));
  if (!reg) {
    return fail(
      Reasons.invalidNetwork,
      `network ${requirements.network} is not supported for scheme "${requirements.scheme}"`,
      requirements.network,
      x402Version,
    );
  }
  return { ok: true, call: { x402Version, payload, requirements, scheme: reg.facilitator } };
}

/** `beforeVerify`, the scheme's verify, `afterVerify`; an exception is an `unexpected_verify_error`. */
async function verifyCall(
  hooks: FacilitatorHooks,
  call: FacilitatorCall,
  opts: FacilitatorCallOptions | undefined,
): Promise<VerifyResponse> {
  try {
    const abort = await hooks.beforeVerify?.(call);
    if (abort) {
      const refusal = verifyRefusal(abort.reason, abort.message);
      return abort.transaction ? { ...refusal, transaction: abort.transaction } : refusal;
    }
    const result = await call.scheme.verify(call.payload, call.requirements, {
      x402Version: call.x402Version,
      ...signal(opts),
    });
    const replaced = await hooks.afterVerify?.(call, result);
    return replaced ? replaced.result : result;
  } catch (error) {
    return verifyRefusal(Reasons.unexpectedVerifyError, message(error));
  }
}

/** `beforeSettle`, the scheme's settle, `afterSettle` (which sees exceptions too). */
async function settleCall(
  hooks: FacilitatorHooks,
  call: FacilitatorCall,
  opts: FacilitatorCallOptions | undefined,
): Promise<SettleResponse> {
  const network = networkForVersion(call.requirements.network, call.x402Version);
  try {
    const before = await hooks.beforeSettle?.(call);
    if (before && 'abort' in before) return settleRefusal(before.reason, before.message, network);
    if (before && 'result' in before) return before.result;
    const onBroadcast = hooks.onBroadcast;
    const result = await call.scheme.settle(call.payload, call.requirements, {
      x402Version: call.x402Version,
      ...signal(opts),
      ...(onBroadcast ? { onBroadcast: (transaction: string) => onBroadcast(call, transaction) } : {}),
    });
    const answer = {
      ...result,
      network: networkForVersion(result.network || call.requirements.network, call.x402Version),
    };
    const replaced = await hooks.afterSettle?.(call, answer);
    return replaced ? replaced.result : answer;
  } catch (error) {
    const answer = settleRefusal(Reasons.unexpectedSettleError, message(error), network);
    // afterSettle sees every outcome, so a ledger never keeps a claim open on an exception.
    try {
      await hooks.afterSettle?.(call, answer);
    } catch {
      // the hook's own failure must not hide the settlement's
    }
    return answer;
  }
}

/** The `/supported` answer: every concrete network of every registration, newest version first. */
function supportedOf(registrations: Registration[], extensions: string[]): SupportedResponse {
  const kinds: SupportedKind[] = [];
  const signers: Record<string, string[]> = {};
  for (const reg of registrations) {
    for (const network of reg.networks) {
      if (network.includes('*')) continue;
      const extra = reg.facilitator.getExtra?.(network);
      for (const version of [...reg.versions].sort().reverse()) {
        const name = version === 1 ? toV1Name(network) : network;
        if (!name) continue;
        kinds.push({
          x402Version: version,
          scheme: reg.facilitator.scheme,
          network: name,
          ...(extra ? { extra } : {}),
        });
      }
      const list = signers[reg.facilitator.family] ?? [];
      signers[reg.facilitator.family] = list;
      for (const s of reg.facilitator.getSigners(network)) if (!list.includes(s)) list.push(s);
    }
  }
  return { kinds, extensions, signers };
}

function readVersion(payload: unknown): unknown {
  return typeof payload === 'object' && payload !== null
    ? (payload as { x402Version?: unknown }).x402Version
    : undefined;
}

function fail(
  reason: string,
  message: string,
  network: string,
  x402Version: X402Version,
): Extract<Resolved, { ok: false }> {
  return { ok: false, reason, message, network, x402Version };
}

/** The schemas of one wire version's payload and requirements, and where its payload names the network. */
type WireSchemas<P, R> = {
  payload: { safeParse(value: unknown): z.ZodSafeParseResult<P> };
  requirements: { safeParse(value: unknown): z.ZodSafeParseResult<R> };
  network(payload: P): string;
};

const V2_SCHEMAS: WireSchemas<PaymentPayload, PaymentRequirements> = {
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  network: (payload) => payload.accepted.network,
};

const V1_SCHEMAS: WireSchemas<PaymentPayloadV1, PaymentRequirementsV1> = {
  payload: PaymentPayloadV1,
  requirements: PaymentRequirementsV1,
  network: (payload) => payload.network,
};

/** The payload and requirements parsed with one version's schemas; the refusal names the first that fails. */
function parseCall<P, R>(
  schemas: WireSchemas<P, R>,
  rawPayload: unknown,
  rawRequirements: unknown,
  version: X402Version,
): { ok: true; payload: P; requirements: R } | Extract<Resolved, { ok: false }> {
  const p = schemas.payload.safeParse(rawPayload);
  if (!p.success)
    return fail(Reasons.invalidPayload, `paymentPayload: ${describeIssues(p.error.issues)}`, '', version);
  const r = schemas.requirements.safeParse(rawRequirements);
  if (!r.success) {
    const message = `paymentRequirements: ${describeIssues(r.error.issues)}`;
    return fail(Reasons.invalidPaymentRequirements, message, schemas.network(p.data), version);
  }
  return { ok: true, payload: p.data, requirements: r.data };
}

function signal(opts: { signal?: AbortSignal } | undefined): { signal?: AbortSignal } {
  return opts?.signal ? { signal: opts.signal } : {};
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { AnyPaymentPayload, AnyPaymentRequirements };
