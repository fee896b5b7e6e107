/**
 * The deployment of the batch-settlement load and kill tests: the devnet (11 funded payers), an
 * `x402kit facilitator` process (its RPC through a fault proxy, a SQLite ledger file that survives a
 * restart, restarted on the same port), and resource-server PROCESSES (`batch-settlement-server.ts`;
 * instance `a` on Express, the others on Hono) sharing ONE PostgreSQL channel store in a schema of this run's own. The paying side lives in
 * `batch-settlement-workers.ts`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import type { ChannelStore } from '@x402kit/evm/batch-settlement';
import { createPostgresChannelStore } from '@x402kit/evm/batch-settlement/postgres';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import { type RpcFaultProxy, startRpcFaultProxy } from '@x402kit/testing/rpc-fault-proxy';
import { type CliRun, spawnCli, spawnScript } from '@x402kit/testing/spawn-cli';
import type { BatchServerSpec, HandlerExecution } from './batch-settlement-server.js';

export const PRICE = 1000n; // $0.001 of the devnet's 6-decimal USDC

/** A process of the stack: its run and its base URL. */
export type StackProcess = { run: CliRun; url: string };

/** The running deployment. */
export type BatchStack = {
  devnet: Devnet;
  proxy: RpcFaultProxy;
  dir: string;
  /** The shared channel store, opened by the test (the claim scheduler's and the assertions'). */
  store: ChannelStore;
  facilitator: StackProcess;
  /** The server instances by name; a restart replaces its entry (a new URL). */
  servers: Map<string, StackProcess>;
  /** (Re)start the facilitator on the same port and ledger file. */
  startFacilitator(): Promise<StackProcess>;
  /** (Re)start a server instance `name` on the shared store (Express for `a`, else Hono). */
  startServer(name: string): Promise<StackProcess>;
  /** From now on, the next request instance `name` runs its handler for is held (never answered). */
  holdNextRequest(name: string): void;
  /** Every handler run so far, in the order they were recorded. */
  executions(): HandlerExecution[];
  close(): Promise<void>;
};

/** SIGKILL a process of the stack and wait until it is gone. */
export async function killHard(process: StackProcess): Promise<void> {
  process.run.child.kill('SIGKILL');
  const exited = await process.run.exited;
  if (exited.signal !== 'SIGKILL') throw new Error(`expected SIGKILL, got ${JSON.stringify(exited)}`);
}

/**
 * Start the stack with `instances` server processes named `a`, `b`, ...
 *
 * @example const stack = await startBatchStack('load', 2, { maxTimeoutSeconds: 10 })
 */
export async function startBatchStack(
  name: string,
  instances: number,
  options: { maxTimeoutSeconds: number },
): Promise<BatchStack> {
  const dir = mkdtempSync(join(tmpdir(), `x402kit-batch-${name}-`));
  const runs: CliRun[] = [];
  const devnet = await startDevnet({ port: 0, extraPayers: 11 });
  const proxy = await startRpcFaultProxy({ target: devnet.rpcUrl });
  const pgUrl = await testPostgresUrl();
  const schema = freshSchemaName(`batch_${name}`);
  const store = createPostgresChannelStore({ url: pgUrl, schema });
  await store.list();
  const executionsFile = join(dir, 'executions.jsonl');
  writeFileSync(executionsFile, '');
  let port = 0;

  const stack: BatchStack = {
    devnet,
    proxy,
    dir,
    store,
    facilitator: undefined as unknown as StackProcess,
    servers: new Map(),
    async startFacilitator() {
      const config = join(dir, 'facilitator.json');
      writeFileSync(
        config,
        JSON.stringify({
          instanceId: `batch-${name}`,
          networks: { [devnet.network]: { rpc: [proxy.url] } },
          signers: { privateKeys: [devnet.accounts.facilitator.privateKey] },
          ledger: { sqlite: { path: join(dir, 'ledger.db') } },
          settlement: { claimLeaseMs: 500, receiptTimeoutMs: 20_000 },
          keyLease: { staleAfterMs: 500 },
          reconciler: { intervalMs: 200, leaseMs: 200 },
        }),
      );
      const run = spawnCli(['facilitator', '--config', config, '--port', String(port)]);
      runs.push(run);
      const line = await run.waitForLine(/^Facilitator listening on /, 90_000);
      const url = line.replace('Facilitator listening on ', '').trim();
      port = Number(new URL(url).port);
      stack.facilitator = { run, url };
      return stack.facilitator;
    },
    async startServer(instance) {
      const spec: BatchServerSpec = {
        name: instance,
        framework: instance === 'a' ? 'express' : 'hono',
        facilitatorUrl: stack.facilitator.url,
        network: devnet.network,
        payTo: devnet.accounts.payTo.address,
        price: '$0.001',
        maxTimeoutSeconds: options.maxTimeoutSeconds,
        postgres: { url: pgUrl, schema },
        executionsFile,
        holdFile: join(dir, `hold-${instance}`),
      };
      const run = spawnScript('test/e2e/batch-settlement-server.ts', [JSON.stringify(spec)]);
      runs.push(run);
      const line = await run.waitForLine(/^Batch server listening on /, 90_000);
      const started = { run, url: line.replace('Batch server listening on ', '').trim() };
      stack.servers.set(instance, started);
      return started;
    },
    holdNextRequest(instance) {
      writeFileSync(join(dir, `hold-${instance}`), '');
    },
    executions() {
      return readFileSync(executionsFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as HandlerExecution);
    },
    async close() {
      for (const run of runs)
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      await store.close().catch(() => {});
      await dropSchema(pgUrl, schema).catch(() => {});
      await proxy.close();
      await devnet.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await stack.startFacilitator();
    const names = Array.from({ length: instances }, (_, i) => String.fromCharCode(97 + i));
    await Promise.all(names.map((instance) => stack.startServer(instance)));
  } catch (error) {
    await stack.close();
    throw error;
  }
  return stack;
}
