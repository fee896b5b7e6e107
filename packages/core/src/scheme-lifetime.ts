/**
 * The lifetime of a chain scheme's facilitator, the part every such facilitator answers the same way
 * whatever its chain: once closed, `verify` and `settle` answer `unexpected_verify_error` /
 * `unexpected_settle_error` ("the facilitator is closed"); an exception of a run becomes that answer
 * with its text; concurrent settles of one payment share one run; a run's signal aborts with the
 * caller's or when the facilitator closes.
 */
import { Reasons } from './protocol/reasons.js';
import { settleRefusal, verifyRefusal } from './protocol/responses.js';
import type {
  PaymentPayload,
  PaymentRequirements,
  SettleResponse,
  VerifyResponse,
} from './protocol/schemas.js';
import type { SchemeFacilitator, SchemeFacilitatorContext } from './scheme.js';
import { createSharedSettlements } from './shared-settlements.js';

/** One settle call as {@link SchemeLifetime.settle} runs it. */
export type LifetimeSettleCall = {
  /** The network of the refusal answers. */
  network: string;
  /** The payer of the refusal answers, once known. */
  payer?: string | undefined;
  /** The payment's identity: concurrent settles with the same key share one run (none: runs alone). */
  key: string | undefined;
  /** The caller's abort signal. */
  signal: AbortSignal | undefined;
};

/** A scheme facilitator's own verify and settle, for {@link SchemeLifetime.guard}. */
export type SchemeRuns = {
  /** The payer of the refusal answers, once the payload tells. */
  payer?(payload: PaymentPayload): string | undefined;
  /** The payment's identity: concurrent settles with the same key share one run. */
  settlementKey(payload: PaymentPayload, requirements: PaymentRequirements): string | undefined;
  verify: SchemeFacilitator['verify'];
  /** `ctx.signal` aborts with the caller's or when the facilitator closes. */
  settle(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    ctx: SchemeFacilitatorContext & { signal: AbortSignal },
  ): Promise<SettleResponse>;
};

/** What {@link createSchemeLifetime} returns. */
export type SchemeLifetime = {
  /** Run a verification, unless closed; an exception becomes `unexpected_verify_error`. */
  verify(payer: string | undefined, run: () => Promise<VerifyResponse>): Promise<VerifyResponse>;
  /** Run a settlement, unless closed, shared by key; an exception becomes `unexpected_settle_error`. */
  settle(
    call: LifetimeSettleCall,
    run: (signal: AbortSignal) => Promise<SettleResponse>,
  ): Promise<SettleResponse>;
  /** A facilitator's `verify` and `settle` over `runs`, each through this lifetime's `verify` and `settle`. */
  guard(runs: SchemeRuns): Pick<SchemeFacilitator, 'verify' | 'settle'>;
  /** Close: later calls are refused and running settlements see their signal abort. */
  close(): void;
};

/**
 * A facilitator's lifetime; `describe` words a thrown value for the refusal's message.
 *
 * @example
 * const lifetime = createSchemeLifetime((e) => (e instanceof Error ? e.message : String(e)));
 * return lifetime.settle({ network, payer, key, signal }, (signal) => settleOnChain(payload, signal));
 */
export function createSchemeLifetime(describe: (error: unknown) => string): SchemeLifetime {
  const closing = new AbortController();
  const shared = createSharedSettlements<SettleResponse>();
  const closed = 'the facilitator is closed';
  const verify: SchemeLifetime['verify'] = async (payer, run) => {
    if (closing.signal.aborted) return verifyRefusal(Reasons.unexpectedVerifyError, closed, payer);
    try {
      return await run();
    } catch (error) {
      return verifyRefusal(Reasons.unexpectedVerifyError, describe(error), payer);
    }
  };
  const settle: SchemeLifetime['settle'] = async ({ network, payer, key, signal }, run) => {
    const refuse = (message: string) =>
      settleRefusal(Reasons.unexpectedSettleError, message, network, '', payer);
    if (closing.signal.aborted) return refuse(closed);
    return shared(key, () => {
      const combined = signal ? AbortSignal.any([signal, closing.signal]) : closing.signal;
      return run(combined).catch((error: unknown) => refuse(describe(error)));
    });
  };
  return {
    verify,
    settle,
    guard: (runs) => ({
      verify: (payload, requirements, ctx) =>
        verify(runs.payer?.(payload), () => runs.verify(payload, requirements, ctx)),
      settle: (payload, requirements, ctx) =>
        settle(
          {
            network: requirements.network,
            payer: runs.payer?.(payload),
            key: runs.settlementKey(payload, requirements),
            signal: ctx.signal,
          },
          (signal) => runs.settle(payload, requirements, { ...ctx, signal }),
        ),
    }),
    close: () => closing.abort(),
  };
}
