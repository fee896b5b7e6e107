/**
 * `x402kit pay` on Solana: a real Solana devnet (litesvm behind a JSON-RPC server), our facilitator
 * service over HTTP with the `exact` SVM engine (the devnet's fee payer), and our payment handler
 * in front of a paid route. The CLI pays with SOLANA_PRIVATE_KEY and SOLANA_RPC_URL (or
 * --solana-rpc); --max-amount refuses a price above it and moves nothing; a malformed key is a
 * usage error that never echoes the key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFacilitator, createHttpFacilitatorClient, createResourceServer } from '@x402kit/core';
import { type SolanaDevnet, solanaDevnetAccount, startSolanaDevnet } from '@x402kit/devnet';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import { createPaymentHandler } from '@x402kit/http';
import { createExactSvmFacilitator, createExactSvmServer } from '@x402kit/svm';
import { devnetExactOffer } from '@x402kit/testing/devnet-offer';
import { type PaidReport, servePaidReport } from '@x402kit/testing/paid-report';
import { parseOutcome, payInProcess } from '@x402kit/testing/pay-in-process';
import { runCliToEnd } from '@x402kit/testing/spawn-cli';

let devnet: SolanaDevnet;
let base: string;
let payerKey: string;
let api: PaidReport;
const stops: Array<() => Promise<void> | void> = [];

before(async () => {
  devnet = await startSolanaDevnet();
  stops.push(() => devnet.stop());
  payerKey = (await solanaDevnetAccount('payer')).secretKey;
  const svm = createExactSvmFacilitator({
    networks: { [devnet.network]: { rpcUrl: devnet.rpcUrl } },
    feePayers: [(await solanaDevnetAccount('feePayer')).secretKey],
    pollingIntervalMs: 20,
  });
  const facilitator = await startFacilitatorServer({
    service: createFacilitatorService({
      facilitator: createFacilitator({ schemes: [{ networks: svm.networks, facilitator: svm }] }),
    }),
    port: 0,
  });
  stops.push(() => facilitator.close());
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: facilitator.url }),
    schemes: [{ network: 'solana:*', server: createExactSvmServer() }],
  });
  const payments = createPaymentHandler({
    server: resourceServer,
    routes: {
      'GET /weather': {
        accepts: devnetExactOffer(devnet, { price: '$0.01' }),
      },
    },
  });
  api = await servePaidReport(payments);
  stops.push(() => api.close());
  base = api.url;
});

after(async () => {
  for (const stop of stops.reverse()) await stop();
});

async function usdc(): Promise<{ payer: bigint; payTo: bigint }> {
  const [payer, payTo] = await Promise.all([
    devnet.balances(devnet.accounts.payer.address),
    devnet.balances(devnet.accounts.payTo.address),
  ]);
  return { payer: payer.USDC, payTo: payTo.USDC };
}

describe('x402kit pay on Solana', () => {
  it('pays a Solana 402 (spawned): status paid, the signature, payer -0.01 USDC, payTo +0.01 USDC', async () => {
    const before = await usdc();
    const calls = api.handlerCalls();
    const { code, stdout, stderr } = await runCliToEnd(
      ['pay', `${base}/weather`, '--max-amount', '0.01', '--json'],
      { SOLANA_PRIVATE_KEY: payerKey, SOLANA_RPC_URL: devnet.rpcUrl },
    );
    assert.equal(code, 0, stderr);
    const answer = parseOutcome(stdout);
    assert.equal(answer.status, 'paid');
    assert.equal(answer.httpStatus, 200);
    assert.deepEqual(answer.body, { report: { weather: 'sunny' } });
    assert.match(String(answer.transaction), /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);
    assert.equal(answer.paymentResponse?.payer, devnet.accounts.payer.address);
    assert.deepEqual(devnet.chain.signatureStatus(String(answer.transaction))?.err, null);
    assert.match(stderr, /pay: paying 0\.01 USDC on solana:/);
    assert.ok(!stderr.includes(payerKey) && !stdout.includes(payerKey), 'the key is never printed');
    const after = await usdc();
    assert.equal(before.payer - after.payer, 10_000n);
    assert.equal(after.payTo - before.payTo, 10_000n);
    assert.equal(api.handlerCalls() - calls, 1);
  });

  it('takes the RPC URL from --solana-rpc', async () => {
    const before = await usdc();
    const { code, stdout, stderr } = await payInProcess(
      [`${base}/weather`, '--solana-rpc', devnet.rpcUrl, '--json'],
      { SOLANA_PRIVATE_KEY: payerKey },
    );
    assert.equal(code, 0, stderr);
    assert.equal(parseOutcome(stdout).status, 'paid');
    assert.equal((await usdc()).payTo - before.payTo, 10_000n);
  });

  it('refuses a price above --max-amount: exit 3, nothing moves', async () => {
    const before = await usdc();
    const calls = api.handlerCalls();
    const { code, stdout, stderr } = await payInProcess(
      [`${base}/weather`, '--max-amount', '0.001', '--json'],
      { SOLANA_PRIVATE_KEY: payerKey, SOLANA_RPC_URL: devnet.rpcUrl },
    );
    assert.equal(code, 3, stderr);
    const answer = parseOutcome(stdout);
    assert.equal(answer.status, 'refused');
    assert.equal(answer.transaction, null);
    assert.match(stderr, /above --max-amount 0\.001/);
    assert.deepEqual(await usdc(), before);
    assert.equal(api.handlerCalls(), calls);
  });

  it('a malformed SOLANA_PRIVATE_KEY is a usage error (exit 2) that does not echo the key', async () => {
    const short = payerKey.slice(0, 40);
    for (const key of [
      short,
      `${payerKey.slice(0, -1)}0`,
      `${payerKey.slice(0, 44)}${payerKey.slice(0, 44)}`,
    ]) {
      const { code, stdout, stderr } = await payInProcess([`${base}/weather`, '--json'], {
        SOLANA_PRIVATE_KEY: key,
        SOLANA_RPC_URL: devnet.rpcUrl,
      });
      assert.equal(code, 2, stderr);
      const answer = parseOutcome(stdout);
      assert.equal(answer.status, 'usage_error');
      assert.match(String(answer.error), /SOLANA_PRIVATE_KEY/);
      assert.ok(!stdout.includes(key) && !stderr.includes(key), 'the key is never printed');
    }
  });

  it('SOLANA_PRIVATE_KEY without an RPC URL is a usage error (exit 2)', async () => {
    const { code, stderr } = await payInProcess([`${base}/weather`], { SOLANA_PRIVATE_KEY: payerKey });
    assert.equal(code, 2);
    assert.match(stderr, /SOLANA_RPC_URL or pass --solana-rpc/);
  });
});
