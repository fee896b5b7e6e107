/**
 * The `payment-identifier` extension on the facilitator: an engine wrapper that binds each
 * payment id to the one payment first presented with it.
 *
 * - no id (or a v1 payload): the call goes through untouched;
 * - an invalid id: refused (`invalid_payment_identifier`) without work;
 * - a new id: bound to this payload and requirements, and the call runs;
 * - the same id with the same payload: the call runs, and the ledger's grant rule answers it: a
 *   retry of the attempt that holds the payment gets its stored outcome, any other request
 *   `duplicate_settlement`. The id is inside the signed payload, so anyone replaying the payment
 *   has it: it proves nothing about who asks, and a stored success is never handed to another
 *   request (a resource server that keeps payment-identifier responses serves its retries itself);
 * - the same id with another payload: refused (`payment_identifier_conflict`), which
 *   {@link withPaymentIdentifierStatus} turns into HTTP 409.
 *
 * A binding is kept once a call under it was valid (a valid verification, a settlement that
 * succeeded, reverted or is pending with a transaction); a refusal that moved nothing frees the id.
 */
import { createHash } from 'node:crypto';
import {
  type Facilitator,
  type FacilitatorCallOptions,
  networkForVersion,
  PAYMENT_IDENTIFIER,
  PaymentIdentifierReasons,
  readPaymentIdentifier,
  SettleResponse,
  type SupportedResponse,
  settleRefusal,
  type VerifyResponse,
  verifyRefusal,
  type X402Version,
} from '@x402kit/core';
import { canonicalJson } from '@x402kit/core/internal';
import type { IdempotencyOperation, IdempotencyStore } from './idempotency-store.js';

/** Options of `createIdempotentFacilitator` (besides the facilitator it wraps). */
export type IdempotentFacilitatorOptions = {
  /** The engine to wrap (`createEvmFacilitator`, `createFacilitator`, …). */
  facilitator: Facilitator;
  store: IdempotencyStore;
  /** This instance, stored as the owner of its claims; default `idempotency-<pid>`. */
  instanceId?: string;
  /** Told about store failures after the call ran (its answer is still returned). */
  onError?: (error: unknown, context: { id: string; stage: string }) => void;
};

type Answer = VerifyResponse | SettleResponse;

/**
 * Wrap an engine so each payment id stays bound to one payment; `/supported` also lists
 * `payment-identifier` among the extensions.
 *
 * @example
 * const store = await createSqliteIdempotencyStore({ path: './x402-ledger.db' })
 * const facilitator = createIdempotentFacilitator({ facilitator: createEvmFacilitator({ rpc, privateKeys }), store })
 * const service = withPaymentIdentifierStatus(createFacilitatorService({ facilitator }))
 */
export function createIdempotentFacilitator<F extends Facilitator>(
  options: IdempotentFacilitatorOptions & { facilitator: F },
): F {
  const { facilitator: inner, store } = options;
  const binder: Binder = { options, store, owner: options.instanceId ?? `idempotency-${process.pid}` };
  const wrapped: Facilitator = {
    verify: (payload, requirements, opts) =>
      run(binder, 'verify', payload, requirements, () => inner.verify(payload, requirements, opts)),
    settle: (payload, requirements, opts) =>
      run(binder, 'settle', payload, requirements, () => inner.settle(payload, requirements, opts)),
    ...(inner.release
      ? {
          release: (payload: unknown, requirements: unknown, opts?: FacilitatorCallOptions) =>
            inner.release?.(payload, requirements, opts) ?? Promise.resolve({ released: false }),
        }
      : {}),
    supported: supportedWithPaymentIdentifier(inner),
  };
  // keep the engine's other members (close, networks, quoteFee …)
  return { ...inner, ...wrapped };
}

/** What binding ids needs: the store, this instance as the owner of its claims, and `onError`. */
type Binder = { options: IdempotentFacilitatorOptions; store: IdempotencyStore; owner: string };

/** Run `call` under the payment id in `payload`, if any: bind a new id, refuse a conflicting one. */
async function run<A extends Answer>(
  binder: Binder,
  operation: IdempotencyOperation,
  payload: unknown,
  requirements: unknown,
  call: () => Promise<A>,
): Promise<A> {
  const { store, owner } = binder;
  const found = readPaymentIdentifier(payload);
  if (!found.present) return call();
  const refuse = (reason: string, message: string) => refusal(operation, reason, message, requirements) as A;
  if (!found.valid) return refuse(PaymentIdentifierReasons.invalid, found.message);
  const { id } = found;
  const payloadHash = sha256(canonicalJson(payload));
  const requestHash = sha256(canonicalJson({ payload, requirements }));
  const conflict = () =>
    refuse(
      PaymentIdentifierReasons.conflict,
      `payment id ${id} was already used with a different payment; reuse an id only to retry the same payment`,
    );
  const { claimed, record } = await store.claim({ id, operation, payloadHash, requestHash, owner });
  const others = await store.records(id);
  if (others.some((r) => r.payloadHash !== payloadHash) || record.requestHash !== requestHash) {
    if (claimed) await store.release(id, operation, owner);
    return conflict();
  }
  // the same payment again: the engine's ledger decides who may have its outcome
  return claimed ? execute(binder, id, operation, call) : call();
}

/** Run a call under an id this instance just claimed; keep the binding when the answer is final. */
async function execute<A extends Answer>(
  binder: Binder,
  id: string,
  operation: IdempotencyOperation,
  call: () => Promise<A>,
): Promise<A> {
  const { store, owner } = binder;
  let answer: A;
  try {
    answer = await call();
  } catch (error) {
    await store.release(id, operation, owner).catch(() => {});
    throw error;
  }
  try {
    if (isFinal(answer)) await store.complete(id, operation, owner, JSON.stringify(answer));
    else await store.release(id, operation, owner);
  } catch (error) {
    binder.options.onError?.(error, { id, stage: isFinal(answer) ? 'complete' : 'release' });
  }
  return answer;
}

/** The engine's `/supported` with `payment-identifier` among the extensions (one copy per answer of the engine). */
function supportedWithPaymentIdentifier(inner: Facilitator): Facilitator['supported'] {
  let supportedSource: SupportedResponse | undefined;
  let supportedAnswer: SupportedResponse | undefined;
  return async function supported() {
    const value = await inner.supported();
    if (value !== supportedSource || !supportedAnswer) {
      supportedSource = value;
      supportedAnswer = value.extensions.includes(PAYMENT_IDENTIFIER)
        ? value
        : { ...value, extensions: [...value.extensions, PAYMENT_IDENTIFIER] };
    }
    return supportedAnswer;
  };
}

/**
 * Answers that bind the id for good: a valid verification; a settlement that succeeded, reverted
 * on chain, or is pending with a transaction (money may have moved).
 */
function isFinal(answer: Answer): boolean {
  const isValid: unknown = Reflect.get(answer, 'isValid');
  if (typeof isValid === 'boolean') return isValid;
  const settled = SettleResponse.safeParse(answer);
  if (!settled.success) return false;
  return settled.data.success || settled.data.transaction !== '';
}

function refusal(
  operation: IdempotencyOperation,
  reason: string,
  message: string,
  requirements: unknown,
): Answer {
  if (operation === 'verify') return verifyRefusal(reason, message);
  return settleRefusal(reason, message, networkOf(requirements));
}

function networkOf(requirements: unknown): string {
  if (typeof requirements !== 'object' || requirements === null) return '';
  const network = Reflect.get(requirements, 'network');
  const version: X402Version = 'maxAmountRequired' in requirements ? 1 : 2;
  return typeof network === 'string' ? networkForVersion(network, version) : '';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
