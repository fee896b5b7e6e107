/**
 * The lifetime of a chain scheme's facilitator, the part every such facilitator answers the same way
 * whatever its chain: once closed, `verify` and `settle` answer `unexpected_verify_error` /
 * `unexpected_settle_error` ("the facilitator is closed"); an exception of a run becomes that answer
 * with its text; concurrent settles of one payment share one run; a run's signal aborts with the
 * caller's or when the facilitator closes.
 */
import { Reasons } from './protocol/reasons.js';
import { settleRefusal, verifyRefusal } from './protocol/responses.js';
import type { SettleResponse, VerifyResponse } from './protocol/schemas.js';
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

/** What {@link createSchemeLifetime} returns. */
export type SchemeLifetime = {
  /** Run a verification, unless closed; an exception becomes `unexpected_verify_error`. */
  verify(payer: string | undefined, run: () => Promise<VerifyResponse>): Promise<VerifyResponse>;
  /** Run a settlement, unless closed, shared by key; an exception becomes `unexpected_settle_error`. */
  settle(
    call: LifetimeSettleCall,
    run: (signal: AbortSignal) => Promise<SettleResponse>,
  ): Promise<SettleResponse>;
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
  return {
    async verify(payer, run) {
      if (closing.signal.aborted) return verifyRefusal(Reasons.unexpectedVerifyError, closed, payer);
      try {
        return await run();
      } catch (error) {
        return verifyRefusal(Reasons.unexpectedVerifyError, describe(error), payer);
      }
    },
    async settle({ network, payer, key, signal }, run) {
      const refuse = (message: string) =>
        settleRefusal(Reasons.unexpectedSettleError, message, network, '', payer);
      if (closing.signal.aborted) return refuse(closed);
      return shared(key, () => {
        const combined = signal ? AbortSignal.any([signal, closing.signal]) : closing.signal;
        return run(combined).catch((error: unknown) => refuse(describe(error)));
      });
    },
    close: () => closing.abort(),
  };
}
