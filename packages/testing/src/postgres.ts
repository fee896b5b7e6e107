/**
 * The PostgreSQL server the ledger tests use (127.0.0.1:5432, database `test`, trust auth),
 * started with `pg_ctlcluster` when it is down, and a fresh schema per test. `postgres.test.ts` proves
 * the server is there.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import pg from 'pg';

const CANDIDATE_URLS = ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];

let found: Promise<string> | undefined;

/**
 * A connection string that works, or a rejection "PostgreSQL not reachable at 127.0.0.1:5432 (…)".
 *
 * @example const url = await testPostgresUrl()
 */
export function testPostgresUrl(): Promise<string> {
  found ??= locate();
  return found;
}

/**
 * A schema name no other test run uses.
 *
 * @example freshSchemaName('ledger') // 'ledger_1732255201234_48213'
 */
export function freshSchemaName(prefix: string): string {
  return `${prefix}_${Date.now()}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
}

/**
 * Drop a schema created by a test.
 *
 * @example await dropSchema(url, schema)
 */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * The PostgreSQL side of a store suite: `open` connects a new store (its own pool) to one fresh
 * schema named from `prefix`, on the test server; `cleanup` drops that schema.
 *
 * @example ledgerSuite(() => freshSchemaStores('ledger_test', (url, schema) => createPostgresLedger({ url, schema })))
 */
export function freshSchemaStores<T>(
  prefix: string,
  open: (url: string, schema: string) => Promise<T>,
): { name: 'postgres'; open(): Promise<T>; cleanup(): Promise<void> } {
  const schema = freshSchemaName(prefix);
  let url = '';
  return {
    name: 'postgres',
    async open() {
      url ||= await testPostgresUrl();
      return open(url, schema);
    },
    async cleanup() {
      if (url) await dropSchema(url, schema);
    },
  };
}

async function locate(): Promise<string> {
  const errors: string[] = [];
  const first = await tryUrls(errors);
  if (first) return first;
  try {
    for (const version of readdirSync('/etc/postgresql')) {
      execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], {
        stdio: 'pipe',
        timeout: 20_000,
      });
    }
  } catch (error) {
    errors.push(`pg_ctlcluster: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  for (let i = 0; i < 20; i++) {
    const url = await tryUrls(errors);
    if (url) return url;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`PostgreSQL not reachable at 127.0.0.1:5432 (${errors.slice(-3).join('; ')})`);
}

async function tryUrls(errors: string[]): Promise<string | undefined> {
  for (const url of CANDIDATE_URLS) {
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
  return undefined;
}
