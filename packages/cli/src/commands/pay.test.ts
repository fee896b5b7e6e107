import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  type PaymentRequired,
  type PaymentRequirements,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createEvmFacilitator, type EvmFacilitator } from '@x402kit/facilitator';
import { runCliToEnd } from '../testing/spawn-cli.js';

let devnet: Devnet;
let facilitator: EvmFacilitator;
let server: Server;
let base: string;

function offer(amount: string): PaymentRequirements {
  return {
    scheme: 'exact',
    network: 'eip155:84532',
    amount,
    asset: devnet.token.address,
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 300,
    extra: { name: devnet.token.name, version: devnet.token.version },
  };
}

/**
 * A minimal x402 v2 resource server written against core's codecs (no middleware): 402 with
 * PAYMENT-REQUIRED, then verify + settle through the facilitator engine on the paid retry.
 */
function handle(
  path: string,
  paymentHeader: string | undefined,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const json = { 'content-type': 'application/json' };
  if (path === '/free')
    return Promise.resolve({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'free lunch' });
  if (path === '/missing')
    return Promise.resolve({ status: 404, headers: json, body: '{"error":"no such thing"}' });
  const amount = path === '/expensive' ? '5000000' : '1000'; // 5 USDC or 0.001 USDC
  const paymentRequired: PaymentRequired = {
    x402Version: 2,
    error: 'Payment required',
    resource: { url: `${base}${path}`, description: '', mimeType: 'application/json' },
    accepts: [offer(amount)],
  };
  const unpaid = {
    status: 402,
    headers: { ...json, 'payment-required': encodePaymentRequiredHeader(paymentRequired) },
    body: '{}',
  };
  if (paymentHeader === undefined) return Promise.resolve(unpaid);
  return (async () => {
    const payload = decodePaymentSignatureHeader(paymentHeader);
    const requirements = offer(amount);
    const verified = await facilitator.verify(payload, requirements);
    if (!verified.isValid) return unpaid;
    const settled = await facilitator.settle(payload, requirements);
    if (!settled.success)
      return {
        ...unpaid,
        headers: { ...unpaid.headers, 'payment-response': encodePaymentResponseHeader(settled) },
      };
    return {
      status: 200,
      headers: { ...json, 'payment-response': encodePaymentResponseHeader(settled) },
      body: JSON.stringify({ report: { weather: 'sunny', temperature: 70 } }),
    };
  })();
}

before(async () => {
  devnet = await startDevnet();
  facilitator = createEvmFacilitator({
    rpc: { [devnet.network]: devnet.rpcUrl },
    privateKeys: [devnet.accounts.facilitator.privateKey],
  });
  server = createServer((req, res) => {
    if (req.url === '/echo') {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            method: req.method,
            type: req.headers['content-type'],
            custom: req.headers['x-custom'],
            body,
          }),
        );
      });
      return;
    }
    const header = req.headers['payment-signature'];
    handle(req.url ?? '/', Array.isArray(header) ? header[0] : header).then(
      (reply) => {
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(error) }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address: AddressInfo | string | null = server.address();
  assert.ok(address !== null && typeof address === 'object');
  base = `http://127.0.0.1:${address.port}`;
});

after(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  facilitator?.close();
  await devnet?.stop();
});

function payerEnv(): Record<string, string> {
  return { PRIVATE_KEY: devnet.accounts.payer.privateKey };
}

function parseOneJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stdout, got: ${stdout}`);
  const value: unknown = JSON.parse(lines[0] ?? '');
  assert.ok(typeof value === 'object' && value !== null);
  return { ...value };
}

describe('x402kit pay', () => {
  it('pays a 402 within --max-amount and prints {status, body, paymentResponse}', async () => {
    const before = await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address);
    const { code, stdout, stderr } = await runCliToEnd(
      ['pay', `${base}/weather`, '--max-amount', '0.01', '--json'],
      payerEnv(),
    );
    assert.equal(code, 0, stderr);
    const answer = parseOneJsonLine(stdout);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { report: { weather: 'sunny', temperature: 70 } });
    const settlement = answer.paymentResponse;
    assert.ok(typeof settlement === 'object' && settlement !== null);
    assert.equal(Reflect.get(settlement, 'success'), true);
    assert.match(String(Reflect.get(settlement, 'transaction')), /^0x[0-9a-f]{64}$/);
    assert.match(stderr, /pay: paying 0\.001 USDC on eip155:84532/);
    const after = await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address);
    assert.equal(before - after, 1000n);
  });

  it('prints the body as is without --json', async () => {
    const { code, stdout, stderr } = await runCliToEnd(['pay', `${base}/weather`], payerEnv());
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '{"report":{"weather":"sunny","temperature":70}}\n');
    assert.match(stderr, /pay: paid 0\.001 USDC on eip155:84532; transaction 0x[0-9a-f]{64}/);
  });

  it('refuses to pay above --max-amount: message on stderr, exit code 3, nothing paid', async () => {
    const before = await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address);
    const text = await runCliToEnd(['pay', `${base}/expensive`, '--max-amount', '0.01'], payerEnv());
    assert.equal(text.code, 3);
    assert.equal(text.stdout, '');
    assert.match(
      text.stderr,
      /refusing to pay: .*\/expensive asks 5 USDC on eip155:84532, above --max-amount 0\.01/,
    );
    const json = await runCliToEnd(
      ['pay', `${base}/weather`, '--max-amount', '0.0001', '--json'],
      payerEnv(),
    );
    assert.equal(json.code, 3);
    const answer = parseOneJsonLine(json.stdout);
    assert.equal(answer.status, 402);
    assert.equal(answer.paymentResponse, null);
    assert.match(String(answer.error), /refusing to pay/);
    const after = await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address);
    assert.equal(after, before);
  });

  it('exits 1 on a non-2xx answer, still printing the body', async () => {
    const text = await runCliToEnd(['pay', `${base}/missing`], payerEnv());
    assert.equal(text.code, 1);
    assert.equal(text.stdout, '{"error":"no such thing"}\n');
    const json = await runCliToEnd(['pay', `${base}/missing`, '--json'], payerEnv());
    assert.equal(json.code, 1);
    assert.deepEqual(parseOneJsonLine(json.stdout), {
      status: 404,
      body: { error: 'no such thing' },
      paymentResponse: null,
    });
  });

  it('passes through a free resource and sends method, headers and data', async () => {
    const free = await runCliToEnd(['pay', `${base}/free`, '--json'], payerEnv());
    assert.equal(free.code, 0);
    assert.deepEqual(parseOneJsonLine(free.stdout), {
      status: 200,
      body: 'free lunch',
      paymentResponse: null,
    });
    const echo = await runCliToEnd(
      ['pay', `${base}/echo`, '--data', '{"q":1}', '--header', 'X-Custom: yes', '--json'],
      payerEnv(),
    );
    assert.equal(echo.code, 0, echo.stderr);
    assert.deepEqual(parseOneJsonLine(echo.stdout).body, {
      method: 'POST',
      type: 'application/json',
      custom: 'yes',
      body: '{"q":1}',
    });
    const put = await runCliToEnd(['pay', `${base}/echo`, '-X', 'put', '-d', 'plain', '--json'], payerEnv());
    assert.equal(Reflect.get(Object(parseOneJsonLine(put.stdout).body), 'method'), 'PUT');
  });

  it('explains a network error (exit code 1)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = closed.address();
    assert.ok(address !== null && typeof address === 'object');
    await new Promise((resolve) => closed.close(resolve));
    const url = `http://127.0.0.1:${address.port}/x`;
    const { code, stderr, stdout } = await runCliToEnd(['pay', url], payerEnv());
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.ok(stderr.includes(`cannot reach ${url}: connect ECONNREFUSED`), stderr);
  });
});
