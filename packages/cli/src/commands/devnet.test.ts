import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anvilPidsOnPort, spawnCli } from '../testing/spawn-cli.js';

async function chainId(rpcUrl: string): Promise<number> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
  });
  const json: unknown = await response.json();
  const result = typeof json === 'object' && json !== null ? Reflect.get(json, 'result') : undefined;
  assert.equal(typeof result, 'string');
  return Number.parseInt(String(result), 16);
}

describe('x402kit devnet', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`prints one JSON line, serves the chain, and stops anvil on ${signal} with exit code 0`, async () => {
      const run = spawnCli(['devnet', '--port', '0', '--chain-id', '84532']);
      const line = await run.waitForLine(/^\{/);
      const description: unknown = JSON.parse(line);
      assert.ok(typeof description === 'object' && description !== null);
      const [rpcUrl, id, network, accounts, assets] = [
        'rpcUrl',
        'chainId',
        'network',
        'accounts',
        'assets',
      ].map((name): unknown => Reflect.get(description, name));
      assert.match(String(rpcUrl), /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(id, 84532);
      assert.equal(network, 'eip155:84532');
      assert.ok(typeof accounts === 'object' && accounts !== null);
      assert.deepEqual(Object.keys(accounts).sort(), ['facilitator', 'payTo', 'payer']);
      assert.deepEqual(assets, { USDC: '0x036CbD53842c5426634e7929541eC2318f3dCF7e' });
      assert.equal(await chainId(String(rpcUrl)), 84532);
      const port = Number(new URL(String(rpcUrl)).port);
      assert.equal(anvilPidsOnPort(port).length, 1);

      run.child.kill(signal);
      const { code } = await run.exited;
      assert.equal(code, 0, run.stderr());
      assert.equal(run.stdout().trim().split('\n').length, 1, 'exactly one line on stdout');
      assert.deepEqual(anvilPidsOnPort(port), [], 'anvil is gone');
      await assert.rejects(chainId(String(rpcUrl)));
      assert.match(run.stderr(), /devnet: stopped/);
    });
  }
});
