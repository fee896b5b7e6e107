/**
 * What an `exact_permit` facilitator does the same way on every chain once its context is built:
 * verify and settle through the scheme lifetime's guard, and quote its fee for an offer.
 */
import type {
  PaymentPayload,
  PaymentRequirements,
  SchemeFacilitator,
  SettleResponse,
  VerifyResponse,
} from '@x402kit/core';
import type { SchemeLifetime, SchemeRuns } from '@x402kit/core/internal';
import type { ExactPermitFeeQuote } from './fee-quote.js';
import type { PermitVerifyContext } from './verify-permit-payment.js';

/** A chain's own verify and settle of `exact_permit` payments, over its context `Ctx`. */
export type PermitPaymentRuns<Ctx> = {
  /** The payment's identity: concurrent settles with the same key share one run. */
  settlementKey: SchemeRuns['settlementKey'];
  verify(
    ctx: Ctx,
    payload: PaymentPayload,
    requirements: PaymentRequirements,
  ): Promise<{ response: VerifyResponse }>;
  settle(
    ctx: Ctx,
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    call: Parameters<SchemeRuns['settle']>[2],
  ): Promise<SettleResponse>;
};

/**
 * A facilitator's `verify` (the verification's response) and `settle` (the call's signal, aborted on
 * close too, and `onBroadcast` handed on as is) over `ctx`, through `lifetime`'s guard, and its
 * `close` (the lifetime's).
 *
 * @example
 * const { verify, settle, close } = guardPermitPayments(lifetime, ctx, { settlementKey, verify: verifyExactPermitPayment, settle: settleExactPermitPayment })
 */
export function guardPermitPayments<Ctx>(
  lifetime: SchemeLifetime,
  ctx: Ctx,
  runs: PermitPaymentRuns<Ctx>,
): Pick<SchemeFacilitator, 'verify' | 'settle'> & { close(): void } {
  const guarded = lifetime.guard({
    settlementKey: runs.settlementKey,
    verify: async (payload, requirements) => (await runs.verify(ctx, payload, requirements)).response,
    settle: (payload, requirements, call) => runs.settle(ctx, payload, requirements, call),
  });
  return { ...guarded, close: () => lifetime.close() };
}

/**
 * The fee a facilitator quotes for `asset` (in the chain's form) on its served `network`: none when
 * the network's allowed tokens leave it out (compared as `assetKey` gives them) or no fee is set.
 *
 * @example
 * quotePermitFee(ctx, 'eip155:97', usdt, caller, addressKey) // { feeTo, feeAmount: '100', caller }
 */
export function quotePermitFee<Name extends string>(
  ctx: Pick<PermitVerifyContext<unknown, Name>, 'fees' | 'allowedAssets'>,
  network: Name,
  asset: string,
  caller: string,
  assetKey: (asset: string) => string = (same) => same,
): ExactPermitFeeQuote | undefined {
  const allowed = ctx.allowedAssets?.get(network);
  if (allowed && !allowed.has(assetKey(asset))) return undefined;
  const fee = ctx.fees(network, asset);
  return fee ? { feeTo: fee.feeTo, feeAmount: fee.amount.toString(), caller } : undefined;
}
