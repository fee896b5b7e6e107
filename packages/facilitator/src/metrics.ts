/**
 * Prometheus metrics of the facilitator service, fed by its `observe` hook and served as the text
 * exposition format (version 0.0.4) by `GET /metrics`, on `prom-client` (one registry per service,
 * never the process-global one):
 *
 * - `x402kit_verify_total{scheme,network,result,reason}` / `x402kit_settle_total{...}`;
 * - `x402kit_verify_seconds` / `x402kit_settle_seconds` histograms `{scheme,network}`;
 * - `x402kit_http_requests_total{endpoint,status}`;
 * - gauges: `x402kit_pending_settlements`, `x402kit_relayer_balance_<unit>{network,address}` (one per
 *   chain's native unit: `wei`, `sun`, `lamports`),
 *   `x402kit_relayer_nonce_lag{network,address}` (sent but not mined), and the counter
 *   `x402kit_reconciled_total{result}` of the background reconciler;
 * - `x402kit_gas_sponsored_wei_total{network,kind}`: native gas spent on payers' behalf (approval
 *   top-ups, ERC-6492 wallet deployments), in wei;
 * - the chain modules' own counters and histograms, created on their first sample (`record`), e.g.
 *   `x402kit_batch_settlement_{deposits,claims,sweeps,refunds}_total{network,outcome}` and the
 *   histogram `x402kit_batch_settlement_claim_rows{network}` of EVM `batch-settlement`.
 */
import type { ChainMetricSample } from '@x402kit/core';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServiceRequestEvent } from './service-types.js';

/** Histogram buckets in seconds: a verify is milliseconds, a settlement waits for a receipt. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** What `createMetrics` returns. */
export type Metrics = {
  /** The service's `observe` hook. */
  observe(event: ServiceRequestEvent): void;
  /** Set a gauge (one of {@link GAUGES}) for a label set. */
  setGauge(name: GaugeName, labels: Record<string, string>, value: number | bigint): void;
  /** Count payments the background reconciler finished (`settled` / `failed`). */
  countReconciled(result: 'settled' | 'failed', n: number): void;
  /** Count wei spent on a payer's behalf (`kind`: `erc20_approval_top_up`, `erc6492_deployment`). */
  countSponsoredGas(labels: { network: string; kind: string }, wei: bigint): void;
  /** Count or observe a chain module's figure (its metric is created on first use). */
  record(sample: ChainMetricSample): void;
  /** The exposition text. */
  render(): Promise<string>;
  /** The registry behind it, to add the process's own metrics (`collectDefaultMetrics`) or merge. */
  registry: Registry;
};

/** The gauges and their help text. */
export const GAUGES = {
  x402kit_pending_settlements: 'Payments sent but not resolved (pending or broadcast) in the ledger.',
  x402kit_relayer_nonce_lag:
    'Transactions of each relayer key sent but not yet mined (pending - latest nonce).',
} as const;

/** A fixed gauge, or the balance gauge of one chain's unit (`x402kit_relayer_balance_wei`). */
export type GaugeName = keyof typeof GAUGES | `x402kit_relayer_balance_${string}`;

function helpOf(name: GaugeName): string {
  if (name in GAUGES) return GAUGES[name as keyof typeof GAUGES];
  const unit = name.slice('x402kit_relayer_balance_'.length);
  return `Native balance of each settlement key (it pays the fees), in ${unit}.`;
}

/**
 * Create the metrics, in a registry of their own.
 *
 * @example
 * const metrics = createMetrics()
 * createFacilitatorService({ facilitator, observe: metrics.observe })
 * await metrics.render() // '# HELP x402kit_verify_total ...'
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const fixed = createFixedMetrics(registers);
  // created on first use: a chain's balance gauge exists once a relayer of that chain was read
  const gauges = new Map<GaugeName, Gauge>();
  const recorded = new Map<string, Counter | Histogram>();
  return {
    observe: (event) => observe(fixed, event),
    registry,
    render: () => registry.metrics(),
    setGauge(name, labels, value) {
      let gauge = gauges.get(name);
      if (!gauge) {
        gauge = new Gauge({ name, help: helpOf(name), labelNames: Object.keys(labels), registers });
        gauges.set(name, gauge);
      }
      gauge.set(labels, Number(value));
    },
    countSponsoredGas(labels, wei) {
      if (wei > 0n) fixed.sponsored.inc(labels, Number(wei));
    },
    record: (sample) => record(recorded, registers, sample),
    countReconciled(result, n) {
      if (n > 0) fixed.reconciled.inc({ result }, n);
    },
  };
}

type FixedMetrics = ReturnType<typeof createFixedMetrics>;

/** The service's own counters and histograms, registered in this order. */
function createFixedMetrics(registers: Registry[]) {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter({ name, help, labelNames, registers });
  const timing = (name: string, help: string) =>
    new Histogram({
      name,
      help,
      labelNames: ['scheme', 'network'],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
  const outcome = ['scheme', 'network', 'result', 'reason'] as const;
  const verifyTotal = counter(
    'x402kit_verify_total',
    'Verifications answered, by result and reason.',
    outcome,
  );
  const settleTotal = counter('x402kit_settle_total', 'Settlements answered, by result and reason.', outcome);
  const verifySeconds = timing('x402kit_verify_seconds', 'Time to answer /verify.');
  const settleSeconds = timing('x402kit_settle_seconds', 'Time to answer /settle.');
  const httpTotal = counter('x402kit_http_requests_total', 'HTTP requests, by endpoint and status.', [
    'endpoint',
    'status',
  ]);
  const reconciled = counter('x402kit_reconciled_total', 'Payments finished by the background reconciler.', [
    'result',
  ]);
  const sponsored = counter(
    'x402kit_gas_sponsored_wei_total',
    "Native gas spent on payers' behalf (approval top-ups, wallet deployments), in wei.",
    ['network', 'kind'],
  );
  return { verifyTotal, settleTotal, verifySeconds, settleSeconds, httpTotal, reconciled, sponsored };
}

/** Count a chain module's sample, creating its counter or histogram on first use. */
function record(
  recorded: Map<string, Counter | Histogram>,
  registers: Registry[],
  sample: ChainMetricSample,
): void {
  let metric = recorded.get(sample.name);
  if (!metric) {
    const config = {
      name: sample.name,
      help: sample.help,
      labelNames: Object.keys(sample.labels),
      registers,
    };
    metric =
      sample.kind === 'counter'
        ? new Counter(config)
        : new Histogram({ ...config, buckets: [...(sample.buckets ?? LATENCY_BUCKETS)] });
    recorded.set(sample.name, metric);
  }
  if (metric instanceof Counter) metric.inc(sample.labels, sample.value ?? 1);
  else if (sample.value !== undefined) metric.observe(sample.labels, sample.value);
}

/** Count one answered request; time and count /verify and /settle by outcome. */
function observe(fixed: FixedMetrics, event: ServiceRequestEvent): void {
  fixed.httpTotal.inc({ endpoint: event.endpoint ?? 'unknown', status: String(event.status) });
  if (event.endpoint !== 'verify' && event.endpoint !== 'settle') return;
  const labels = { scheme: event.scheme ?? '', network: event.network ?? '' };
  const result = event.outcome ?? 'error';
  const verify = event.endpoint === 'verify';
  (verify ? fixed.verifyTotal : fixed.settleTotal).inc({ ...labels, result, reason: event.reason ?? '' });
  (verify ? fixed.verifySeconds : fixed.settleSeconds).observe(labels, event.durationMs / 1000);
}
