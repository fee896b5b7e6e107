/**
 * Replay counts: one signed payment header sent N times at once (default 20), per scheme (`exact`
 * with EIP-3009, `exact` with Permit2, `upto`) and per server kind (our Express middleware, the
 * official `@x402/express`), against one server, then split over two servers with separate state
 * (on two of our facilitator instances sharing one ledger; `upto` binds the facilitator's address
 * into the signature, so its two servers share one facilitator). It COUNTS, it asserts nothing:
 * 200s, paid-handler runs, transfers (the payer's balance delta over the price) and the other
 * answers with their reasons. The grant rule (fe2f873) says 1 x 200, 1 handler run, 1 transfer.
 *
 * Uses only APIs that exist before and after that fix, so the same file measures both.
 *
 * Alone: `node --conditions=source --import tsx bench/replay.ts [--copies N] [--ledger sqlite|postgres]`
 * (the PostgreSQL ledger lives in a fresh schema of db `test` at 127.0.0.1:5432, dropped at the end);
 * from bench/run.ts: `const replay = await runReplayBench({ log }); console.log(replay.table)`.
 */

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createPostgresLedger, createSqliteLedger, type PaymentLedger } from '@x402kit/facilitator';
import {
  approvePermit2,
  REPLAY_PRICE,
  type ReplayEndpoint,
  type ReplayRoute,
  sendCopies,
  signPaymentHeader,
  startLedgerFacilitator,
  startReplayServer,
} from '@x402kit/testing/replay';
import pg from 'pg';

export type ReplayBenchOptions = {
  /** Copies of the one header sent at once; default 20. */
  copies?: number;
  /** The facilitators' shared ledger: SQLite `:memory:` (default) or PostgreSQL (fresh schema). */
  ledger?: 'sqlite' | 'postgres';
  /** Progress lines (stderr by default). */
  log?: (line: string) => void;
};

/** One case's counts. */
export type ReplayRow = {
  scheme: string;
  server: 'ours' | 'official';
  topology: string;
  copies: number;
  ok: number;
  handlerRuns: number;
  /** Payer balance delta / price, as text ("1", or "0.5 (500 atomic)" when not whole). */
  transfers: string;
  /** Every answer that is not a 200: `402 duplicate_settlement` -> count. */
  refusals: Map<string, number>;
};

export type ReplayBenchResult = { rows: ReplayRow[]; table: string };

const PRICE = REPLAY_PRICE; // $0.001 of the 6-decimal devnet token

const ROUTES: ReplayRoute[] = [
  { path: '/eip3009', label: 'exact EIP-3009', scheme: 'exact' },
  { path: '/permit2', label: 'exact Permit2', scheme: 'exact', permit2: true },
  { path: '/upto', label: 'upto (Permit2)', scheme: 'upto' },
];

type Endpoint = ReplayEndpoint;

/**
 * Start a devnet, two facilitator instances with ledger hooks on one ledger, three of our servers
 * and three official ones, and count what each replay case buys.
 *
 * @example
 * const { table } = await runReplayBench({ copies: 20 })
 * console.log(table)
 */
export async function runReplayBench(options: ReplayBenchOptions = {}): Promise<ReplayBenchResult> {
  const copies = options.copies ?? 20;
  const ledgerKind = options.ledger ?? 'sqlite';
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const closers: Array<() => Promise<void> | void> = [];
  /** Paid-handler executions per server name and path. */
  const runs = new Map<string, number>();
  const rows: ReplayRow[] = [];

  log(`replay: starting a devnet, two facilitator instances on a ${ledgerKind} ledger, six servers ...`);
  const devnet = await startDevnet({ port: 0 });
  closers.push(() => devnet.stop());
  try {
    const ledgerFor = await openLedgers(ledgerKind, closers);
    await approvePermit2(devnet);
    const facA = await startLedgerFacilitator(
      devnet,
      await ledgerFor(),
      'fac-a',
      devnetAccount(3).privateKey,
    );
    closers.push(facA.close);
    const facB = await startLedgerFacilitator(
      devnet,
      await ledgerFor(),
      'fac-b',
      devnetAccount(6).privateKey,
    );
    closers.push(facB.close);
    const count = (name: string, path: string) =>
      runs.set(`${name}${path}`, (runs.get(`${name}${path}`) ?? 0) + 1);
    const start = async (kind: 'ours' | 'official', name: string, facilitatorUrl: string) => {
      const api = await startReplayServer(kind, devnet, facilitatorUrl, ROUTES, (path) => count(name, path));
      closers.push(api.close);
      return { name, url: api.url };
    };
    const servers = {
      ours: [
        await start('ours', 'ours-1', facA.url),
        await start('ours', 'ours-2', facB.url),
        await start('ours', 'ours-3', facA.url),
      ],
      official: [
        await start('official', 'official-1', facA.url),
        await start('official', 'official-2', facB.url),
        await start('official', 'official-3', facA.url),
      ],
    };

    for (const route of ROUTES) {
      for (const kind of ['ours', 'official'] as const) {
        const [first, second, third] = servers[kind] as [Endpoint, Endpoint, Endpoint];
        const topologies: Array<[string, Endpoint[]]> = [
          ['1 server', [first]],
          route.scheme === 'upto'
            ? ['2 servers, 1 facilitator', [first, third]]
            : ['2 servers, 2 facilitators', [first, second]],
        ];
        for (const [topology, targets] of topologies) {
          const handled = () => targets.reduce((n, s) => n + (runs.get(`${s.name}${route.path}`) ?? 0), 0);
          const before = handled();
          const counted = await replay(devnet, targets, route.path, copies);
          const row: ReplayRow = {
            scheme: route.label,
            server: kind,
            topology,
            copies,
            ...counted,
            handlerRuns: handled() - before,
          };
          rows.push(row);
          log(`  ${route.label}, ${kind}, ${topology}: ${summarize(row)}`);
        }
      }
    }
  } finally {
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        log(`replay: shutting down: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
  return { rows, table: formatTable(rows) };
}

/**
 * Send one freshly signed header `copies` times at once, spread round-robin over `targets`, and
 * count the answers and the transfers (handler runs are counted by the caller).
 */
async function replay(
  devnet: Devnet,
  targets: Endpoint[],
  path: string,
  copies: number,
): Promise<Pick<ReplayRow, 'ok' | 'transfers' | 'refusals'>> {
  const payer = devnet.accounts.payer.address;
  const balance = () => readTokenBalance(devnet.rpcUrl, devnet.token.address, payer);
  const before = await balance();
  const header = await signPaymentHeader(devnet, `${targets[0]?.url}${path}`);
  const answers = (await sendCopies(targets, path, header, copies)).map((a) =>
    a.status === 200 ? '200' : `${a.status} ${a.reason || '(no reason)'}`,
  );
  const delta = before - (await settledBalance(balance));
  const refusals = new Map<string, number>();
  for (const a of answers.filter((x) => x !== '200')) refusals.set(a, (refusals.get(a) ?? 0) + 1);
  const transfers =
    delta % PRICE === 0n ? `${delta / PRICE}` : `${Number(delta) / Number(PRICE)} (${delta} atomic)`;
  return { ok: answers.filter((x) => x === '200').length, transfers, refusals };
}

/** The balance once it has stopped moving (a settlement may land just after its answer). */
async function settledBalance(read: () => Promise<bigint>): Promise<bigint> {
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = await read();
    if (now === last) return now;
    last = now;
  }
  return last;
}

/**
 * How each facilitator instance gets its ledger: one SQLite `:memory:` ledger shared by both
 * (in-process instances), or one PostgreSQL pool each on a fresh schema dropped at the end.
 */
async function openLedgers(
  kind: 'sqlite' | 'postgres',
  closers: Array<() => Promise<void> | void>,
): Promise<() => Promise<PaymentLedger>> {
  if (kind === 'sqlite') {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    closers.push(() => ledger.close());
    return async () => ledger;
  }
  const url = await postgresUrl();
  const schema = `replay_bench_${Date.now()}_${process.pid}`;
  closers.push(() => dropSchema(url, schema));
  return async () => {
    const ledger = await createPostgresLedger({ url, schema, maxConnections: 5 });
    closers.push(() => ledger.close());
    return ledger;
  };
}

/** The test database's URL (as packages/facilitator's ledger tests find it; no server is started). */
async function postgresUrl(): Promise<string> {
  const errors: string[] = [];
  for (const url of ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test']) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return url;
    } catch (error) {
      errors.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  throw new Error(
    `PostgreSQL not reachable at 127.0.0.1:5432 db test (${errors.join('; ')}); use --ledger sqlite`,
  );
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

function summarize(row: ReplayRow): string {
  const refused = [...row.refusals].map(([answer, n]) => `${n} x ${answer}`).join(', ') || 'none';
  return `${row.ok} x 200, ${row.handlerRuns} handler run(s), ${row.transfers} transfer(s); others: ${refused}`;
}

/** A markdown table of the rows; its last column says whether the row keeps the grant rule (1 / 1 / 1). */
function formatTable(rows: ReplayRow[]): string {
  const lines = [
    '| scheme | server | topology | copies | 200 | handler runs | transfers | other answers | 1/1/1 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const off = r.ok !== 1 || r.handlerRuns !== 1 || r.transfers !== '1';
    const refused = [...r.refusals].map(([answer, n]) => `${n} x ${answer}`).join('; ') || '-';
    lines.push(
      `| ${r.scheme} | ${r.server} | ${r.topology} | ${r.copies} | ${r.ok} | ${r.handlerRuns} | ${r.transfers} | ${refused} | ${off ? 'NO' : 'yes'} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { copies: { type: 'string', default: '20' }, ledger: { type: 'string', default: 'sqlite' } },
  });
  const copies = Number(values.copies);
  if (!Number.isInteger(copies) || copies < 1) {
    throw new Error(`--copies must be a positive integer, got "${values.copies}"`);
  }
  if (values.ledger !== 'sqlite' && values.ledger !== 'postgres') {
    throw new Error(`--ledger must be sqlite or postgres, got "${values.ledger}"`);
  }
  const result = await runReplayBench({ copies, ledger: values.ledger });
  console.log(result.table);
  console.log(
    `\n(one header sent ${copies} times at once per row; 1/1/1: one 200, one handler run, one transfer; ${values.ledger} ledger; ${new Date().toISOString()})`,
  );
}
