/**
 * `npm run bench`: x402kit against the official @x402/* stack, on one devnet, in one run.
 * Prints a table of figures and ratios (ours / theirs, or theirs / ours for latencies, so a
 * ratio above 1 always means x402kit is ahead).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  createFacilitator,
  createResourceServer,
  createX402Client,
  type PaymentRequirements,
} from '@x402kit/core';
import { devnetAccount, startDevnet } from '@x402kit/devnet';
import {
  buildPermit2Approval,
  createExactEvmClient,
  createExactEvmServer,
  signPermit2Authorization,
} from '@x402kit/evm';
import { officialFetch } from '@x402kit/testing/official';
import { ourFetch } from '@x402kit/testing/ours';
import { createWalletClient, type Hex, http, publicActions } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { runBatchSettlementBench } from './batch-settlement-bench.js';
import { runExactPermitBench } from './exact-permit-bench.js';
import { runFuzzBench } from './fuzz.js';
import { runGatewayBench } from './gateway-bench.js';
import { percentile, runLoad } from './load.js';
import { measureMemory } from './memory.js';
import { runReplayBench } from './replay.js';
import { runSettleBench } from './settle-bench.js';
import { runSvmBench } from './svm-bench.js';

/**
 * `npm run bench -- verify` runs only the facilitator /verify section (c=1, c=32, with the ledger,
 * and the memory rows); `npm run bench -- memory` only the memory rows; `gateway` and `batch` only
 * the gateway and the batch-settlement sections.
 */
const only = process.argv[2];
if (only !== undefined && !['verify', 'memory', 'gateway', 'batch'].includes(only))
  throw new Error(`unknown bench section "${only}" (try: verify, memory, gateway, batch)`);
if (only === 'gateway' || only === 'batch') {
  // the gateway or the batch-settlement section alone, on its own devnet
  console.log(`\n${only === 'gateway' ? await gatewaySection() : await batchSection()}`);
  process.exit(0);
}
const children: ChildProcess[] = [];
/** Each child's process id, by the URL it serves (the memory rows read its RSS). */
const pidOf = new Map<string, number>();
const settleFigures: Record<string, { ok: number; seconds: number }> = {};

function startChild(kind: string, config: Record<string, unknown>): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'bench/serve.ts', kind, JSON.stringify(config)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const { url } = JSON.parse(line) as { url: string };
      pidOf.set(url, child.pid!);
      resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
}

/**
 * A memory row's process, as deployed: `x402kit facilitator` (the CLI's bin, the packages' build,
 * a fresh SQLite ledger file in its own directory), or the engine alone (bench/serve-engine.mjs, the
 * build under plain node). Resolves with the URL it serves.
 */
function startBuilt(
  what: 'cli' | 'engine',
  config: { rpcUrl: string; network: string; privateKey: string },
  nodeFlags: string[] = [],
): Promise<string> {
  const child =
    what === 'cli'
      ? spawn(
          process.execPath,
          [
            ...nodeFlags,
            resolve('packages/cli/bin/x402kit.js'),
            'facilitator',
            '--rpc',
            `${config.network}=${config.rpcUrl}`,
            '--port',
            '0',
          ],
          {
            cwd: mkdtempSync(join(tmpdir(), 'x402kit-bench-')),
            env: { ...process.env, FACILITATOR_PRIVATE_KEY: config.privateKey },
            // its log (a line per request on stderr) is read and dropped, as a log collector would read it
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        )
      : spawn(process.execPath, [...nodeFlags, 'bench/serve-engine.mjs', JSON.stringify(config)], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
  children.push(child);
  child.stderr?.resume();
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const url =
        /^Facilitator listening on (\S+)/.exec(line)?.[1] ?? /^\{"url":"([^"]+)"\}$/.exec(line)?.[1];
      if (url === undefined || pidOf.has(url)) return;
      pidOf.set(url, child.pid!);
      resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
}

function stopChildren(): void {
  for (const c of children) c.kill('SIGTERM');
}
process.on('exit', stopChildren);

type Row = { metric: string; ours: string; theirs: string; ratio: string; target: string };
const rows: Row[] = [];
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
function row(
  metric: string,
  ours: number,
  theirs: number,
  higherIsBetter: boolean,
  target: string,
  unit = '',
): void {
  const ratio = higherIsBetter ? ours / theirs : theirs / ours;
  rows.push({
    metric,
    ours: `${fmt(ours)}${unit}`,
    theirs: `${fmt(theirs)}${unit}`,
    ratio: `${fmt(ratio, 2)}x`,
    target,
  });
  log(`  ${metric}: ours ${fmt(ours)}${unit}, theirs ${fmt(theirs)}${unit} (${fmt(ratio, 2)}x)`);
}
function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

const devnet = await startDevnet({ port: 0, fundPayerWith: 100_000_000_000n });
const network = devnet.network;
const payTo = devnet.accounts.payTo.address;
const payerKey = devnet.accounts.payer.privateKey as Hex;
try {
  log(
    `devnet ${devnet.rpcUrl} (chain ${devnet.chainId}); starting facilitators and servers in child processes`,
  );
  const ourFacilitator = await startChild('our-facilitator', {
    rpcUrl: devnet.rpcUrl,
    network,
    privateKey: devnet.accounts.facilitator.privateKey,
  });
  const theirFacilitator = await startChild('official-facilitator', {
    rpcUrl: devnet.rpcUrl,
    network,
    privateKey: devnetAccount(5).privateKey,
  });
  const ourServer = await startChild('our-server', { facilitatorUrl: ourFacilitator, payTo, network });
  const theirServer = await startChild('official-server', {
    facilitatorUrl: theirFacilitator,
    payTo,
    network,
  });

  // One valid payment to verify over and over (verify does not consume it).
  const [requirements] = await createResourceRequirements();
  const client = createX402Client({
    schemes: [
      { network: 'eip155:*', client: createExactEvmClient({ signer: privateKeyToAccount(payerKey) }) },
    ],
  });
  const sign = () =>
    client.createPaymentPayload({
      x402Version: 2,
      resource: { url: 'http://bench/weather' },
      accepts: [requirements!],
    });
  const verifyBody = JSON.stringify({
    x402Version: 2,
    paymentPayload: await sign(),
    paymentRequirements: requirements,
  });

  if (only !== 'memory') await verifySection();
  await memorySection();
  async function verifySection(): Promise<void> {
    log('facilitator /verify');
    for (const concurrency of [1, 32]) {
      const count = concurrency === 1 ? 400 : 3000;
      const load = (url: string) =>
        runLoad({
          url: `${url}/verify`,
          method: 'POST',
          body: verifyBody,
          concurrency,
          count,
          expectStatus: 200,
        });
      await load(ourFacilitator);
      await load(theirFacilitator); // warm-up
      const ours = await load(ourFacilitator);
      const theirs = await load(theirFacilitator);
      if (ours.errors || theirs.errors) log(`  errors: ours ${ours.errors}, theirs ${theirs.errors}`);
      row(
        `/verify throughput, concurrency ${concurrency} (req/s)`,
        ours.rps,
        theirs.rps,
        true,
        concurrency === 32 ? '>= 1.5x' : '',
      );
      row(`/verify p50, concurrency ${concurrency} (ms)`, ours.p50, theirs.p50, false, '');
      row(`/verify p99, concurrency ${concurrency} (ms)`, ours.p99, theirs.p99, false, '');
    }
    {
      // as deployed: every /verify also reserves the payment in the settlement ledger (SQLite); one
      // grant attempt presents it again and again, so each call is a full verify plus a ledger write
      const ledgerFacilitator = await startChild('our-facilitator-ledger', {
        rpcUrl: devnet.rpcUrl,
        network,
        privateKey: devnetAccount(4).privateKey,
      });
      const load = (url: string, headers: Record<string, string> = {}) =>
        runLoad({
          url: `${url}/verify`,
          method: 'POST',
          body: verifyBody,
          headers,
          concurrency: 32,
          count: 3000,
          expectStatus: 200,
        });
      const attempt = { 'x402-attempt': 'att_bench_verify_reserve' };
      const check = await fetch(`${ledgerFacilitator}/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...attempt },
        body: verifyBody,
      });
      const answer = (await check.json()) as { isValid?: boolean; invalidReason?: string };
      if (answer.isValid !== true)
        throw new Error(`ledger-backed /verify refused the bench payment: ${JSON.stringify(answer)}`);
      await load(ledgerFacilitator, attempt); // warm-up
      const ours = await load(ledgerFacilitator, attempt);
      const theirs = await load(theirFacilitator);
      row(
        '/verify throughput with the ledger (reserve per call), c=32 (req/s)',
        ours.rps,
        theirs.rps,
        true,
        '>= 1.5x',
      );
    }
  }

  async function memorySection(): Promise<void> {
    // RSS of a fresh facilitator process: idle, then its peak while 500 /verify per second are
    // offered open loop for 10 s (the same valid payment; one attempt id, so the deployed service
    // reserves it in its ledger on every call)
    const rate = 500;
    log(`facilitator memory: idle, and peak under ${rate} /verify per second (open loop, 10 s)`);
    const attempt = { 'x402-attempt': 'att_bench_verify_memory' };
    const chain = (privateKey: string) => ({ rpcUrl: devnet.rpcUrl, network, privateKey });
    const measure = async (
      label: string,
      start: () => Promise<string>,
      headers: Record<string, string> = {},
    ) => {
      const url = await start();
      const pid = pidOf.get(url)!;
      try {
        const figures = await measureMemory(pid, {
          url: `${url}/verify`,
          body: verifyBody,
          headers,
          rate,
          seconds: 10,
          expectStatus: 200,
        });
        const { load } = figures;
        log(
          `  ${label}: idle ${fmt(figures.idleMb)} MB, peak ${fmt(figures.peakMb)} MB; ${load.ok}/${load.sent} ok, answered ${fmt(load.answeredRps)}/s, p50 ${fmt(load.p50)} ms, p99 ${fmt(load.p99)} ms`,
        );
        return figures;
      } finally {
        process.kill(pid, 'SIGKILL'); // a fresh process per row; its graceful close may wait on idle keep-alive sockets
      }
    };
    // `x402kit facilitator` sets V8's --optimize-for-size itself (packages/cli/bin/x402kit.js); the
    // engine alone is measured with it and with V8's defaults (an embedder's choice)
    const app = await measure(
      'x402kit facilitator (SQLite ledger)',
      () => startBuilt('cli', chain(devnetAccount(3).privateKey)),
      attempt,
    );
    const bare = await measure('engine only, --optimize-for-size', () =>
      startBuilt('engine', chain(devnetAccount(2).privateKey), ['--optimize-for-size']),
    );
    const bareDefaults = await measure('engine only, V8 defaults', () =>
      startBuilt('engine', chain(devnetAccount(7).privateKey)),
    );
    // the official engine as the other rows serve it (Express, started through @x402kit/testing under tsx)
    const theirs = await measure('official engine', () =>
      startChild('official-facilitator', chain(devnetAccount(6).privateKey)),
    );
    row('facilitator idle RSS, service + SQLite ledger (MB)', app.idleMb, theirs.idleMb, false, '');
    row(
      `facilitator peak RSS at ${rate} /verify/s, service + SQLite ledger (MB)`,
      app.peakMb,
      theirs.peakMb,
      false,
      '< 150',
    );
    row(
      `facilitator peak RSS at ${rate} /verify/s, engine only, --optimize-for-size (MB)`,
      bare.peakMb,
      theirs.peakMb,
      false,
      '< 150',
    );
    row(
      `facilitator peak RSS at ${rate} /verify/s, engine only, V8 defaults (MB)`,
      bareDefaults.peakMb,
      theirs.peakMb,
      false,
      '',
    );
    row(
      `/verify answered at ${rate}/s offered, service + SQLite ledger (req/s)`,
      app.load.answeredRps,
      theirs.load.answeredRps,
      true,
      '',
    );
  }

  if (only === undefined) {
    log('100 concurrent /settle from one facilitator key');
    for (const [name, url] of [
      ['ours', ourFacilitator],
      ['theirs', theirFacilitator],
    ] as const) {
      const bodies = await Promise.all(
        Array.from({ length: 100 }, async () =>
          JSON.stringify({ x402Version: 2, paymentPayload: await sign(), paymentRequirements: requirements }),
        ),
      );
      const t0 = performance.now();
      const results = await Promise.all(
        bodies.map(async (body) => {
          try {
            const r = await fetch(`${url}/settle`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
            });
            return ((await r.json()) as { success?: boolean }).success === true;
          } catch {
            return false;
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      settleFigures[name] = { ok: results.filter(Boolean).length, seconds };
      log(`  ${name}: ${settleFigures[name].ok}/100 settled in ${fmt(seconds, 2)} s`);
    }
    rows.push({
      metric: '100 concurrent settles, one key (settled / time)',
      ours: `${settleFigures.ours!.ok}/100 in ${fmt(settleFigures.ours!.seconds, 2)} s`,
      theirs: `${settleFigures.theirs!.ok}/100 in ${fmt(settleFigures.theirs!.seconds, 2)} s`,
      ratio: `${fmt(settleFigures.ours!.ok / Math.max(1, settleFigures.theirs!.ok), 2)}x`,
      target: '100/100',
    });

    log('Permit2 (exact via x402ExactPermit2Proxy): /verify and 100 concurrent /settle');
    {
      // one-time approval of Permit2 by the payer, as a Permit2 payer does once per token
      const payerAccount = privateKeyToAccount(payerKey);
      const wallet = createWalletClient({
        account: payerAccount,
        chain: devnet.chain,
        transport: http(devnet.rpcUrl),
      }).extend(publicActions);
      const approval = buildPermit2Approval({ token: devnet.token.address });
      await wallet.waitForTransactionReceipt({
        hash: await wallet.sendTransaction(approval),
        pollingInterval: 20,
      });
      const permit2Requirements: PaymentRequirements = {
        ...requirements!,
        extra: { ...requirements!.extra, assetTransferMethod: 'permit2' },
      };
      const permit2Body = async () =>
        JSON.stringify({
          x402Version: 2,
          paymentPayload: {
            x402Version: 2,
            resource: { url: 'http://bench/weather' },
            accepted: permit2Requirements,
            payload: {
              ...(await signPermit2Authorization(payerAccount, permit2Requirements, { kind: 'exact' })),
            },
          },
          paymentRequirements: permit2Requirements,
        });
      const body = await permit2Body();
      const load = (url: string) =>
        runLoad({
          url: `${url}/verify`,
          method: 'POST',
          body,
          concurrency: 32,
          count: 2000,
          expectStatus: 200,
        });
      await load(ourFacilitator);
      await load(theirFacilitator);
      const ours = await load(ourFacilitator);
      const theirs = await load(theirFacilitator);
      if (ours.errors || theirs.errors) log(`  errors: ours ${ours.errors}, theirs ${theirs.errors}`);
      row('Permit2 /verify throughput, concurrency 32 (req/s)', ours.rps, theirs.rps, true, '');
      const settled: Record<string, { ok: number; seconds: number }> = {};
      for (const [name, url] of [
        ['ours', ourFacilitator],
        ['theirs', theirFacilitator],
      ] as const) {
        const bodies = await Promise.all(Array.from({ length: 100 }, permit2Body));
        const t0 = performance.now();
        const results = await Promise.all(
          bodies.map(async (b) => {
            try {
              const r = await fetch(`${url}/settle`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: b,
              });
              return ((await r.json()) as { success?: boolean }).success === true;
            } catch {
              return false;
            }
          }),
        );
        settled[name] = { ok: results.filter(Boolean).length, seconds: (performance.now() - t0) / 1000 };
        log(`  ${name}: ${settled[name].ok}/100 Permit2 settles in ${fmt(settled[name].seconds, 2)} s`);
      }
      rows.push({
        metric: '100 concurrent Permit2 settles, one key',
        ours: `${settled.ours!.ok}/100 in ${fmt(settled.ours!.seconds, 2)} s`,
        theirs: `${settled.theirs!.ok}/100 in ${fmt(settled.theirs!.seconds, 2)} s`,
        ratio: `${fmt(settled.ours!.ok / Math.max(1, settled.theirs!.ok), 2)}x`,
        target: '100/100',
      });
    }

    log('unpaid 402 responses, Express middleware');
    {
      const load = (url: string) =>
        runLoad({ url: `${url}/weather`, concurrency: 32, count: 6000, expectStatus: 402 });
      await load(ourServer);
      await load(theirServer);
      const ours = await load(ourServer);
      const theirs = await load(theirServer);
      row('unpaid 402 throughput, concurrency 32 (req/s)', ours.rps, theirs.rps, true, '>= 1x');
    }

    log('100 sequential paid requests end to end (client -> server -> facilitator -> chain)');
    {
      const measure = async (pay: typeof fetch, url: string) => {
        const latencies: number[] = [];
        const t0 = performance.now();
        for (let i = 0; i < 100; i++) {
          const s = performance.now();
          const r = await pay(`${url}/weather`);
          await r.arrayBuffer();
          if (r.status !== 200) throw new Error(`paid request answered ${r.status}`);
          latencies.push(performance.now() - s);
        }
        latencies.sort((a, b) => a - b);
        return {
          total: (performance.now() - t0) / 1000,
          p50: percentile(latencies, 0.5),
          p99: percentile(latencies, 0.99),
        };
      };
      await measure(ourFetch(payerKey), ourServer);
      await measure(officialFetch(payerKey), theirServer);
      const ours = await measure(ourFetch(payerKey), ourServer);
      const theirs = await measure(officialFetch(payerKey), theirServer);
      row('paid request p50 (ms)', ours.p50, theirs.p50, false, '<= theirs');
      row('paid request p99 (ms)', ours.p99, theirs.p99, false, '');
      row('100 sequential paid requests (s)', ours.total, theirs.total, false, '');
    }

    rows.push(...(await runExactPermitBench({ log })));
  }
  printTable();
} finally {
  stopChildren();
  await devnet.stop();
}

if (only === undefined) {
  // Settlement throughput at 2 s blocks runs on its own devnet, after the main one has stopped.
  const settleBench = await runSettleBench({ log });
  console.log(`\nsettlement at 2 s blocks (200 concurrent distinct payments)\n${settleBench.table}`);

  // The fuzz suite's long run (10x the cases of npm test), on its own devnet.
  const fuzz = await runFuzzBench({ log });
  console.log(`\nfuzz: ${fuzz.cases} cases, ${fuzz.failures} failure(s)\n${fuzz.table}`);
  if (fuzz.failures > 0) process.exitCode = 1;

  // One payment, one grant: one header sent 20 times at once per scheme and server kind, on its own devnet.
  const replay = await runReplayBench({ log });
  console.log(
    `\nreplay: one header x20 at once (1/1/1: one 200, one handler run, one transfer)\n${replay.table}`,
  );
  if (replay.rows.some((r) => r.ok !== 1 || r.handlerRuns !== 1 || r.transfers !== '1')) process.exitCode = 1;

  // Solana (exact on SVM): /verify at c=32 and concurrent settles, ours against @x402/svm, on its own devnet.
  const svm = await runSvmBench({ log });
  console.log(`\nSolana (exact on SVM, offline devnet)\n${svm.table}`);

  // The gateway in front of an API against the official middleware in front of it, on its own devnet.
  console.log(`\n${await gatewaySection()}`);

  // batch-settlement: ours against the official client, server and facilitator, on its own devnet.
  console.log(`\n${await batchSection()}`);
}

async function batchSection(): Promise<string> {
  const batch = await runBatchSettlementBench({ log: (line) => process.stderr.write(`${line}\n`) });
  return `batch-settlement: vouchers without a transaction, ours vs @x402/evm 2.27 in the same run\n${batch.table}`;
}

async function gatewaySection(): Promise<string> {
  const gateway = await runGatewayBench({ log: (line) => process.stderr.write(`${line}\n`) });
  return `gateway: x402kit gateway vs @x402/express in front of the same upstream\n${gateway.table}`;
}

function printTable(): void {
  const header: Row = {
    metric: 'metric',
    ours: 'x402kit',
    theirs: '@x402/* 2.27',
    ratio: 'ratio',
    target: 'target',
  };
  const all = [header, ...rows];
  const widths = (Object.keys(header) as Array<keyof Row>).map((k) =>
    Math.max(...all.map((r) => r[k].length)),
  );
  const line = (r: Row) =>
    `| ${(Object.keys(header) as Array<keyof Row>).map((k, i) => r[k].padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(
    `\n(${new Date().toISOString()}, node ${process.version}, ${process.platform}; ratio > 1 means x402kit is ahead)`,
  );
}

async function createResourceRequirements(): Promise<PaymentRequirements[]> {
  // Requirements exactly as a server would offer them; no facilitator is consulted for exact EVM.
  const server = createResourceServer({
    facilitators: createFacilitator({ schemes: [] }),
    schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
  });
  return server.buildRequirements([{ scheme: 'exact', network, payTo, price: '$0.001' }], {});
}
