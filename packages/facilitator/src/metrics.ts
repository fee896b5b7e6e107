/**
 * Prometheus metrics of the facilitator service, fed by its `observe` hook and served as the text
 * exposition format (version 0.0.4) by `GET /metrics`. No dependency:
 *
 * - `x402kit_verify_total{scheme,network,result,reason}` / `x402kit_settle_total{...}`;
 * - `x402kit_verify_seconds` / `x402kit_settle_seconds` histograms `{scheme,network}`;
 * - `x402kit_http_requests_total{endpoint,status}`;
 * - gauges: `x402kit_pending_settlements`, `x402kit_relayer_balance_<unit>{network,address}` (one per
 *   chain's native unit: `wei`, `sun`, `lamports`),
 *   `x402kit_relayer_nonce_lag{network,address}` (sent but not mined), and the counter
 *   `x402kit_reconciled_total{result}` of the background reconciler;
 * - `x402kit_gas_sponsored_wei_total{network,kind}`: native gas spent on payers' behalf (approval
 *   top-ups, ERC-6492 wallet deployments), in wei.
 */
import type { ServiceRequestEvent } from './service.js';

/** Histogram buckets in seconds: a verify is milliseconds, a settlement waits for a receipt. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export type Metrics = {
  /** The service's `observe` hook. */
  observe(event: ServiceRequestEvent): void;
  /** Set a gauge (one of {@link GAUGES}) for a label set. */
  setGauge(name: GaugeName, labels: Record<string, string>, value: number | bigint): void;
  /** Count payments the background reconciler finished (`settled` / `failed`). */
  countReconciled(result: 'settled' | 'failed', n: number): void;
  /** Count wei spent on a payer's behalf (`kind`: `erc20_approval_top_up`, `erc6492_deployment`). */
  countSponsoredGas(labels: { network: string; kind: string }, wei: bigint): void;
  /** The exposition text. */
  render(): string;
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

type Histogram = { counts: number[]; sum: number; count: number };

/**
 * Create the registry.
 *
 * @example
 * const metrics = createMetrics()
 * createFacilitatorService({ facilitator, observe: metrics.observe })
 * metrics.render() // '# HELP x402kit_verify_total ...'
 */
export function createMetrics(): Metrics {
  const counters = {
    verify: new Map<string, number>(),
    settle: new Map<string, number>(),
    http: new Map<string, number>(),
  };
  const histograms = { verify: new Map<string, Histogram>(), settle: new Map<string, Histogram>() };
  const gauges = new Map<GaugeName, Map<string, number | bigint>>();
  const reconciled = new Map<string, number>();
  const sponsored = new Map<string, bigint>();

  function observe(event: ServiceRequestEvent): void {
    increment(counters.http, labels({ endpoint: event.endpoint ?? 'unknown', status: String(event.status) }));
    if (event.endpoint !== 'verify' && event.endpoint !== 'settle') return;
    const where = { scheme: event.scheme ?? '', network: event.network ?? '' };
    const result = event.outcome ?? 'error';
    increment(counters[event.endpoint], labels({ ...where, result, reason: event.reason ?? '' }));
    const key = labels(where);
    const map = histograms[event.endpoint];
    let histogram = map.get(key);
    if (!histogram) {
      histogram = { counts: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 };
      map.set(key, histogram);
    }
    const seconds = event.durationMs / 1000;
    LATENCY_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) histogram.counts[i] = (histogram.counts[i] ?? 0) + 1;
    });
    histogram.sum += seconds;
    histogram.count += 1;
  }

  function render(): string {
    const out: string[] = [];
    counter(out, 'x402kit_verify_total', 'Verifications answered, by result and reason.', counters.verify);
    counter(out, 'x402kit_settle_total', 'Settlements answered, by result and reason.', counters.settle);
    histogram(out, 'x402kit_verify_seconds', 'Time to answer /verify.', histograms.verify);
    histogram(out, 'x402kit_settle_seconds', 'Time to answer /settle.', histograms.settle);
    counter(out, 'x402kit_http_requests_total', 'HTTP requests, by endpoint and status.', counters.http);
    counter(out, 'x402kit_reconciled_total', 'Payments finished by the background reconciler.', reconciled);
    counter(
      out,
      'x402kit_gas_sponsored_wei_total',
      "Native gas spent on payers' behalf (approval top-ups, wallet deployments), in wei.",
      sponsored,
    );
    for (const [name, values] of gauges) {
      out.push(`# HELP ${name} ${helpOf(name)}`, `# TYPE ${name} gauge`);
      for (const [key, value] of values) out.push(`${name}${key} ${value.toString()}`);
    }
    return `${out.join('\n')}\n`;
  }

  return {
    observe,
    render,
    setGauge(name, values, value) {
      let map = gauges.get(name);
      if (!map) {
        map = new Map();
        gauges.set(name, map);
      }
      map.set(labels(values), value);
    },
    countSponsoredGas(values, wei) {
      if (wei <= 0n) return;
      const key = labels(values);
      sponsored.set(key, (sponsored.get(key) ?? 0n) + wei);
    },
    countReconciled(result, n) {
      if (n > 0) reconciled.set(labels({ result }), (reconciled.get(labels({ result })) ?? 0) + n);
    },
  };
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** `{a="x",b="y"}` with the exposition format's escaping. */
function labels(values: Record<string, string>): string {
  const parts = Object.entries(values).map(
    ([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`,
  );
  return `{${parts.join(',')}}`;
}

function counter(out: string[], name: string, help: string, map: Map<string, number | bigint>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
  for (const [key, value] of map) out.push(`${name}${key} ${value}`);
}

function histogram(out: string[], name: string, help: string, map: Map<string, Histogram>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  for (const [key, h] of map) {
    const inner = key.slice(1, -1);
    const sep = inner ? ',' : '';
    LATENCY_BUCKETS.forEach((bound, i) => {
      out.push(`${name}_bucket{${inner}${sep}le="${bound}"} ${h.counts[i] ?? 0}`);
    });
    out.push(`${name}_bucket{${inner}${sep}le="+Inf"} ${h.count}`);
    out.push(`${name}_sum${key} ${h.sum}`, `${name}_count${key} ${h.count}`);
  }
}
