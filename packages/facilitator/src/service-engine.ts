/** One engine over every started chain: what the deployment serves, settles with and closes. */
import type { ChainRuntime, Facilitator, QuoteFee } from '@x402kit/core';

/** The deployment's engine: every configured chain's schemes behind the ledger. */
export type ServiceFacilitator = Facilitator & {
  /** The CAIP-2 ids served. */
  readonly networks: readonly string[];
  /** The addresses that send settlements, on every chain. */
  readonly signers: readonly string[];
  /** Stop receipt waits and refuse new work (call after the HTTP server closed). */
  close(): void;
  /** `/fee/quote` answers of the schemes that charge a fee. */
  quoteFee?: QuoteFee;
};

/**
 * One engine over every chain's runtime: the core engine's answers, the networks and settlement
 * addresses of all chains, the fee quotes of the first chain that prices an offer, and one close.
 *
 * @example
 * const engine = createServiceEngine(runtimes, createFacilitator({ schemes: runtimes.flatMap((r) => r.registrations) }))
 */
export function createServiceEngine(
  runtimes: readonly ChainRuntime[],
  engine: Facilitator,
): ServiceFacilitator {
  const quoters = runtimes.flatMap((runtime) => (runtime.quoteFee ? [runtime.quoteFee] : []));
  const networks = runtimes.flatMap((runtime) =>
    runtime.registrations.flatMap((r) => (Array.isArray(r.networks) ? r.networks : [r.networks])),
  );
  return {
    verify: engine.verify,
    settle: engine.settle,
    ...(engine.release ? { release: engine.release } : {}),
    supported: engine.supported,
    networks: [...new Set(networks)],
    signers: [...new Set(runtimes.flatMap((runtime) => runtime.settlementAddresses))],
    close: () => {
      for (const runtime of runtimes) runtime.close();
    },
    ...(quoters.length > 0
      ? {
          quoteFee: (offer) => {
            for (const quote of quoters) {
              const fee = quote(offer);
              if (fee) return fee;
            }
            return undefined;
          },
        }
      : {}),
  };
}
