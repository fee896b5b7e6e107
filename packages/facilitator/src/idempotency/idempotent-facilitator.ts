/**
 * The `payment-identifier` extension on the facilitator: an engine wrapper that makes `/verify`
 * and `/settle` idempotent per payment id.
 *
 * - no id (or a v1 payload): the call goes through untouched;
 * - an invalid id: refused (`invalid_payment_identifier`) without work;
 * - a new id: the call runs and its final answer is stored;
 * - the same id with the same payload (and requirements): the stored answer, without new work
 *   (while another caller is still working on it, its answer once ready);
 * - the same id with another payload: refused (`payment_identifier_conflict`), which
 *   {@link withPaymentIdentifierStatus} turns into HTTP 409.
 *
 * Only final answers are stored: a valid verification, a settlement that succeeded, or one whose
 * transaction reverted. A refusal that moved nothing, or `settlement_pending`, releases the id so
 * the same payment can be presented again (the ledger's per-nonce dedupe keeps that safe).
 */
import { createHash } from 'node:crypto';
import {
  type Facilitator,
  networkForVersion,
  PAYMENT_IDENTIFIER,
  PaymentIdentifierReasons,
  Reasons,
  readPaymentIdentifier,
  SettleResponse,
  type SupportedResponse,
  settleRefusal,
  VerifyResponse,
  verifyRefusal,
  type X402Version,
} from '@x402kit/core';
import { canonicalJson } from '../ledger/payment-hash.js';
import type { IdempotencyOperation, IdempotencyRecord, IdempotencyStore } from './idempotency-store.js';

export type IdempotentFacilitatorOptions = {
  /** The engine to wrap (`createEvmFacilitator`, `createFacilitator`, …). */
  facilitator: Facilitator;
  store: IdempotencyStore;
  /** This instance, stored as the owner of its claims; default `idempotency-<pid>`. */
  instanceId?: string;
  /** Longest wait for another caller of the same id to finish; then the call runs itself. Default 35 000 ms. */
  waitMs?: number;
  /** First interval between store reads while waiting (doubles up to 250 ms); default 20 ms. */
  pollIntervalMs?: number;
  /** A claim unchanged this long is taken as abandoned (its instance died); default 120 000 ms. */
  reclaimAfterMs?: number;
  /** Told about store failures after the call ran (its answer is still returned). */
  onError?: (error: unknown, context: { id: string; stage: string }) => void;
};

type Answer = VerifyResponse | SettleResponse;

/**
 * Wrap an engine so payment ids make its calls idempotent; `/supported` also lists
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
  const owner = options.instanceId ?? `idempotency-${process.pid}`;
  const waitMs = options.waitMs ?? 35_000;
  const firstPollMs = options.pollIntervalMs ?? 20;
  const reclaimAfterMs = options.reclaimAfterMs ?? 120_000;
  let supportedSource: SupportedResponse | undefined;
  let supportedAnswer: SupportedResponse | undefined;

  async function run<A extends Answer>(
    operation: IdempotencyOperation,
    payload: unknown,
    requirements: unknown,
    call: () => Promise<A>,
  ): Promise<A> {
    const found = readPaymentIdentifier(payload);
    if (!found.present) return call();
    const refuse = (reason: string, message: string) =>
      refusal(operation, reason, message, requirements) as A;
    if (!found.valid) return refuse(PaymentIdentifierReasons.invalid, found.message);
    const { id } = found;
    const payloadHash = sha256(canonicalJson(payload));
    const requestHash = sha256(canonicalJson({ payload, requirements }));
    const conflict = () =>
      refuse(
        PaymentIdentifierReasons.conflict,
        `payment id ${id} was already used with a different payment; reuse an id only to retry the same payment`,
      );
    const deadline = Date.now() + waitMs;
    let pause = firstPollMs;
    for (;;) {
      const { claimed, record } = await store.claim({ id, operation, payloadHash, requestHash, owner });
      const others = await store.records(id);
      if (others.some((r) => r.payloadHash !== payloadHash) || record.requestHash !== requestHash) {
        if (claimed) await store.release(id, operation, owner);
        return conflict();
      }
      if (claimed) return execute(id, operation, call);
      const replay = replayOf(operation, record);
      if (replay) return replay as A;
      if (Date.now() - record.updatedAt > reclaimAfterMs) {
        await store.release(id, operation, record.owner);
        continue;
      }
      // past the wait the call runs itself: verification has no side effect, and the ledger
      // dedupes a settlement by its nonce
      if (Date.now() >= deadline) return call();
      await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
      pause = Math.min(pause * 2, 250);
    }
  }

  async function execute<A extends Answer>(
    id: string,
    operation: IdempotencyOperation,
    call: () => Promise<A>,
  ): Promise<A> {
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
      options.onError?.(error, { id, stage: isFinal(answer) ? 'complete' : 'release' });
    }
    return answer;
  }

  const wrapped: Facilitator = {
    verify: (payload, requirements, opts) =>
      run('verify', payload, requirements, () => inner.verify(payload, requirements, opts)),
    settle: (payload, requirements, opts) =>
      run('settle', payload, requirements, () => inner.settle(payload, requirements, opts)),
    async supported() {
      const value = await inner.supported();
      if (value !== supportedSource || !supportedAnswer) {
        supportedSource = value;
        supportedAnswer = value.extensions.includes(PAYMENT_IDENTIFIER)
          ? value
          : { ...value, extensions: [...value.extensions, PAYMENT_IDENTIFIER] };
      }
      return supportedAnswer;
    },
  };
  // keep the engine's other members (close, networks, quoteFee …)
  return { ...inner, ...wrapped };
}

/** Answers worth replaying: a valid verification; a settlement that succeeded or reverted on chain. */
function isFinal(answer: Answer): boolean {
  const isValid: unknown = Reflect.get(answer, 'isValid');
  if (typeof isValid === 'boolean') return isValid;
  const settled = SettleResponse.safeParse(answer);
  if (!settled.success) return false;
  const { success, transaction, errorReason } = settled.data;
  return success || (transaction !== '' && errorReason !== Reasons.settlementPending);
}

function replayOf(operation: IdempotencyOperation, record: IdempotencyRecord): Answer | undefined {
  if (record.state !== 'completed' || record.result === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(record.result);
  } catch {
    return undefined;
  }
  const parsed = operation === 'verify' ? VerifyResponse.safeParse(json) : SettleResponse.safeParse(json);
  return parsed.success ? parsed.data : undefined;
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
