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

/** One request's answer: its latency (undefined when no answer came) and whether it had the expected status. */
export type TimedAnswer = { ms: number | undefined; ok: boolean };

/**
 * Send one request on `agent`, read the answer to its end and time it; a connection error is an
 * answer that is not ok and has no latency.
 *
 * @example
 * const { ms, ok } = await timedRequest(agent, new URL(url), 'POST', headers, body, 200)
 */
export function timedRequest(
  agent: Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  expectStatus: number,
): Promise<TimedAnswer> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request(
      { agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ ms: performance.now() - t0, ok: res.statusCode === expectStatus }));
      },
    );
    req.on('error', () => resolve({ ms: undefined, ok: false }));
    req.end(body);
  });
}

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

  const one = async () => {
    const answer = await timedRequest(agent, url, o.method ?? 'GET', headers, o.body, o.expectStatus);
    if (answer.ms !== undefined) latencies.push(answer.ms);
    if (!answer.ok) errors++;
  };

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
