/**
 * The resource-server side of `exact` on SVM: turns a route price into amount and mint (USDC of the
 * network from the registry by default), and offers the facilitator's fee payer in `extra.feePayer`
 * as the reference server does. Deterministic, no RPC.
 */
import { type PaymentRequirements, parsePrice, type SchemeServer } from '@x402kit/core';

/**
 * Create the server half of `exact` on SVM, for `createResourceServer` from `@x402kit/core`.
 * For `$0.001` on `solana:devnet` it yields amount `"1000"` of devnet USDC
 * (`4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU`); the offer's `extra.feePayer` is the fee payer
 * the facilitator advertises in `/supported`.
 *
 * @example
 * const server = createResourceServer({
 *   facilitators: createHttpFacilitatorClient({ url }),
 *   schemes: [{ network: 'solana:*', server: createExactSvmServer() }],
 * })
 */
export function createExactSvmServer(): SchemeServer {
  return {
    scheme: 'exact',
    parsePrice(price, network) {
      const parsed = parsePrice(price, network);
      return { amount: parsed.amount, asset: parsed.asset, extra: { ...parsed.extra } };
    },
    enhanceRequirements(requirements, ctx): PaymentRequirements {
      const feePayer = ctx.supportedKind?.extra?.feePayer;
      if (typeof feePayer !== 'string' || feePayer === '') return requirements;
      return { ...requirements, extra: { ...requirements.extra, feePayer } };
    },
  };
}
