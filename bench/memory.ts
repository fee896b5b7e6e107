/**
 * The facilitator's memory under a fixed offered load: an open-loop generator (requests leave at a
 * fixed rate, whether or not earlier ones were answered, as independent clients would send them)
 * and the server process's resident set size read from `/proc/<pid>/status` while it runs.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { percentile, timedRequest } from './load.js';

export type OpenLoadOptions = {
  url: string;
  body: string;
  headers?: Record<string, string>;
  /** Requests per second offered, whatever the target answers. */
  rate: number;
  seconds: number;
  expectStatus: number;
};

export type OpenLoadResult = {
  sent: number;
  ok: number;
  errors: number;
  /** Answers per second over the whole run (sending plus draining). */
  answeredRps: number;
  p50: number;
  p99: number;
};

export type MemoryFigures = {
  /** RSS after start-up, before any request (MB). */
  idleMb: number;
  /** Highest RSS sampled during the load and the second after it (MB). */
  peakMb: number;
  load: OpenLoadResult;
};

const MB = 1024 * 1024;

/**
 * A process's resident set size in bytes (Linux), or NaN when it cannot be read.
 *
 * @example
 * const bytes = rssOf(child.pid!)
 */
export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) * 1024;
  } catch {
    return Number.NaN;
  }
}

/**
 * Send `rate` requests per second for `seconds`, open loop: each request leaves on its schedule
 * (checked every few milliseconds), so a slow target faces a growing number in flight instead of a
 * slower sender. Connections are kept alive and opened as needed.
 *
 * @example
 * const result = await runOpenLoad({ url: `${url}/verify`, body, rate: 500, seconds: 10, expectStatus: 200 })
 */
export async function runOpenLoad(o: OpenLoadOptions): Promise<OpenLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const url = new URL(o.url);
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(o.body)),
    ...o.headers,
  };
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const pending: Promise<void>[] = [];
  const one = async () => {
    const answer = await timedRequest(agent, url, 'POST', headers, o.body, o.expectStatus);
    if (answer.ms !== undefined) latencies.push(answer.ms);
    if (!answer.ok) errors++;
  };
  const total = Math.round(o.rate * o.seconds);
  const start = performance.now();
  await new Promise<void>((done) => {
    const tick = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * o.rate));
      while (sent < due) {
        sent++;
        pending.push(one());
      }
      if (sent >= total) {
        clearInterval(tick);
        done();
      }
    }, 2);
  });
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    sent,
    ok: latencies.length - errors,
    errors,
    answeredRps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/**
 * Idle RSS of a freshly started server process, then its peak RSS under {@link runOpenLoad}
 * (sampled every 20 ms).
 *
 * @example
 * const figures = await measureMemory(pid, { url: `${url}/verify`, body, rate: 500, seconds: 10, expectStatus: 200 })
 */
export async function measureMemory(pid: number, load: OpenLoadOptions): Promise<MemoryFigures> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const idle = rssOf(pid);
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, 20);
  try {
    const result = await runOpenLoad(load);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return { idleMb: idle / MB, peakMb: Math.max(peak, rssOf(pid)) / MB, load: result };
  } finally {
    clearInterval(sampler);
  }
}
