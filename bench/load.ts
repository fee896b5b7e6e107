/**
 * A small closed-loop load generator on node:http with keep-alive: `concurrency` workers each
 * send requests back to back until `count` requests are done. Same generator for every target,
 * so ratios are fair; figures are wall clock on a shared 2-core machine and noisy.
 */
import { Agent, request } from 'node:http';

export type LoadOptions = {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  concurrency: number;
  count: number;
  /** Status the target must answer; anything else counts as an error. */
  expectStatus: number;
};

export type LoadResult = {
  count: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
};

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  const url = new URL(o.url);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const headers = {
    ...(o.body
      ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(o.body)) }
      : {}),
    ...o.headers,
  };

  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          method: o.method ?? 'GET',
          headers,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            if (res.statusCode !== o.expectStatus) errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      if (o.body) req.write(o.body);
      req.end();
    });

  const start = performance.now();
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      while (next < o.count) {
        next++;
        await one();
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    count: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
