/**
 * `x402kit facilitator` as several real processes sharing one ledger: one live instance per
 * settlement key (a second one on a held key exits 1 and says what to do; a clean stop frees the key
 * at once; a SIGKILLed holder's key is taken over once it has been silent for `keyLease.staleAfterMs`),
 * and two instances on two keys behind one URL answering 500 concurrent /settle calls of 50 payments
 * with exactly 50 transfers and one transaction per payment.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { devnetSettleBodies } from '@x402kit/testing/devnet-settle-bodies';
import { settleCopiesAtOnce } from '@x402kit/testing/exact-settlement';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import { startRoundRobinProxy } from '@x402kit/testing/round-robin-proxy';
import { type CliRun, spawnCli } from '@x402kit/testing/spawn-cli';
import { createPublicClient, http, parseAbiItem } from 'viem';

// long enough that a CLI started from source right after a SIGKILL (tsx compiles it first, seconds on a
// busy machine) still meets the holder's fresh lease; the takeover then takes this long
const STALE_AFTER_MS = 12_000;

let devnet: Devnet;
let dir = '';
const runs: CliRun[] = [];
const schemas: string[] = [];

before(async () => {
  devnet = await startDevnet();
  dir = await mkdtemp(join(tmpdir(), 'x402kit-key-lease-'));
});
after(async () => {
  for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  await Promise.all(runs.map((run) => run.exited));
  await devnet?.stop();
  const url = schemas.length > 0 ? await testPostgresUrl() : '';
  for (const schema of schemas) await dropSchema(url, schema);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A config file on the devnet with `ledger` (YAML flow mapping) and a short takeover bound. */
async function writeConfig(name: string, ledger: string): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(
    path,
    [
      'networks:',
      `  "eip155:84532": { rpc: ["${devnet.rpcUrl}"] }`,
      `ledger: ${ledger}`,
      `keyLease: { staleAfterMs: ${STALE_AFTER_MS} }`,
      '',
    ].join('\n'),
  );
  return path;
}

async function postgresLedger(prefix: string): Promise<string> {
  const schema = freshSchemaName(prefix);
  schemas.push(schema);
  return `{ postgres: { url: "${await testPostgresUrl()}", schema: "${schema}" } }`;
}

function spawnInstance(configPath: string, key: string, instanceId: string): CliRun {
  const run = spawnCli(['facilitator', '--config', configPath, '--port', '0'], {
    FACILITATOR_PRIVATE_KEY: key,
    INSTANCE_ID: instanceId,
  });
  runs.push(run);
  return run;
}

/** Start an instance and wait until it serves; resolves with its URL. */
async function startInstance(configPath: string, key: string, instanceId: string): Promise<string> {
  const run = spawnInstance(configPath, key, instanceId);
  const line = await run.waitForLine(/^Facilitator listening on /, 90_000);
  return line.replace('Facilitator listening on ', '').trim();
}

/** Start an instance that must be refused: its exit code and stderr. */
async function refusedInstance(configPath: string, key: string, instanceId: string) {
  const run = spawnInstance(configPath, key, instanceId);
  // an instance that is not refused serves until stopped: fail then instead of waiting forever
  const served = run.waitForLine(/^Facilitator listening on /, 120_000).then(
    () => 'served' as const,
    () => 'exited' as const, // it exited (or stayed silent) before printing it
  );
  const outcome = await Promise.race([run.exited.then(() => 'exited' as const), served]);
  if (outcome === 'served') {
    run.child.kill('SIGTERM');
    assert.fail(`instance "${instanceId}" was not refused: it started serving`);
  }
  const { code } = await run.exited;
  assert.equal(run.stdout(), '', 'a refused instance never says it listens');
  return { code, stderr: run.stderr() };
}

describe('x402kit facilitator: one live instance per settlement key', () => {
  const key = devnetAccount(3);

  it('refuses a second instance on a held key (PostgreSQL), starts it after a clean stop, takes over after SIGKILL within the bound', async () => {
    const config = await writeConfig('pg', await postgresLedger('cli_key_lease'));
    await startInstance(config, key.privateKey, 'lease-a');
    const a = runs.at(-1) as CliRun;

    const refused = await refusedInstance(config, key.privateKey, 'lease-b');
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(`settlement key ${key.address} \\(evm\\) is in use by instance "lease-a"`),
    );
    assert.match(refused.stderr, /Give each instance its own key \(signers\.privateKeys/);
    assert.match(refused.stderr, /start again in \d+ s/);
    assert.doesNotMatch(refused.stderr, new RegExp(key.privateKey.slice(2), 'i'));

    a.child.kill('SIGTERM');
    assert.equal((await a.exited).code, 0, a.stderr());
    // a clean stop released the key: the next instance starts at once
    await startInstance(config, key.privateKey, 'lease-b');
    const b = runs.at(-1) as CliRun;
    assert.match(b.stderr(), /key leases held \(taken over if silent for 12000 ms\)/);

    b.child.kill('SIGKILL');
    const killedAt = performance.now();
    await b.exited;
    const early = await refusedInstance(config, key.privateKey, 'lease-c');
    assert.equal(early.code, 1, early.stderr);
    assert.match(early.stderr, /in use by instance "lease-b"/);
    const wait = Number(/start again in (\d+) s/.exec(early.stderr)?.[1]);
    assert.ok(wait >= 1 && wait <= STALE_AFTER_MS / 1000, `told to wait ${wait} s`);
    // the advice holds: after the announced wait the key is taken over
    await sleep(wait * 1000);
    await startInstance(config, key.privateKey, 'lease-c');
    const c = runs.at(-1) as CliRun;
    const tookOver =
      /took over settlement key (\S+) \(evm\) from instance "lease-b", silent for (\d+) ms/.exec(c.stderr());
    assert.ok(tookOver, c.stderr());
    assert.equal(tookOver[1], key.address);
    const silentFor = Number(tookOver[2]);
    assert.ok(silentFor > STALE_AFTER_MS, `silent for ${silentFor} ms`);
    // SIGKILL to serving again: the bound, one refused start and one real start
    const takeoverMs = Math.round(performance.now() - killedAt);
    assert.ok(takeoverMs < STALE_AFTER_MS + 20_000, `took ${takeoverMs} ms`);
    console.log(
      `# key lease: SIGKILL to a successor serving on the key: ${takeoverMs} ms (bound ${STALE_AFTER_MS} ms; the holder was silent for ${silentFor} ms)`,
    );
    c.child.kill('SIGTERM');
    assert.equal((await c.exited).code, 0, c.stderr());
  });

  it('refuses a second process on one SQLite ledger file the same way', async () => {
    const config = await writeConfig('sqlite', `{ sqlite: { path: "${join(dir, 'ledger.db')}" } }`);
    await startInstance(config, key.privateKey, 'file-a');
    const a = runs.at(-1) as CliRun;
    const refused = await refusedInstance(config, key.privateKey, 'file-b');
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /is in use by instance "file-a"/);
    // another key on the same file is no conflict
    await startInstance(config, devnetAccount(5).privateKey, 'file-c');
    const c = runs.at(-1) as CliRun;
    for (const run of [a, c]) {
      run.child.kill('SIGTERM');
      assert.equal((await run.exited).code, 0, run.stderr());
    }
  });
});

describe('x402kit facilitator: two instances on two keys behind one URL', () => {
  const PAYMENTS = 50;
  const COPIES = 10;

  it(`settles ${PAYMENTS} payments sent ${COPIES} times each at once: ${PAYMENTS} transfers, one transaction per payment`, async () => {
    const config = await writeConfig('lb', await postgresLedger('cli_key_lease_lb'));
    const upstreams = await Promise.all([
      startInstance(config, devnetAccount(7).privateKey, 'lb-a'),
      startInstance(config, devnetAccount(8).privateKey, 'lb-b'),
    ]);
    const lb = await startRoundRobinProxy(upstreams);
    try {
      const bodies = await devnetSettleBodies(devnet, PAYMENTS, (i) => `https://api.example/lb/${i}`);
      const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
      const fromBlock = (await chain.getBlockNumber()) + 1n;
      const balanceBefore = await readTokenBalance(
        devnet.rpcUrl,
        devnet.token.address,
        devnet.accounts.payTo.address,
      );

      const started = performance.now();
      const answers = await settleCopiesAtOnce(lb.url, bodies, COPIES);
      const elapsedMs = Math.round(performance.now() - started);

      for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer));
      for (let payment = 0; payment < PAYMENTS; payment++) {
        const mine = answers.filter((a) => a.payment === payment);
        const hashes = new Set(mine.map((a) => a.transaction).filter((t) => t !== undefined && t !== ''));
        assert.equal(
          hashes.size,
          1,
          `payment ${payment}: one transaction across all answers: ${JSON.stringify(mine)}`,
        );
        const [hash] = hashes;
        assert.ok(
          mine.some((a) => a.success === true),
          `payment ${payment}: at least one success`,
        );
        for (const a of mine) {
          // the one who settled gets success; another caller gets success or duplicate_settlement, never another failure
          const fine =
            (a.success === true && a.transaction === hash) ||
            (a.success === false &&
              a.errorReason === 'duplicate_settlement' &&
              (a.transaction === undefined || a.transaction === '' || a.transaction === hash));
          assert.ok(fine, `payment ${payment}: ${JSON.stringify(a)}`);
        }
      }
      const transfers = await chain.getLogs({
        address: devnet.token.address,
        event: parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
        args: { from: devnet.accounts.payer.address, to: devnet.accounts.payTo.address },
        fromBlock,
      });
      assert.equal(transfers.length, PAYMENTS, 'exactly one transfer per payment on chain');
      const balanceAfter = await readTokenBalance(
        devnet.rpcUrl,
        devnet.token.address,
        devnet.accounts.payTo.address,
      );
      assert.equal(balanceAfter - balanceBefore, BigInt(PAYMENTS) * 1000n);
      assert.deepEqual(
        lb.counts(),
        [(PAYMENTS * COPIES) / 2, (PAYMENTS * COPIES) / 2],
        'both instances served',
      );
      console.log(
        `# ${PAYMENTS * COPIES} concurrent /settle calls of ${PAYMENTS} payments over two instances: ${elapsedMs} ms`,
      );
    } finally {
      await lb.close();
    }
  });
});
