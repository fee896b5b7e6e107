/**
 * `x402kit gateway` as a user runs it: the example config (examples/gateway/gateway.yaml) pointed at
 * a real upstream and our facilitator on the devnet, in a child process run from source. A payment
 * goes through; SIGHUP reloads new prices; a broken file is refused with its line, at start (exit 2)
 * and on reload (the old config stays).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodePaymentRequiredHeader, decodePaymentResponseHeader } from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { closeServer, type Running } from '@x402kit/testing/listen';
import { ourFetch, startOurFacilitator } from '@x402kit/testing/ours';
import { type CliRun, runCliToEnd, spawnCli } from '@x402kit/testing/spawn-cli';
import type { Hex } from 'viem';

const EXAMPLE = new URL('../../examples/gateway/gateway.yaml', import.meta.url);

let devnet: Devnet;
let facilitator: Running;
let upstream: Running & { calls: () => number };
let dir: string;

/** The example file, pointed at this test's upstream, facilitator and devnet accounts. */
async function exampleConfig(): Promise<string> {
  const text = await readFile(EXAMPLE, 'utf8');
  const replaced = text
    .replace('upstream: http://127.0.0.1:3000', `upstream: ${upstream.url}`)
    .replace('facilitator: http://127.0.0.1:4022', `facilitator: ${facilitator.url}`)
    .replace(/network: eip155:84532/, `network: ${devnet.network}`)
    .replace(/payTo: "0x[0-9a-fA-F]{40}"/, `payTo: "${devnet.accounts.payTo.address}"`);
  assert.notEqual(replaced, text);
  return replaced;
}

async function priceOf(url: string): Promise<string | undefined> {
  const res = await fetch(url);
  assert.equal(res.status, 402);
  const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  return required.x402Version === 2 ? required.accepts[0]?.amount : undefined;
}

async function waitFor(read: () => string, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pattern.test(read())) {
    if (Date.now() > end) throw new Error(`no ${pattern} within ${timeoutMs} ms; got:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('x402kit gateway (CLI, the example config)', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
    });
    let calls = 0;
    const server = createServer((req, res) => {
      calls++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, forwardedFor: req.headers['x-forwarded-for'] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    upstream = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      calls: () => calls,
      close: () => closeServer(server),
    };
    dir = await mkdtemp(join(tmpdir(), 'x402kit-gateway-'));
  });
  after(async () => {
    await upstream?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('serves the example, takes a payment, reloads prices on SIGHUP and refuses a broken reload', async () => {
    const file = join(dir, 'gateway.yaml');
    const text = await exampleConfig();
    await writeFile(file, text);
    const run: CliRun = spawnCli(['gateway', '--config', file, '--port', '0']);
    try {
      const line = await run.waitForLine(/^Gateway listening on /, 60_000);
      const url = /^Gateway listening on (\S+)/.exec(line)?.[1] ?? '';
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(run.stdout(), /GET \/weather\/:city {2}\$0\.001 exact on eip155:84532 to 0x/);
      assert.match(
        run.stdout(),
        /POST \/summarize {2}\$0\.01 exact .* \| \$0\.01 exact on eip155:84532 to 0x/,
      );
      assert.match(run.stdout(), /Other routes: proxied free/);

      // paid: the upstream is called once, the buyer pays the price
      const payTo = devnet.accounts.payTo.address;
      const t0 = await readTokenBalance(devnet.rpcUrl, devnet.token.address, payTo as Hex);
      const calls = upstream.calls();
      const res = await ourFetch(devnet.accounts.payer.privateKey as Hex)(`${url}/weather/paris`);
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), { path: '/weather/paris', forwardedFor: '127.0.0.1' });
      assert.equal(decodePaymentResponseHeader(res.headers.get('payment-response') ?? '').success, true);
      assert.equal(upstream.calls(), calls + 1);
      assert.equal(await readTokenBalance(devnet.rpcUrl, devnet.token.address, payTo as Hex), t0 + 1000n);
      assert.equal(await priceOf(`${url}/README.md`), '5000');
      const free = await fetch(`${url}/status`);
      assert.equal(free.status, 200);
      assert.equal((await free.json()).path, '/status');

      // new price, SIGHUP: new requests get it
      assert.equal(await priceOf(`${url}/weather/paris`), '1000');
      await writeFile(file, text.replace('price: $0.001', 'price: $0.003'));
      run.child.kill('SIGHUP');
      await waitFor(run.stderr, /gateway: reloaded/);
      assert.equal(await priceOf(`${url}/weather/paris`), '3000');

      // a broken file: refused with its line, the previous config stays
      await writeFile(
        file,
        text.replace('price: $0.001', 'price: [1, 2').replace('scheme: exact', 'scheme: exact'),
      );
      run.child.kill('SIGHUP');
      await waitFor(run.stderr, /reload of .* refused/);
      assert.match(run.stderr(), /gateway\.yaml:\d+:\d+: /);
      assert.equal(await priceOf(`${url}/weather/paris`), '3000');
      await writeFile(file, text.replace('upstream: http', 'upstream: ftp'));
      run.child.kill('SIGHUP');
      await waitFor(run.stderr, /gateway\.yaml:\d+:\d+: upstream: must be an http\(s\) URL/);
      assert.equal(await priceOf(`${url}/weather/paris`), '3000');

      run.child.kill('SIGTERM');
      assert.equal((await run.exited).code, 0, run.stderr());
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('refuses to start when the facilitator does not serve a route (upto here), unless told to', async () => {
    const file = join(dir, 'with-upto.yaml');
    // the example plus an upto route, which this facilitator (exact only) does not serve
    await writeFile(file, `${await exampleConfig()}\n  GET /metered:\n    scheme: upto\n    price: $0.05\n`);
    const refused = await runCliToEnd(['gateway', '--config', file, '--port', '0']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /GET \/metered/);
    assert.match(refused.stderr, /upto/);
    assert.match(refused.stderr, /--skip-supported-check/);
    const run = spawnCli(['gateway', '--config', file, '--port', '0', '--skip-supported-check']);
    try {
      const line = await run.waitForLine(/^Gateway listening on /, 60_000);
      const url = /^Gateway listening on (\S+)/.exec(line)?.[1] ?? '';
      assert.equal(await priceOf(`${url}/weather/paris`), '1000');
      // the check is off: the offer goes out as written (the facilitator would refuse the payment)
      const metered = await fetch(`${url}/metered`);
      assert.equal(metered.status, 402);
      const required = decodePaymentRequiredHeader(metered.headers.get('payment-required') ?? '');
      assert.equal(required.x402Version === 2 ? required.accepts[0]?.scheme : undefined, 'upto');
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('sells any scheme and chain of the kit: upto, exact_permit and Solana exact offered in one 402', async () => {
    const file = join(dir, 'chains.yaml');
    await writeFile(
      file,
      [
        `upstream: ${upstream.url}`,
        `facilitator: ${facilitator.url}`,
        'routes:',
        '  GET /report:',
        '    accepts:',
        `      - { scheme: exact, network: eip155:84532, payTo: "${devnet.accounts.payTo.address}", price: $0.01 }`,
        `      - { scheme: upto, network: eip155:84532, payTo: "${devnet.accounts.payTo.address}", price: $0.02 }`,
        '      - { scheme: exact_permit, network: tron:nile, payTo: TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL, price: $0.01 }',
        '      - { scheme: exact, network: solana:devnet, payTo: 9aE476sH92Vz7DMPyq5WLPkrKWivxeuTKEFKd2sZZcde, price: $0.01 }',
        '',
      ].join('\n'),
    );
    // the facilitator serves EVM only: the TRON and Solana offers go out unchecked
    const run = spawnCli(['gateway', '--config', file, '--port', '0', '--skip-supported-check']);
    try {
      const line = await run.waitForLine(/^Gateway listening on /, 60_000);
      const url = /^Gateway listening on (\S+)/.exec(line)?.[1] ?? '';
      const res = await fetch(`${url}/report`);
      assert.equal(res.status, 402, run.stderr());
      const required = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
      assert.equal(required.x402Version, 2);
      if (required.x402Version !== 2) return;
      assert.deepEqual(
        required.accepts.map((a) => [a.scheme, a.network, a.amount]),
        [
          ['exact', 'eip155:84532', '10000'],
          ['upto', 'eip155:84532', '20000'],
          ['exact_permit', 'tron:nile', '10000'],
          ['exact', 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1', '10000'],
        ],
      );
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('a garbage config stops the start with its line and column, exit code 2', async () => {
    // every kind of mistake is covered in process by packages/cli/src/commands/gateway-config.test.ts
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      'upstream: http://127.0.0.1:1\nfacilitator: http://127.0.0.1:2\nroutes:\n  GET /a:\n    price: $0.01\n    color: red\n',
    );
    const { code, stderr } = await runCliToEnd(['gateway', '--config', file, '--port', '0']);
    assert.equal(code, 2, stderr);
    assert.match(stderr, /bad\.yaml:6:5: routes\.GET \/a: Unrecognized key: "color"/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    const missing = await runCliToEnd(['gateway']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--config <file> is required/);
  });
});
