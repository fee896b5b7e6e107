/**
 * The example Next.js app (examples/next-app) under `next dev` (Turbopack) on a free port, for the
 * Next interop tests. Next resolves the packages from their build (dist/): `npm run build` first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP_DIR = fileURLToPath(new URL('../../examples/next-app/', import.meta.url));
const NEXT_BIN = fileURLToPath(new URL('../../node_modules/next/dist/bin/next', import.meta.url));

/** A running `next dev` of the example app. */
export type NextDev = {
  url: string;
  /** Everything it printed so far. */
  output(): string;
  /** How many times the paid handler `name` ran (the app's free `/api/runs`). */
  handlerRuns(name: string): Promise<number>;
  /** Stop it and remove what the dev build wrote. */
  close(): Promise<void>;
};

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Throw unless the packages Next resolves are built. */
export function assertBuilt(): void {
  const built = fileURLToPath(new URL('../../packages/http/dist/next.js', import.meta.url));
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
}

/**
 * Start `next dev` with `env` (FACILITATOR_URL, X402_NETWORK, PAY_TO, PRICE), resolved once it
 * serves; the time it took is logged.
 *
 * @example
 * const next = await startNextDev({ FACILITATOR_URL: facilitator.url, X402_NETWORK: devnet.network, PAY_TO: payTo, PRICE: '$0.001' })
 */
export async function startNextDev(env: Record<string, string>): Promise<NextDev> {
  assertBuilt();
  const port = await freePort();
  const started = performance.now();
  let output = '';
  const next: ChildProcess = spawn(
    process.execPath,
    [NEXT_BIN, 'dev', '--hostname', '127.0.0.1', '--port', String(port)],
    {
      cwd: APP_DIR,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  next.stdout?.on('data', collect);
  next.stderr?.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (next.exitCode === null) {
      next.kill('SIGTERM');
      await once(next, 'exit');
    }
    // the dev build's output and the empty cache folder next dev makes: nothing of the run stays
    for (const dir of ['.next', 'cache']) rmSync(join(APP_DIR, dir), { recursive: true, force: true });
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (next.exitCode !== null) throw new Error(`next dev exited ${next.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await close();
      throw new Error(`next dev did not answer in 180 s:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/api/runs`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  console.log(`next dev served its first route after ${Math.round(performance.now() - started)} ms`);
  return {
    url,
    output: () => output,
    async handlerRuns(name) {
      const runs = (await (await fetch(`${url}/api/runs`)).json()) as Record<string, number>;
      return runs[name] ?? 0;
    },
    close,
  };
}
