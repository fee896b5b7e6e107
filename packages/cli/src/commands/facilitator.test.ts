import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { spawnCli } from '../testing/spawn-cli.js';

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
    assert.deepEqual(supported.kinds, [
      { x402Version: 2, scheme: 'exact', network: 'eip155:84532' },
      { x402Version: 1, scheme: 'exact', network: 'base-sepolia' },
    ]);
    assert.deepEqual(supported.signers, { 'eip155:*': [devnet.accounts.facilitator.address] });
    assert.deepEqual(await getJson(`${url}/health`), { status: 'ok' });
    assert.doesNotMatch(
      run.stdout() + run.stderr(),
      new RegExp(devnet.accounts.facilitator.privateKey.slice(2)),
    );

    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr());
    assert.match(run.stderr(), /facilitator: stopped/);
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
    assert.ok(Array.isArray(supported.kinds) && supported.kinds.length === 2);
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
    const second = spawnCli(['facilitator', '--rpc', `eip155:84532=${devnet.rpcUrl}`, '--port', port], {
      FACILITATOR_PRIVATE_KEY: devnet.accounts.facilitator.privateKey,
    });
    assert.equal((await second.exited).code, 1);
    assert.match(second.stderr(), /the port is already in use/);
    first.child.kill('SIGINT');
    assert.equal((await first.exited).code, 0);
  });
});
