/**
 * `GET /health` for a configured facilitator: every chain's nodes answer (each chain module probes
 * its own: one answering URL of a network is enough) and the ledger answers a cheap query. When one
 * fails, `/health` answers 503 with `networks: { "eip155:84532": "ok" | "error: …" }, ledger: …`.
 */
import { answerWithin } from './db/answer-within.js';
import type { PaymentLedger } from './ledger/index.js';
import type { HealthReport } from './service-types.js';

/** One chain's probe: per network, `'ok'` or `'error: …'`. Never throws. */
export type NetworkProbe = (timeoutMs: number) => Promise<Record<string, string>>;

/** Options of `createHealthCheck`. */
export type HealthCheckOptions = {
  /** The chains' probes (`ChainRuntime.probe` of each started module). */
  probes: readonly NetworkProbe[];
  ledger?: PaymentLedger;
  /** Per probe; default 2000 ms. */
  timeoutMs?: number;
};

/**
 * Create the `checkHealth` hook.
 *
 * @example
 * createFacilitatorService({ facilitator, checkHealth: createHealthCheck({ probes: runtimes.map((r) => r.probe), ledger }) })
 */
export function createHealthCheck(options: HealthCheckOptions): () => Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async function checkHealth() {
    const networks: Record<string, string> = {};
    await Promise.all(
      options.probes.map(async (probe) => {
        const answers = await probe(timeoutMs).catch(
          (error: unknown): Record<string, string> => ({
            probe: `error: ${error instanceof Error ? error.message : String(error)}`,
          }),
        );
        Object.assign(networks, answers);
      }),
    );
    let ledger: string | undefined;
    if (options.ledger) {
      ledger = await answerWithin(options.ledger.list({ limit: 1 }), timeoutMs).then(
        () => 'ok',
        (error: unknown) => `error: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const ok = Object.values(networks).every((v) => v === 'ok') && (ledger === undefined || ledger === 'ok');
    // a healthy answer stays `{"status":"ok"}` (what load balancers and the e2e harness expect)
    return ok ? { ok } : { ok, details: { networks, ...(ledger === undefined ? {} : { ledger }) } };
  };
}
