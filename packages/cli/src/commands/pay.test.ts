/**
 * `x402kit pay`, spawned as a user runs it, against real servers on 127.0.0.1 and a real devnet:
 * every outcome prints exactly one JSON object with --json, the exit code says what happened, and
 * nothing is called "paid" unless a settlement says so.
 *
 * Two servers: a minimal one written against core's codecs (to shape odd answers: a 402 nobody
 * can pay, a paid request that never gets an answer ...), and our real stack (payment handler,
 * facilitator service with the exactly-once ledger) for the handler 500, a facilitator that is
 * down or out of gas, and a settlement left pending by a chain that stopped mining.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  decodePaymentSignatureHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
  type PaymentRequired,
  type PaymentRequirements,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmServer } from '@x402kit/evm';
import {
  createEvmFacilitator,
  createExactEvmReconciler,
  type EvmFacilitator,
  identifyExactEvm,
} from '@x402kit/evm/chain-module';
import {
  createFacilitatorService,
  createLedgerHooks,
  createSqliteLedger,
  type FacilitatorServer,
  type PaymentLedger,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { createPaymentHandler } from '@x402kit/http';
import { type Served, serve } from '@x402kit/http/node';
import { parseOutcome, payInProcess } from '@x402kit/testing/pay-in-process';
import { runCliToEnd } from '@x402kit/testing/spawn-cli';
import { createPublicClient, type Hex, http } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import type { PayOutcome } from './pay/pay-outcome.js';

/** The whole outcome of a request that paid nothing: no reason, transaction or payment response. */
function unpaid(outcome: Pick<PayOutcome, 'status' | 'httpStatus' | 'body' | 'error'>): PayOutcome {
  return { ...outcome, reason: null, transaction: null, paymentResponse: null };
}

let devnet: Devnet;
let facilitator: EvmFacilitator;
let server: Server;
let base: string;
const stops: Array<() => Promise<void> | void> = [];

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

type Reply = { status: number; headers: Record<string, string>; body: string };

/**
 * A minimal x402 v2 resource server written against core's codecs (no middleware): 402 with
 * PAYMENT-REQUIRED, then verify + settle through the facilitator engine on the paid retry.
 * `/hang` never answers a paid request; `/no-receipt` serves a paid request without settling or
 * saying so; `/tron-only` and `/bad-required` are 402s this CLI cannot pay.
 */
function handle(path: string, paymentHeader: string | undefined): Promise<Reply> | 'hang' {
  const json = { 'content-type': 'application/json' };
  if (path === '/free')
    return Promise.resolve({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'free lunch' });
  if (path === '/missing')
    return Promise.resolve({ status: 404, headers: json, body: '{"error":"no such thing"}' });
  if (path === '/bad-required')
    return Promise.resolve({ status: 402, headers: { ...json, 'payment-required': '%%%' }, body: '{}' });
  const amount = path === '/expensive' ? '5000000' : '1000'; // 5 USDC or 0.001 USDC
  const accepts: PaymentRequirements[] =
    path === '/tron-only'
      ? [
          {
            scheme: 'exact_permit',
            network: 'tron:nile',
            amount,
            asset: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf',
            payTo: 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz',
            maxTimeoutSeconds: 300,
          },
        ]
      : [offer(amount)];
  const paymentRequired: PaymentRequired = {
    x402Version: 2,
    error: 'Payment required',
    resource: { url: `${base}${path}`, description: '', mimeType: 'application/json' },
    accepts,
  };
  const unpaid = {
    status: 402,
    headers: { ...json, 'payment-required': encodePaymentRequiredHeader(paymentRequired) },
    body: '{}',
  };
  if (paymentHeader === undefined) return Promise.resolve(unpaid);
  if (path === '/hang') return 'hang';
  return (async () => {
    const payload = decodePaymentSignatureHeader(paymentHeader);
    const requirements = offer(amount);
    const verified = await facilitator.verify(payload, requirements);
    if (!verified.isValid) return unpaid;
    if (path === '/no-receipt') return { status: 200, headers: json, body: '{"served":"without a receipt"}' };
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
  devnet = await startDevnet({ port: 0 });
  stops.push(() => devnet.stop());
  facilitator = createEvmFacilitator({
    rpc: { [devnet.network]: devnet.rpcUrl },
    privateKeys: [devnet.accounts.facilitator.privateKey],
  });
  stops.push(() => facilitator.close());
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
    const reply = handle(req.url ?? '/', Array.isArray(header) ? header[0] : header);
    if (reply === 'hang') return; // the paid request is received and never answered
    reply.then(
      ({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(body);
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
  stops.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
});

after(async () => {
  for (const stop of stops.reverse()) await stop();
});

function payerEnv(): Record<string, string> {
  return { PRIVATE_KEY: devnet.accounts.payer.privateKey };
}

function payerBalance(): Promise<bigint> {
  return readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address);
}

/** Our real stack: a payment handler (Web core, Node adapter) using the facilitator at `facilitatorUrl`. */
async function startPaidApi(facilitatorUrl: string): Promise<Served & { handlerCalls: () => number }> {
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
    schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
  });
  const accepts = {
    scheme: 'exact',
    network: devnet.network,
    payTo: devnet.accounts.payTo.address,
    price: '$0.001',
  };
  const payments = createPaymentHandler({
    server: resourceServer,
    routes: { 'GET /weather': { accepts }, 'GET /broken': { accepts } },
    pendingRetryAfterSeconds: 1,
  });
  let calls = 0;
  const served = await serve((request) =>
    payments.handle(request, async (paid) => {
      calls++;
      return new URL(paid.url).pathname === '/broken'
        ? Response.json({ error: 'boom' }, { status: 500 })
        : Response.json({ report: { weather: 'sunny' } });
    }),
  );
  stops.push(() => served.close());
  return { ...served, handlerCalls: () => calls };
}

/** A facilitator service over HTTP with the exactly-once ledger, settling with `privateKey`. */
async function startFacilitator(
  privateKey: Hex,
  receiptTimeoutMs?: number,
): Promise<{ server: FacilitatorServer; ledger: PaymentLedger }> {
  const ledger = await createSqliteLedger({ path: ':memory:' });
  const engine = createEvmFacilitator({
    rpc: { [devnet.network]: devnet.rpcUrl },
    privateKeys: [privateKey],
    ...(receiptTimeoutMs === undefined ? {} : { exact: { receiptTimeoutMs } }),
    hooks: createLedgerHooks({
      ledger,
      identify: identifyExactEvm,
      instanceId: 'pay-test',
      reconcile: createExactEvmReconciler({ rpc: { [devnet.network]: devnet.rpcUrl } }),
    }),
  });
  const started = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator: engine }),
    port: 0,
  });
  stops.push(
    () => ledger.close(),
    () => engine.close(),
    () => started.close(),
  );
  return { server: started, ledger };
}

async function rpc(method: string, params: unknown[] = []): Promise<void> {
  const res = await fetch(devnet.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body: unknown = await res.json();
  assert.ok(
    typeof body === 'object' && body !== null && !('error' in body),
    `${method}: ${JSON.stringify(body)}`,
  );
}

describe('x402kit pay', () => {
  it('pays a 402 within --max-amount: status paid, the transaction, exit 0, 0.001 USDC moved', async () => {
    const before = await payerBalance();
    const { code, stdout, stderr } = await runCliToEnd(
      ['pay', `${base}/weather`, '--max-amount', '0.01', '--json'],
      payerEnv(),
    );
    assert.equal(code, 0, stderr);
    const answer = parseOutcome(stdout);
    assert.equal(answer.status, 'paid');
    assert.equal(answer.httpStatus, 200);
    assert.equal(answer.reason, null);
    assert.equal(answer.error, null);
    assert.deepEqual(answer.body, { report: { weather: 'sunny', temperature: 70 } });
    assert.match(String(answer.transaction), /^0x[0-9a-f]{64}$/);
    assert.equal(answer.paymentResponse?.success, true);
    assert.equal(answer.paymentResponse?.transaction, answer.transaction);
    assert.match(stderr, /pay: paying 0\.001 USDC on eip155:84532/);
    assert.equal(before - (await payerBalance()), 1000n);
  });

  it('prints the body as is without --json', async () => {
    const { code, stdout, stderr } = await payInProcess([`${base}/weather`], payerEnv());
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '{"report":{"weather":"sunny","temperature":70}}\n');
    assert.match(stderr, /pay: paid 0\.001 USDC on eip155:84532; transaction 0x[0-9a-f]{64}/);
  });

  it('refuses to pay above --max-amount: status refused, exit code 3, nothing paid', async () => {
    const before = await payerBalance();
    const text = await payInProcess([`${base}/expensive`, '--max-amount', '0.01'], payerEnv());
    assert.equal(text.code, 3);
    assert.equal(text.stdout, '');
    assert.match(
      text.stderr,
      /refusing to pay: .*\/expensive asks 5 USDC on eip155:84532, above --max-amount 0\.01/,
    );
    const json = await payInProcess([`${base}/weather`, '--max-amount', '0.0001', '--json'], payerEnv());
    assert.equal(json.code, 3);
    const answer = parseOutcome(json.stdout);
    assert.equal(answer.status, 'refused');
    assert.equal(answer.httpStatus, 402);
    assert.equal(answer.reason, 'no_acceptable_payment_option');
    assert.equal(answer.paymentResponse, null);
    assert.equal(answer.transaction, null);
    assert.match(String(answer.error), /refusing to pay: .* asks 0\.001 USDC .*above --max-amount 0\.0001/);
    assert.equal(await payerBalance(), before);
  });

  it('cannot pay a 402 without an exact-on-EVM offer, or with unreadable requirements: status cannot_pay, exit 1', async () => {
    const [tron, bad] = await Promise.all([
      payInProcess([`${base}/tron-only`, '--json'], payerEnv()),
      payInProcess([`${base}/bad-required`, '--json'], payerEnv()),
    ]);
    assert.equal(tron.code, 1, tron.stderr);
    const noOffer = parseOutcome(tron.stdout);
    assert.equal(noOffer.status, 'cannot_pay');
    assert.equal(noOffer.httpStatus, 402);
    assert.equal(noOffer.reason, 'no_acceptable_payment_option');
    assert.match(
      String(noOffer.error),
      /exact_permit on tron:nile \(1000 of T\w+\): no registered scheme client/,
    );
    assert.match(tron.stderr, /pay: cannot_pay: cannot pay: /);
    assert.equal(bad.code, 1, bad.stderr);
    const unreadable = parseOutcome(bad.stdout);
    assert.equal(unreadable.status, 'cannot_pay');
    assert.equal(unreadable.reason, 'invalid_payment_header');
    assert.equal(unreadable.httpStatus, null);
  });

  it('exits 1 on a non-2xx answer without a payment (status http_error), still printing the body', async () => {
    const text = await payInProcess([`${base}/missing`], payerEnv());
    assert.equal(text.code, 1);
    assert.equal(text.stdout, '{"error":"no such thing"}\n');
    const json = await payInProcess([`${base}/missing`, '--json'], payerEnv());
    assert.equal(json.code, 1);
    assert.deepEqual(
      parseOutcome(json.stdout),
      unpaid({
        status: 'http_error',
        httpStatus: 404,
        body: { error: 'no such thing' },
        error: 'the server answered HTTP 404',
      }),
    );
  });

  it('passes through a free resource (status free) and sends method, headers and data', async () => {
    const free = await payInProcess([`${base}/free`, '--json'], payerEnv());
    assert.equal(free.code, 0);
    assert.deepEqual(
      parseOutcome(free.stdout),
      unpaid({ status: 'free', httpStatus: 200, body: 'free lunch', error: null }),
    );
    assert.equal(free.stderr, '');
    const echo = await payInProcess(
      [`${base}/echo`, '--data', '{"q":1}', '--header', 'X-Custom: yes', '--json'],
      payerEnv(),
    );
    assert.equal(echo.code, 0, echo.stderr);
    assert.deepEqual(parseOutcome(echo.stdout).body, {
      method: 'POST',
      type: 'application/json',
      custom: 'yes',
      body: '{"q":1}',
    });
    const put = await payInProcess([`${base}/echo`, '-X', 'put', '-d', 'plain', '--json'], payerEnv());
    assert.equal(Reflect.get(Object(parseOutcome(put.stdout).body), 'method'), 'PUT');
  });

  it('explains a network error: status network_error, exit code 1, JSON too', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = closed.address();
    assert.ok(address !== null && typeof address === 'object');
    await new Promise((resolve) => closed.close(resolve));
    const url = `http://127.0.0.1:${address.port}/x`;
    const [text, json] = await Promise.all([
      payInProcess([url], payerEnv()),
      payInProcess([url, '--json'], payerEnv()),
    ]);
    assert.equal(text.code, 1);
    assert.equal(text.stdout, '');
    assert.ok(text.stderr.includes(`cannot reach ${url}: connect ECONNREFUSED`), text.stderr);
    assert.equal(json.code, 1);
    const answer = parseOutcome(json.stdout);
    assert.equal(answer.status, 'network_error');
    assert.equal(answer.httpStatus, null);
    assert.equal(answer.body, null);
    assert.ok(String(answer.error).startsWith(`cannot reach ${url}: connect ECONNREFUSED`));
  });

  it('prints a usage_error object for bad arguments with --json (exit code 2), the message on stderr too', async () => {
    const [noUrl, badFlag, badAmount] = await Promise.all([
      payInProcess(['--json'], payerEnv()),
      payInProcess([`${base}/weather`, '--json', '--bogus'], payerEnv()),
      payInProcess([`${base}/weather`, '--json', '--max-amount', '1e-3'], payerEnv()),
    ]);
    for (const [run, message] of [
      [noUrl, /give the URL to pay for/],
      [badFlag, /Unknown option '--bogus'/],
      [badAmount, /--max-amount: must be a decimal amount/],
    ] as const) {
      assert.equal(run.code, 2, run.stderr);
      const answer = parseOutcome(run.stdout);
      assert.equal(answer.status, 'usage_error');
      assert.match(String(answer.error), message);
      assert.match(run.stderr, message);
    }
  });

  it('a paid request whose answer never comes: settlement_unknown with exit code 4, never "failed"', async () => {
    const { code, stdout, stderr } = await payInProcess(
      [`${base}/hang`, '--json', '--timeout', '3'],
      payerEnv(),
    );
    assert.equal(code, 4, stderr);
    const answer = parseOutcome(stdout);
    assert.equal(answer.status, 'settlement_unknown');
    assert.equal(answer.httpStatus, null);
    assert.match(
      String(answer.error),
      /did not answer within 3 s; the payment was sent, so it may have settled/,
    );
    assert.doesNotMatch(stderr, /pay: paid/);
  });

  it('a 2xx without PAYMENT-RESPONSE after paying is "unconfirmed", not "paid"', async () => {
    const before = await payerBalance();
    const { code, stdout, stderr } = await payInProcess([`${base}/no-receipt`, '--json'], payerEnv());
    assert.equal(code, 0, stderr);
    const answer = parseOutcome(stdout);
    assert.equal(answer.status, 'unconfirmed');
    assert.equal(answer.httpStatus, 200);
    assert.equal(answer.transaction, null);
    assert.match(
      String(answer.error),
      /without a PAYMENT-RESPONSE header: whether it charged the payment is unknown/,
    );
    assert.doesNotMatch(stderr, /pay: paid/);
    assert.equal(await payerBalance(), before, 'this server never settled');
  });
});

describe('x402kit pay against our stack (payment handler, facilitator service, ledger)', () => {
  /** `pay --json url`, which must exit 1 and leave the payer's balance as it was; its outcome and stderr. */
  async function payUncharged(url: string) {
    const before = await payerBalance();
    const { code, stdout, stderr } = await payInProcess([url, '--json'], payerEnv());
    assert.equal(code, 1, stderr);
    assert.equal(await payerBalance(), before);
    return { answer: parseOutcome(stdout), stderr };
  }

  it("a handler 500 after paying is not_settled (exit 1), never 'paid': nothing moved", async () => {
    const { server: service } = await startFacilitator(devnet.accounts.facilitator.privateKey);
    const api = await startPaidApi(service.url);
    const { answer, stderr } = await payUncharged(`${api.url}/broken`);
    assert.equal(answer.status, 'not_settled');
    assert.equal(answer.httpStatus, 500);
    assert.deepEqual(answer.body, { error: 'boom' });
    assert.equal(answer.paymentResponse, null);
    assert.match(String(answer.error), /HTTP 500 after the payment and reported no settlement/);
    assert.doesNotMatch(stderr, /pay: paid/);
    assert.equal(api.handlerCalls(), 1);
  });

  it('the facilitator down at /verify: payment_refused with its reason (exit 1), not "paid"', async () => {
    const { server: service } = await startFacilitator(devnet.accounts.facilitator.privateKey);
    const api = await startPaidApi(service.url);
    // the route's offers are learnt while the facilitator is up, then it goes away
    assert.equal((await fetch(`${api.url}/weather`)).status, 402);
    await service.close();
    const { answer, stderr } = await payUncharged(`${api.url}/weather`);
    assert.equal(answer.status, 'payment_refused');
    assert.equal(answer.httpStatus, 402);
    assert.equal(answer.reason, 'facilitator_unavailable');
    assert.equal(answer.paymentResponse, null);
    assert.match(String(answer.error), /the server refused the payment \(HTTP 402\): .*nothing was settled/);
    assert.doesNotMatch(stderr, /pay: paid/);
    assert.equal(api.handlerCalls(), 0);
  });

  it('a facilitator out of gas: payment_failed with the settlement reason (402 + PAYMENT-RESPONSE, exit 1)', async () => {
    const { server: service } = await startFacilitator(generatePrivateKey()); // a key with no ETH
    const api = await startPaidApi(service.url);
    const { answer, stderr } = await payUncharged(`${api.url}/weather`);
    assert.equal(answer.status, 'payment_failed');
    assert.equal(answer.httpStatus, 402);
    assert.equal(answer.paymentResponse?.success, false);
    assert.equal(answer.reason, answer.paymentResponse?.errorReason);
    assert.match(String(answer.reason), /^[a-z0-9_]+$/);
    assert.notEqual(answer.reason, 'settlement_pending');
    assert.match(String(answer.error), /^the payment was not settled: /);
    assert.match(stderr, /pay: payment_failed: /);
  });

  it('a settlement the chain has not confirmed: settlement_pending with the hash (exit 4); it lands once', async () => {
    const { server: service } = await startFacilitator(devnet.accounts.facilitator.privateKey, 300);
    const api = await startPaidApi(service.url);
    const before = await payerBalance();
    await rpc('evm_setAutomine', [false]); // the settlement's block will not come by itself
    let run: Awaited<ReturnType<typeof payInProcess>>;
    try {
      run = await payInProcess([`${api.url}/weather`, '--json'], payerEnv());
    } finally {
      await rpc('evm_setAutomine', [true]);
    }
    await rpc('evm_mine');
    assert.equal(run.code, 4, run.stderr);
    const answer = parseOutcome(run.stdout);
    assert.equal(answer.status, 'settlement_pending');
    assert.equal(answer.httpStatus, 202);
    assert.equal(answer.reason, 'settlement_pending');
    assert.match(String(answer.transaction), /^0x[0-9a-f]{64}$/);
    assert.match(String(answer.error), /not confirmed yet; it may still land: do not pay again/);
    assert.doesNotMatch(run.stderr, /pay: paid/);
    // the money did move, exactly once, in the transaction the CLI reported
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const receipt = await chain.waitForTransactionReceipt({
      hash: answer.transaction as Hex,
      timeout: 10_000,
    });
    assert.equal(receipt.status, 'success');
    assert.equal(before - (await payerBalance()), 1000n);
    assert.equal(api.handlerCalls(), 1);
  });
});

describe('x402kit pay as a process, without --json: the line a person reads never says "paid" unless it settled', () => {
  it('the facilitator down after the 402: "payment_refused ... nothing was settled", exit 1, balance unchanged', async () => {
    const { server: service } = await startFacilitator(devnet.accounts.facilitator.privateKey);
    const api = await startPaidApi(service.url);
    assert.equal((await fetch(`${api.url}/weather`)).status, 402);
    await service.close();
    const before = await payerBalance();
    const { code, stdout, stderr } = await runCliToEnd(['pay', `${api.url}/weather`], payerEnv());
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^pay: paying 0\.001 USDC on eip155:84532 to 0x/m);
    assert.match(
      stderr,
      /^pay: payment_refused: the server refused the payment \(HTTP 402\): facilitator_unavailable/m,
    );
    assert.match(stderr, /nothing was settled/);
    assert.doesNotMatch(stderr, /^pay: paid/m);
    assert.doesNotMatch(stdout, /sunny/, 'the paid content was not served');
    assert.equal(api.handlerCalls(), 0);
    assert.equal(await payerBalance(), before);
  });

  it('a handler 500 after paying: "not_settled ... not charged", exit 1, balance unchanged', async () => {
    const { server: service } = await startFacilitator(devnet.accounts.facilitator.privateKey);
    const api = await startPaidApi(service.url);
    const before = await payerBalance();
    const { code, stdout, stderr } = await runCliToEnd(['pay', `${api.url}/broken`], payerEnv());
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^pay: not_settled: the server answered HTTP 500 after the payment/m);
    assert.match(stderr, /not charged/);
    assert.doesNotMatch(stderr, /^pay: paid/m);
    assert.match(stdout, /boom/, 'the error body is still printed');
    assert.equal(api.handlerCalls(), 1);
    assert.equal(await payerBalance(), before);
  });

  it('a settlement not confirmed yet: "settlement_pending" with the transaction hash, exit 4', async () => {
    const { server: service } = await startFacilitator(devnet.accounts.facilitator.privateKey, 300);
    const api = await startPaidApi(service.url);
    await rpc('evm_setAutomine', [false]);
    let run: Awaited<ReturnType<typeof runCliToEnd>>;
    try {
      run = await runCliToEnd(['pay', `${api.url}/weather`], payerEnv());
    } finally {
      await rpc('evm_setAutomine', [true]);
    }
    await rpc('evm_mine');
    assert.equal(run.code, 4, run.stderr);
    const hash = /^pay: settlement_pending: the settlement (0x[0-9a-f]{64}) is not confirmed yet/m.exec(
      run.stderr,
    )?.[1];
    assert.ok(hash, run.stderr);
    assert.match(run.stderr, /do not pay again, check the transaction/);
    assert.doesNotMatch(run.stderr, /^pay: paid/m);
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const receipt = await chain.waitForTransactionReceipt({ hash: hash as Hex, timeout: 10_000 });
    assert.equal(receipt.status, 'success');
  });
});
