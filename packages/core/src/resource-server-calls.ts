/**
 * The resource server's calls for one payment: the checks only it can make, then verify, settle
 * and release through the facilitator that serves the payment's kind (or the scheme's session).
 * Module-internal to `resource-server.ts`, which wires these steps into {@link ResourceServer}.
 */
import { type FacilitatorClient, isOutcomeUnknown } from './facilitator-client.js';
import { networkMatches, toCaip2 } from './networks/registry.js';
import type { PendingMemory } from './pending-settlements.js';
import { X402Error } from './protocol/errors.js';
import { Reasons } from './protocol/reasons.js';
import { settleRefusal, verifyRefusal } from './protocol/responses.js';
import type {
  AnyPaymentPayload,
  AnyPaymentRequirements,
  PaymentPayload,
  PaymentRequirements,
  ResourceInfo,
  SettleResponse,
  VerifyResponse,
} from './protocol/schemas.js';
import { requirementsToV1 } from './protocol/v1.js';
import type {
  PaymentCallOptions,
  ResourceServer,
  ResourceServerHooks,
  ServerSchemeRegistration,
} from './resource-server-types.js';
import type { SchemeServer, SchemeServerSession, SchemeSessionContext, SessionVerdict } from './scheme.js';
import type { SupportedCache } from './supported-cache.js';

/** What the resource server's steps share: its facilitators, schemes, hooks and memories. */
export type Engine = {
  facilitators: FacilitatorClient[];
  schemes: ServerSchemeRegistration[];
  hooks: ResourceServerHooks;
  supported: SupportedCache;
  pending: PendingMemory;
};

/**
 * The scheme server registered for `scheme` on `network`, if any.
 *
 * @example findScheme(schemes, 'exact', 'eip155:84532')?.checkPayment
 */
export function findScheme(
  schemes: ServerSchemeRegistration[],
  scheme: string,
  network: string,
): SchemeServer | undefined {
  return schemes.find((s) => s.server.scheme === scheme && networkMatches(network, s.network))?.server;
}

/**
 * The scheme's own checks of a v2 payment ({@link ResourceServer.checkPayment}): the refusal, or `undefined`.
 *
 * @example const refused = await checkPayment(schemes, payload, requirements)
 */
export async function checkPayment(
  schemes: ServerSchemeRegistration[],
  payload: AnyPaymentPayload,
  requirements: PaymentRequirements,
): Promise<VerifyResponse | undefined> {
  const scheme = findScheme(schemes, requirements.scheme, requirements.network);
  if (!scheme?.checkPayment || payload.x402Version !== 2) return undefined;
  try {
    const refusal = await scheme.checkPayment(payload, requirements);
    return refusal ? verifyRefusal(refusal.reason, refusal.message) : undefined;
  } catch (error) {
    return failure(error, Reasons.unexpectedVerifyError, (reason, message) => verifyRefusal(reason, message));
  }
}

/** The scheme session that handles a (v2) payment, when its scheme has one. */
type Session = { scheme: SchemeServerSession; payload: PaymentPayload };

/** The facilitator that serves this payment's kind, and the scheme session that handles it, if any. */
async function routeOf(
  engine: Engine,
  payload: AnyPaymentPayload,
  requirements: PaymentRequirements,
): Promise<{ client: FacilitatorClient; session: Session | undefined }> {
  const { facilitator } = await engine.supported.kindFor(
    payload.x402Version,
    requirements.scheme,
    requirements.network,
  );
  return {
    client: engine.facilitators[facilitator]!,
    session: sessionFor(engine.schemes, payload, requirements),
  };
}

function sessionFor(
  schemes: ServerSchemeRegistration[],
  payload: AnyPaymentPayload,
  requirements: PaymentRequirements,
): Session | undefined {
  if (payload.x402Version !== 2) return undefined;
  const scheme = findScheme(schemes, requirements.scheme, requirements.network)?.session;
  return scheme ? { scheme, payload } : undefined;
}

/** The facilitator a scheme session calls: the chosen one, with this attempt (sessions are v2 only). */
function sessionContext(
  client: FacilitatorClient,
  opts: PaymentCallOptions | undefined,
): SchemeSessionContext {
  return {
    ...(opts?.attempt === undefined ? {} : { attempt: opts.attempt }),
    facilitator: {
      verify: (p, r) => client.verify(p, r, callOptions(opts)),
      settle: (p, r) => client.settle(p, r, callOptions(opts)),
    },
  };
}

/**
 * {@link ResourceServer.verify}: the scheme's checks, `beforeVerify`, the facilitator (or session), `afterVerify`.
 *
 * @example const verdict = await verify(engine, payload, requirements, { attempt })
 */
export async function verify(
  engine: Engine,
  payload: AnyPaymentPayload,
  requirements: PaymentRequirements,
  opts: PaymentCallOptions | undefined,
): Promise<SessionVerdict> {
  const refused = await checkPayment(engine.schemes, payload, requirements);
  if (refused) return refused;
  const call = { payload, requirements };
  const abort = await engine.hooks.beforeVerify?.(call);
  if (abort) return verifyRefusal(abort.reason, abort.message);
  const { client, session } = await routeOf(engine, payload, requirements);
  let result: SessionVerdict;
  try {
    result = session
      ? await session.scheme.verify(session.payload, requirements, sessionContext(client, opts))
      : await client.verify(
          payload,
          wireRequirements(payload, requirements, opts?.resource),
          callOptions(opts),
        );
  } catch (error) {
    result = failure(error, Reasons.unexpectedVerifyError, (reason, message) =>
      verifyRefusal(reason, message),
    );
  }
  await engine.hooks.afterVerify?.(call, result);
  return result;
}

/**
 * {@link ResourceServer.settle}: `beforeSettle`, the facilitator (or session), the pending memory, `afterSettle`.
 *
 * @example const settled = await settle(engine, payload, requirements, { attempt })
 */
export async function settle(
  engine: Engine,
  payload: AnyPaymentPayload,
  requirements: PaymentRequirements,
  opts: (PaymentCallOptions & { amount?: string }) | undefined,
): Promise<SettleResponse> {
  const effective = opts?.amount === undefined ? requirements : { ...requirements, amount: opts.amount };
  const call = { payload, requirements: effective };
  const network = networkOf(payload);
  const abort = await engine.hooks.beforeSettle?.(call);
  if (abort) return settleRefusal(abort.reason, abort.message, network);
  const { client, session } = await routeOf(engine, payload, requirements);
  let result: SettleResponse;
  try {
    result = session
      ? await session.scheme.settle(session.payload, requirements, {
          ...sessionContext(client, opts),
          ...(opts?.amount === undefined ? {} : { amount: opts.amount }),
        })
      : await client.settle(payload, wireRequirements(payload, effective, opts?.resource), callOptions(opts));
  } catch (error) {
    result = settleFailure(error, network);
  }
  if (!result.success && result.errorReason === Reasons.settlementPending) {
    engine.pending.remember(payload, requirements, {
      attempt: opts?.attempt,
      ...(result.payer ? { payer: result.payer } : {}),
    });
  } else {
    engine.pending.forget(payload, requirements);
  }
  await engine.hooks.afterSettle?.(call, result);
  return result;
}

/** A settle call that threw: pending when the facilitator may have acted on it, else a refusal. */
function settleFailure(error: unknown, network: string): SettleResponse {
  if (!isOutcomeUnknown(error))
    return failure(error, Reasons.unexpectedSettleError, (reason, message) =>
      settleRefusal(reason, message, network),
    );
  // the facilitator may have sent the transaction: never report that as a failure
  return settleRefusal(
    Reasons.settlementPending,
    `the settlement's outcome is unknown (${error instanceof Error ? error.message : String(error)}); present the same payment again`,
    network,
  );
}

/**
 * {@link ResourceServer.release}: give up the attempt's reservation, best effort. Never throws.
 *
 * @example await release(engine, payload, requirements, { attempt })
 */
export async function release(
  engine: Engine,
  payload: AnyPaymentPayload,
  requirements: PaymentRequirements,
  opts: PaymentCallOptions | undefined,
): Promise<void> {
  if (opts?.attempt === undefined) return;
  const { client, session } = await routeOf(engine, payload, requirements);
  if (session) {
    await session.scheme.release(session.payload, requirements, sessionContext(client, opts)).catch(() => {});
    return;
  }
  try {
    await client.release?.(
      payload,
      wireRequirements(payload, requirements, opts.resource),
      callOptions(opts),
    );
  } catch {
    // best effort: an unreleased reservation lapses when the payment's time window ends
  }
}

/**
 * The CAIP-2 network a payload names.
 *
 * @example networkOf({ x402Version: 1, scheme: 'exact', network: 'base-sepolia', payload }) // 'eip155:84532'
 */
export function networkOf(payload: AnyPaymentPayload): string {
  return payload.x402Version === 2 ? payload.accepted.network : (toCaip2(payload.network) ?? payload.network);
}

function wireRequirements(
  payload: AnyPaymentPayload,
  requirements: PaymentRequirements,
  resource?: ResourceInfo,
): AnyPaymentRequirements {
  if (payload.x402Version === 2) return requirements;
  const v1 = requirementsToV1(requirements, resource ?? { url: '' });
  if (!v1) throw new X402Error(Reasons.invalidNetwork, `network ${requirements.network} has no x402 v1 name`);
  return v1;
}

function callOptions(opts: PaymentCallOptions | undefined): { attempt?: string } {
  return opts?.attempt === undefined ? {} : { attempt: opts.attempt };
}

function failure<T>(error: unknown, fallback: string, make: (reason: string, message: string) => T): T {
  if (error instanceof X402Error) return make(error.reason, error.message);
  return make(fallback, error instanceof Error ? error.message : String(error));
}
