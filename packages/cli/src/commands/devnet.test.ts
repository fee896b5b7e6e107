import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anvilPidsOnPort, spawnCli } from '@x402kit/testing/spawn-cli';

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

  it('with --chains 84532,97 starts two chains and prints the extended JSON line', async () => {
    const run = spawnCli(['devnet', '--port', '0', '--chains', '84532,97']);
    const line = await run.waitForLine(/^\{/);
    const description: unknown = JSON.parse(line);
    assert.ok(typeof description === 'object' && description !== null);
    assert.deepEqual(Object.keys(description), [
      'rpcUrl',
      'chainId',
      'network',
      'accounts',
      'assets',
      'chains',
    ]);
    assert.equal(Reflect.get(description, 'chainId'), 84532);
    const chains: unknown = Reflect.get(description, 'chains');
    assert.ok(typeof chains === 'object' && chains !== null);
    assert.deepEqual(Object.keys(chains), ['eip155:84532', 'eip155:97']);
    const bsc: unknown = Reflect.get(chains, 'eip155:97');
    assert.ok(typeof bsc === 'object' && bsc !== null);
    const rpcUrl = String(Reflect.get(bsc, 'rpcUrl'));
    assert.equal(await chainId(rpcUrl), 97);
    assert.equal(
      Reflect.get(Reflect.get(bsc, 'assets'), 'USDT'),
      '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd',
    );
    assert.deepEqual(Reflect.get(bsc, 'contracts'), {
      multicall3: '0xcA11bde05977b3631167028862bE2a173976CA11',
      permit2: '0x000000000022D473030F116dDEE9F6B43aC78BA3',
      exactPermit2Proxy: '0x402085c248EeA27D92E8b30b2C58ed07f9E20001',
      uptoPermit2Proxy: '0x4020A4f3b7b90ccA423B9fabCc0CE57C6C240002',
      smartWalletFactory: '0x6492649264926492649264926492649264926492',
      paymentPermit: '0x1825bB32db3443dEc2cc7508b2D818fc13EaD878',
    });
    const ports = [String(Reflect.get(description, 'rpcUrl')), rpcUrl].map((u) => Number(new URL(u).port));
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    assert.equal(code, 0, run.stderr());
    for (const port of ports) assert.deepEqual(anvilPidsOnPort(port), [], 'anvil is gone');
  });

  it('accepts --chain-id repeated and rejects a repeated chain id', async () => {
    const run = spawnCli(['devnet', '--port', '0', '--chain-id', '84532', '--chain-id', '84532']);
    const { code } = await run.exited;
    assert.notEqual(code, 0);
    assert.match(run.stderr(), /--chain-id\/--chains: lists a chain id twice/);
  });

  it('with --chains 84532,tron:nile adds an offline TRON Nile whose node and GasFree API answer', async () => {
    const run = spawnCli(['devnet', '--port', '0', '--chains', '84532,tron:nile']);
    const line = await run.waitForLine(/^\{/);
    const description = JSON.parse(line) as {
      network: string;
      tron: Record<
        string,
        { fullHost: string; rpcUrl: string; chainId: number; gasFree?: { baseUrl: string } }
      >;
    };
    assert.equal(description.network, 'eip155:84532');
    const nile = description.tron['tron:nile'];
    assert.ok(nile, 'the line describes tron:nile');
    assert.equal(nile.chainId, 3448148188);
    assert.equal(await chainId(nile.rpcUrl), 3448148188);
    const block = await fetch(`${nile.fullHost}/wallet/getnowblock`, { method: 'POST', body: '{}' });
    const blockJson = (await block.json()) as { blockID?: string };
    assert.match(String(blockJson.blockID), /^[0-9a-f]{64}$/);
    assert.ok(nile.gasFree, 'GasFree is on by default');
    const providers = await fetch(`${nile.gasFree.baseUrl}/api/v1/config/provider/all`);
    const providersJson = (await providers.json()) as { code: number; data: { providers: unknown[] } };
    assert.equal(providersJson.code, 200);
    assert.ok(providersJson.data.providers.length > 0);

    run.child.kill('SIGTERM');
    assert.equal((await run.exited).code, 0, run.stderr());
    await assert.rejects(fetch(`${nile.fullHost}/wallet/getnowblock`, { method: 'POST', body: '{}' }));
  });

  it('refuses a TRON network the devnet does not run', async () => {
    const run = spawnCli(['devnet', '--port', '0', '--chains', 'tron:mainnet']);
    assert.equal((await run.exited).code, 2);
    assert.match(run.stderr(), /tron:mainnet is not a TRON network the devnet runs/);
  });
});
