import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { devnetSettleBodies } from '@x402kit/testing/devnet-settle-bodies';
import { devnetSupportedKinds } from '@x402kit/testing/devnet-supported-kinds';
import {
  devnetExactRequirements,
  settleCopiesAtOnce,
  signExactSettlement,
} from '@x402kit/testing/exact-settlement';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import { startRoundRobinProxy } from '@x402kit/testing/round-robin-proxy';
import { type CliRun, spawnCli } from '@x402kit/testing/spawn-cli';

let devnet: Devnet;

before(async () => {
  devnet = await startDevnet();
});
after(async () => {
  await devnet?.stop();
});

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  const json: unknown = await response.json();
  assert.ok(typeof json === 'object' && json !== null);
  return { ...json };
}

describe('x402kit facilitator', () => {
  it('prints the listening line, serves /supported, and stops on SIGTERM', async () => {
    const run = spawnCli(['facilitator', '--rpc', `eip155:84532=${devnet.rpcUrl}`, '--port', '0'], {
      FACILITATOR_PRIVATE_KEY: devnet.accounts.facilitator.privateKey,
    });
    const line = await run.waitForLine(/^Facilitator listening on /);
    const url = line.replace('Facilitator listening on ', '').trim();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const supported = await getJson(`${url}/supported`);
    assert.deepEqual(supported.kinds, devnetSupportedKinds(devnet));
    assert.deepEqual(supported.signers, { 'eip155:*': [devnet.accounts.facilitator.address] });
    assert.deepEqual(
      [...(Array.isArray(supported.extensions) ? supported.extensions : [])].sort(),
      ['bazaar', 'eip2612GasSponsoring', 'erc20ApprovalGasSponsoring', 'payment-identifier'],
      'what the deployment honours is advertised',
    );
    assert.deepEqual(await getJson(`${url}/health`), { status: 'ok' });
    assert.doesNotMatch(
      run.stdout() + run.stderr(),
      new RegExp(devnet.accounts.facilitator.privateKey.slice(2)),
    );

    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr());
    assert.match(run.stderr(), /facilitator: stopped/);
  });

  it('logs structured JSON lines with --log-format json, naming no key', async () => {
    const run = spawnCli(
      ['facilitator', '--rpc', `eip155:84532=${devnet.rpcUrl}`, '--port', '0', '--log-format', 'json'],
      { FACILITATOR_PRIVATE_KEY: devnet.accounts.facilitator.privateKey },
    );
    const line = await run.waitForLine(/^Facilitator listening on /);
    const url = line.replace('Facilitator listening on ', '').trim();
    await getJson(`${url}/supported`);
    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr());
    const events = (run.stdout() + run.stderr())
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const access = events.find((e) => e.path === '/supported');
    assert.ok(access, `an access-log event for /supported among ${events.length} JSON lines`);
    assert.equal(access.level, 'info');
    assert.equal(typeof access.time, 'string');
    assert.equal(typeof access.msg, 'string');
    assert.doesNotMatch(
      run.stdout() + run.stderr(),
      new RegExp(devnet.accounts.facilitator.privateKey.slice(2)),
    );
  });

  it('refuses an unknown --log-format (exit code 2)', async () => {
    const run = spawnCli(['facilitator', '--rpc', `eip155:84532=${devnet.rpcUrl}`, '--log-format', 'xml'], {
      FACILITATOR_PRIVATE_KEY: devnet.accounts.facilitator.privateKey,
    });
    assert.equal((await run.exited).code, 2);
    assert.match(run.stderr(), /--log-format "xml": expected "text" or "json"/);
  });

  it('runs from the e2e harness environment and stops on POST /close', async () => {
    const run = spawnCli(['facilitator', '--enable-close'], {
      PORT: '0',
      EVM_PRIVATE_KEY: devnet.accounts.facilitator.privateKey,
      EVM_NETWORK: 'base-sepolia',
      EVM_RPC_URL: devnet.rpcUrl,
    });
    const line = await run.waitForLine(/Facilitator listening/);
    const url = line.replace('Facilitator listening on ', '').trim();
    const supported = await getJson(`${url}/supported`);
    assert.ok(Array.isArray(supported.kinds) && supported.kinds.length === 3);
    const closing = await fetch(`${url}/close`, { method: 'POST' });
    assert.deepEqual(await closing.json(), { status: 'closing' });
    assert.equal((await run.exited).code, 0, run.stderr());
  });

  it('refuses an RPC on the wrong chain (exit code 2)', async () => {
    const run = spawnCli(['facilitator', '--rpc', `eip155:1=${devnet.rpcUrl}`, '--port', '0'], {
      FACILITATOR_PRIVATE_KEY: devnet.accounts.facilitator.privateKey,
    });
    const { code } = await run.exited;
    assert.equal(code, 2);
    assert.match(run.stderr(), /for eip155:1 is on chain 84532, not 1/);
    assert.equal(run.stdout(), '');
  });

  it('reports a port in use (exit code 1)', async () => {
    const first = spawnCli(['facilitator', '--rpc', `eip155:84532=${devnet.rpcUrl}`, '--port', '0'], {
      FACILITATOR_PRIVATE_KEY: devnet.accounts.facilitator.privateKey,
    });
    const port = new URL((await first.waitForLine(/Facilitator listening/)).split(' on ')[1] ?? '').port;
    // another key: the same one would be refused earlier, for the lease the first instance holds on it
    const second = spawnCli(['facilitator', '--rpc', `eip155:84532=${devnet.rpcUrl}`, '--port', port], {
      FACILITATOR_PRIVATE_KEY: devnetAccount(5).privateKey,
    });
    assert.equal((await second.exited).code, 1);
    assert.match(second.stderr(), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*--port 0`));
    first.child.kill('SIGINT');
    assert.equal((await first.exited).code, 0);
  });
});

describe('x402kit facilitator --config, two instances on one PostgreSQL ledger', () => {
  const schema = freshSchemaName('cli_facilitator');
  let pgUrl = '';
  const runs: CliRun[] = [];
  const API_KEY = 'cli-test-secret-key';

  after(async () => {
    for (const run of runs) run.child.kill('SIGTERM');
    await Promise.all(runs.map((run) => run.exited));
    if (pgUrl) await dropSchema(pgUrl, schema);
  });

  /** A config file: the devnet's network, the shared PostgreSQL ledger, then `more` lines. */
  async function writeConfig(more: string[]): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'x402kit-cli-'));
    const configPath = join(dir, 'facilitator.yaml');
    const ledger = `ledger: { postgres: { url: "${pgUrl}", schema: "${schema}" } }`;
    const lines = ['networks:', `  "eip155:84532": { rpc: ["${devnet.rpcUrl}"] }`, ledger, ...more, ''];
    await writeFile(configPath, lines.join('\n'));
    return configPath;
  }

  async function start(configPath: string, relayerKey: string, instanceId: string): Promise<string> {
    const run = spawnCli(['facilitator', '--config', configPath, '--port', '0'], {
      FACILITATOR_PRIVATE_KEY: relayerKey,
      INSTANCE_ID: instanceId,
    });
    runs.push(run);
    const line = await run.waitForLine(/^Facilitator listening on /, 30_000);
    return line.replace('Facilitator listening on ', '').trim();
  }

  it('answers a retry of the attempt with the same outcome on the other instance, anyone else duplicate_settlement', async () => {
    pgUrl = await testPostgresUrl();
    const configPath = await writeConfig([
      'apiKeys:',
      `  - { key: ${API_KEY}, name: shop }`,
      'anonymous: { allowed: false }',
    ]);
    const [a, b] = await Promise.all([
      start(configPath, devnetAccount(3).privateKey, 'cli-a'),
      start(configPath, devnetAccount(6).privateKey, 'cli-b'),
    ]);

    const requirements = devnetExactRequirements(devnet);
    /** A /verify or /settle body of a fresh EIP-3009 payment of the devnet payer. */
    const freshBody = async () =>
      (await signExactSettlement(devnet.accounts.payer.privateKey, requirements, 'https://api.example/cli'))
        .body;
    const body = await freshBody();
    const settle = async (base: string, headers: Record<string, string>) =>
      fetch(`${base}/settle`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });

    assert.equal((await settle(a, {})).status, 401, 'no key, anonymous off');
    // our resource server's retry of one request carries the same X402-Attempt
    const attempt = { 'x402-attempt': 'att_cli_two_instances' };
    const first = await settle(a, { authorization: `Bearer ${API_KEY}`, ...attempt });
    assert.equal(first.status, 200, await first.clone().text());
    const firstAnswer: unknown = await first.json();
    assert.ok(
      typeof firstAnswer === 'object' && firstAnswer !== null && 'success' in firstAnswer,
      JSON.stringify(firstAnswer),
    );
    assert.equal(firstAnswer.success, true, JSON.stringify(firstAnswer));
    const second = await settle(b, { 'x-api-key': API_KEY, ...attempt });
    assert.deepEqual(await second.json(), firstAnswer);
    // any other request presenting the payment gets the official answer, on either instance
    const stranger = (await (await settle(b, { 'x-api-key': API_KEY })).json()) as Record<string, unknown>;
    assert.equal(stranger.success, false);
    assert.equal(stranger.errorReason, 'duplicate_settlement');
    assert.equal(stranger.transaction, 'transaction' in firstAnswer ? firstAnswer.transaction : '');

    const transaction = 'transaction' in firstAnswer ? String(firstAnswer.transaction) : '';
    const payment = await fetch(`${b}/payments/tx/${transaction}`, { headers: { 'x-api-key': API_KEY } });
    assert.equal(payment.status, 200);
    const view: unknown = await payment.json();
    assert.match(JSON.stringify(view), /"state":"settled"/);
    const listed = await fetch(`${a}/payments?network=eip155:84532&payer=${devnet.accounts.payer.address}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(listed.status, 200);
    assert.match(await listed.text(), new RegExp(transaction));
    assert.equal((await fetch(`${b}/payments/tx/${transaction}`)).status, 401);

    const metrics = await (await fetch(`${b}/metrics`)).text();
    assert.match(
      metrics,
      /x402kit_settle_total\{scheme="exact",network="eip155:84532",result="settled",reason=""\} 1/,
    );
    assert.deepEqual(await getJson(`${a}/health`), { status: 'ok' });

    // a verified payment is reserved for its attempt across both instances, until that attempt releases it
    const reserveBody = await freshBody();
    const call = async (base: string, path: string, attempt?: string) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': API_KEY,
          ...(attempt ? { 'x402-attempt': attempt } : {}),
        },
        body: reserveBody,
      });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Record<string, unknown>;
    };
    assert.equal((await call(a, '/verify', 'att_cli_holder_0001')).isValid, true);
    const refused = await call(b, '/verify', 'att_cli_other_0001');
    assert.equal(refused.isValid, false);
    assert.equal(refused.invalidReason, 'duplicate_settlement');
    assert.deepEqual(
      await call(b, '/release', 'att_cli_other_0001'),
      { released: false },
      'not its reservation',
    );
    assert.deepEqual(await call(b, '/release', 'att_cli_holder_0001'), { released: true });
    assert.equal((await call(a, '/verify', 'att_cli_other_0001')).isValid, true, 'free for another request');
  });

  it('serves as two instances behind one URL: every payment settles once, each caller gets its answer', async () => {
    pgUrl ||= await testPostgresUrl();
    const configPath = await writeConfig([]);
    const upstreams = await Promise.all([
      start(configPath, devnetAccount(7).privateKey, 'lb-a'),
      start(configPath, devnetAccount(8).privateKey, 'lb-b'),
    ]);
    const lb = await startRoundRobinProxy(upstreams);
    try {
      const bodies = await devnetSettleBodies(devnet, 5, () => 'https://api.example/lb');
      const before = await readTokenBalance(
        devnet.rpcUrl,
        devnet.token.address,
        devnet.accounts.payTo.address,
      );
      // each payment sent 4 times at once through the one URL (the balancer spreads them over both
      // instances): even payments as one attempt's retries (every call gets the success), odd ones by
      // four strangers (one success, three duplicate_settlement)
      const attemptOf = (payment: number) => (payment % 2 === 0 ? `att_lb_payment_${payment}` : undefined);
      const answers = await settleCopiesAtOnce(lb.url, bodies, 4, attemptOf);
      for (let payment = 0; payment < bodies.length; payment++) {
        const mine = answers.filter((a) => a.payment === payment);
        const won = mine.filter((a) => a.success === true);
        assert.equal(won.length, attemptOf(payment) ? 4 : 1, `payment ${payment}: ${JSON.stringify(mine)}`);
        for (const other of mine.filter((a) => a.success !== true)) {
          assert.equal(other.errorReason, 'duplicate_settlement', JSON.stringify(other));
        }
        const hashes = new Set(mine.map((a) => a.transaction).filter((t) => t));
        assert.equal(hashes.size, 1, `payment ${payment}: one transaction for every caller`);
      }
      assert.equal(new Set(answers.map((a) => a.transaction).filter((t) => t)).size, bodies.length);
      const after = await readTokenBalance(
        devnet.rpcUrl,
        devnet.token.address,
        devnet.accounts.payTo.address,
      );
      assert.equal(after - before, 5000n, 'five payments, five transfers');
      assert.deepEqual(lb.counts(), [10, 10], 'both instances served');
    } finally {
      await lb.close();
    }
  });
});
