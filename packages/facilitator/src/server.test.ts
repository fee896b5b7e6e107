import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { HTTPFacilitatorClient } from '@x402/core/server';
import type {
  PaymentPayload as OfficialPayload,
  PaymentRequirements as OfficialRequirements,
} from '@x402/core/types';
import { type AnyPaymentPayload, createX402Client, type PaymentRequirements, X402Error } from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmClient } from '@x402kit/evm';
import { createEvmFacilitator, type EvmFacilitator } from '@x402kit/evm/chain-module';
import { devnetSupportedKinds } from '@x402kit/testing/devnet-supported-kinds';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import { privateKeyToAccount } from 'viem/accounts';
import { FacilitatorReasons } from './facilitator-reasons.js';
import type { LogEvent } from './log.js';
import { type FacilitatorServer, startFacilitatorServer } from './server.js';
import { createFacilitatorService } from './service.js';

const BODY_LIMIT = 16 * 1024;

let devnet: Devnet;
let facilitator: EvmFacilitator;
let server: FacilitatorServer;
const logged: LogEvent[] = [];

before(async () => {
  devnet = await startDevnet();
  facilitator = createEvmFacilitator({
    rpc: { [devnet.network]: devnet.rpcUrl },
    privateKeys: [devnet.accounts.facilitator.privateKey],
  });
  const service = createFacilitatorService({
    facilitator,
    bodyLimitBytes: BODY_LIMIT,
    log: (e) => logged.push(e),
  });
  server = await startFacilitatorServer({ service, port: 0 });
});

after(async () => {
  await server?.close();
  facilitator?.close();
  await devnet?.stop();
});

function requirements(overrides: Partial<PaymentRequirements> = {}): PaymentRequirements {
  return devnetExactRequirements(devnet, overrides);
}

async function sign(accepted: PaymentRequirements): Promise<AnyPaymentPayload> {
  const client = createX402Client({
    schemes: [
      {
        network: 'eip155:*',
        client: createExactEvmClient({ signer: privateKeyToAccount(devnet.accounts.payer.privateKey) }),
      },
    ],
    // the test signs an over-balance payment (2000 USDC) for the facilitator to refuse: no client cap
    defaultMaxAmount: false,
  });
  return client.createPaymentPayload({
    x402Version: 2,
    resource: { url: 'http://127.0.0.1/weather', description: '', mimeType: '' },
    accepts: [accepted],
  });
}

async function call(
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; contentType: string | null; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const parsed: unknown = await response.json();
  assert.ok(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed));
  return { status: response.status, contentType: response.headers.get('content-type'), json: { ...parsed } };
}

describe('facilitator server over HTTP on a devnet', () => {
  it('lists v2 and v1 kinds and the facilitator signer in /supported', async () => {
    const { status, contentType, json } = await call('/supported');
    assert.equal(status, 200);
    assert.equal(contentType, 'application/json');
    assert.deepEqual(json.kinds, devnetSupportedKinds(devnet));
    assert.deepEqual(json.extensions, []);
    assert.ok(typeof json.signers === 'object' && json.signers !== null);
    const evmSigners: unknown = Reflect.get(json.signers, 'eip155:*');
    assert.ok(Array.isArray(evmSigners));
    assert.ok(evmSigners.includes(devnet.accounts.facilitator.address));
  });

  it('verifies and settles a real signed payment; the payer pays', async () => {
    const accepted = requirements();
    const paymentPayload = await sign(accepted);
    const body = JSON.stringify({ x402Version: 2, paymentPayload, paymentRequirements: accepted });
    const verify = await call('/verify', { body });
    assert.equal(verify.status, 200);
    assert.deepEqual(verify.json, { isValid: true, payer: devnet.accounts.payer.address });

    // the token balances of the payer and of the recipient
    const balances = async () => ({
      payer: await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address),
      payTo: await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address),
    });
    const start = await balances();
    const settle = await call('/settle', { body });
    assert.equal(settle.status, 200);
    assert.equal(settle.json.success, true, JSON.stringify(settle.json));
    assert.match(String(settle.json.transaction), /^0x[0-9a-f]{64}$/);
    assert.equal(settle.json.network, 'eip155:84532');
    assert.equal(settle.json.payer, devnet.accounts.payer.address);
    const end = await balances();
    assert.equal(start.payer - end.payer, 1000n);
    assert.equal(end.payTo - start.payTo, 1000n);

    // the same authorization cannot be settled twice: 200 with the reason, not an HTTP error
    const again = await call('/settle', { body });
    assert.equal(again.status, 200);
    assert.equal(again.json.success, false);
    assert.equal(again.json.errorReason, 'invalid_exact_evm_nonce_already_used');
    assert.ok(logged.some((e) => e.level === 'info' && e.message.startsWith('settle: settled')));
  });

  it('answers an invalid payment with 200 isValid:false and its reason', async () => {
    const accepted = requirements();
    const paymentPayload = await sign(accepted);
    const wrongPayTo = requirements({ payTo: devnet.accounts.deployer.address });
    const body = JSON.stringify({ x402Version: 2, paymentPayload, paymentRequirements: wrongPayTo });
    const verify = await call('/verify', { body });
    assert.equal(verify.status, 200);
    assert.equal(verify.json.isValid, false);
    assert.equal(verify.json.invalidReason, 'invalid_exact_evm_recipient_mismatch');
    assert.equal(verify.json.payer, devnet.accounts.payer.address);

    const tooMuch = await sign(requirements({ amount: '2000000000' })); // more than the payer holds
    const broke = await call('/verify', {
      body: JSON.stringify({
        x402Version: 2,
        paymentPayload: tooMuch,
        paymentRequirements: requirements({ amount: '2000000000' }),
      }),
    });
    assert.equal(broke.status, 200);
    assert.equal(broke.json.invalidReason, 'invalid_exact_evm_insufficient_balance');

    const unknownNetwork = requirements({ network: 'eip155:1' });
    const other = await call('/settle', {
      body: JSON.stringify({
        x402Version: 2,
        paymentPayload: { ...paymentPayload, accepted: unknownNetwork },
        paymentRequirements: unknownNetwork,
      }),
    });
    assert.equal(other.status, 200);
    assert.equal(other.json.success, false);
    assert.equal(other.json.errorReason, 'invalid_network');
  });

  it('rejects malformed bodies with 400 and a reason code, never 500', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['{"paymentPayload": ', 'invalid_request_body', /not valid JSON/],
      ['', 'invalid_request_body', /empty/],
      ['"a string"', 'invalid_request_body', /JSON object/],
      ['{"paymentRequirements":{}}', 'invalid_request_body', /paymentPayload is missing/],
      ['{"paymentPayload":{}}', 'invalid_request_body', /paymentRequirements is missing/],
      [
        '{"paymentPayload":42,"paymentRequirements":{}}',
        'invalid_request_body',
        /paymentPayload must be a JSON object/,
      ],
      [
        '{"paymentPayload":{},"paymentRequirements":null}',
        'invalid_request_body',
        /paymentRequirements must be a JSON object/,
      ],
    ];
    for (const path of ['/verify', '/settle']) {
      for (const [body, error, message] of cases) {
        const answer = await call(path, { body });
        assert.equal(answer.status, 400, `${path} ${body}`);
        assert.equal(answer.contentType, 'application/json');
        assert.equal(answer.json.error, error);
        assert.match(String(answer.json.message), message);
      }
    }
    const form = await call('/verify', {
      body: 'a=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 415);
    assert.equal(form.json.error, 'unsupported_media_type');
  });

  it('rejects a body over the limit with 413 request_too_large', async () => {
    const huge = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    const answer = await call('/verify', { body: huge });
    assert.equal(answer.status, 413);
    assert.equal(answer.json.error, 'request_too_large');
    assert.match(String(answer.json.message), new RegExp(`limit is ${BODY_LIMIT} bytes`));
  });

  it('counts the bytes it reads instead of trusting a lying Content-Length', async () => {
    // Content-Length says 10 bytes, then far more arrive: reading stops at the limit.
    const declared = await rawPost('/verify', 'x'.repeat(BODY_LIMIT + 100), {
      'content-length': String(BODY_LIMIT + 100),
    });
    assert.equal(declared.status, 413);
    const chunked = await rawPost('/settle', 'x'.repeat(BODY_LIMIT * 3), { 'transfer-encoding': 'chunked' });
    assert.equal(chunked.status, 413);
    assert.equal(JSON.parse(chunked.body).error, 'request_too_large');
  });

  it('answers /health, 404 and 405 in JSON', async () => {
    assert.deepEqual(await call('/health'), {
      status: 200,
      contentType: 'application/json',
      json: { status: 'ok' },
    });
    const missing = await call('/discovery/resources');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, 'not_found');
    const wrong = await call('/settle');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.json.error, 'method_not_allowed');
  });

  it('is wire-compatible with the official HTTPFacilitatorClient (@x402/core)', async () => {
    const client = new HTTPFacilitatorClient({ url: server.url });
    const supported = await client.getSupported();
    assert.ok(
      supported.kinds.some(
        (k) => k.x402Version === 2 && k.network === 'eip155:84532' && k.scheme === 'exact',
      ),
    );
    assert.ok(supported.kinds.some((k) => k.x402Version === 1 && String(k.network) === 'base-sepolia'));
    assert.ok(supported.signers['eip155:*']?.includes(devnet.accounts.facilitator.address));

    const accepted = requirements();
    const paymentRequirements = official(accepted);
    const paymentPayload = officialPayload(await sign(accepted));
    const verified = await client.verify(paymentPayload, paymentRequirements);
    assert.equal(verified.isValid, true);
    assert.equal(verified.payer, devnet.accounts.payer.address);
    const settled = await client.settle(paymentPayload, paymentRequirements);
    assert.equal(settled.success, true);
    assert.match(settled.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(settled.network, 'eip155:84532');

    const refused = await client.verify(paymentPayload, official(requirements({ amount: '999' })));
    assert.equal(refused.isValid, false);
    assert.ok(refused.invalidReason?.startsWith('invalid_exact_evm_'));
  });

  it('keeps connections alive and lets requests in flight finish on close', async () => {
    let received!: () => void;
    const arrived = new Promise<void>((r) => {
      received = r;
    });
    const slow = createFacilitatorService({
      facilitator: {
        ...facilitator,
        async supported() {
          received();
          await new Promise((r) => setTimeout(r, 100));
          return facilitator.supported();
        },
      },
    });
    const local = await startFacilitatorServer({ service: slow, port: 0 });
    const first = await fetch(`${local.url}/health`);
    assert.equal(first.headers.get('connection'), 'keep-alive');
    await first.text();
    const pending = fetch(`${local.url}/supported`).then((r) => r.json());
    await arrived;
    const closed = local.close();
    assert.equal(local.close(), closed, 'close() twice returns the same promise');
    const supported: unknown = await pending;
    assert.ok(typeof supported === 'object' && supported !== null && 'kinds' in supported);
    await closed;
    await assert.rejects(fetch(`${local.url}/health`));
  });

  it('refuses a port in use with facilitator_cannot_listen, the system error as its cause', async () => {
    const service = createFacilitatorService({ facilitator });
    await assert.rejects(startFacilitatorServer({ service, port: server.port }), (error: unknown) => {
      assert.ok(error instanceof X402Error);
      assert.equal(error.reason, FacilitatorReasons.listen);
      assert.equal(error.message, `cannot listen on 127.0.0.1:${server.port}: the port is already in use`);
      assert.equal(Reflect.get(Object(error.cause), 'code'), 'EADDRINUSE');
      return true;
    });
  });
});

/** Our requirements in the official SDK's types (its network is a `${string}:${string}` template). */
function official(r: PaymentRequirements): OfficialRequirements {
  const { network } = r;
  assert.ok(isCaip2(network), `${network} is CAIP-2`);
  return { ...r, network, extra: r.extra ?? {} };
}

function officialPayload(p: AnyPaymentPayload): OfficialPayload {
  assert.equal(p.x402Version, 2);
  if (p.x402Version !== 2) throw new Error('unreachable');
  return { ...p, accepted: official(p.accepted) };
}

function isCaip2(network: string): network is `${string}:${string}` {
  return network.includes(':');
}

function rawPost(
  path: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
