/**
 * Our Fastify plugin on the devnet: the official `@x402/fetch` and `@x402/axios` clients pay it,
 * every payment settles for real (balances move by exactly the price), unpaid and free requests
 * get what they should, a handler failure is not charged, and one payment header replayed in
 * sequence and at once buys exactly one handler run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { x402Client as OfficialAxiosClient, wrapAxiosWithPayment } from '@x402/axios';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import { decodePaymentRequiredHeader } from '@x402kit/core';
import { paymentPlugin } from '@x402kit/http/fastify';
import { officialFetch } from '@x402kit/testing/official';
import axios from 'axios';
import Fastify, { type FastifyInstance } from 'fastify';
import { privateKeyToAccount } from 'viem/accounts';
import {
  type AdapterStack,
  assertPays,
  assertReplayGrantsOnce,
  fetchAnswer,
  startAdapterStack,
  WEATHER,
} from './adapter-stack.js';

let stack: AdapterStack;
let app: FastifyInstance;
let url = '';
let weatherRuns = 0;
let brokenRuns = 0;

describe('our Fastify plugin, paid by the official clients on the devnet', () => {
  before(async () => {
    stack = await startAdapterStack();
    app = Fastify();
    const route = stack.weatherRoute();
    await app.register(paymentPlugin, {
      server: stack.resourceServer(),
      routes: { 'GET /weather': route, 'GET /broken': route },
    });
    app.get('/weather', async () => {
      weatherRuns++;
      return WEATHER;
    });
    app.get('/broken', async (_request, reply) => {
      brokenRuns++;
      return reply.code(500).send({ error: 'boom' });
    });
    app.get('/free', async () => ({ free: true }));
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app?.close();
    await stack?.close();
  });

  it('answers an unpaid request 402 with PAYMENT-REQUIRED and lets a free route through', async () => {
    const unpaid = await fetch(`${url}/weather`);
    assert.equal(unpaid.status, 402);
    const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
    assert.equal(required.accepts[0]?.amount, '1000');
    assert.equal(required.accepts[0]?.network, stack.devnet.network);
    const free = await fetch(`${url}/free`);
    assert.equal(free.status, 200);
    assert.deepEqual(await free.json(), { free: true });
    assert.equal(weatherRuns, 0, 'an unpaid request never runs the handler');
  });

  it('@x402/fetch pays it', async () => {
    await assertPays(stack, async () => fetchAnswer(await officialFetch(stack.payerKey)(`${url}/weather`)));
  });

  it('@x402/axios pays it', async () => {
    const client = new OfficialAxiosClient();
    registerExactEvmScheme(client as never, { signer: privateKeyToAccount(stack.payerKey) });
    const api = wrapAxiosWithPayment(axios.create(), client);
    await assertPays(stack, async () => {
      const res = await api.get(`${url}/weather`);
      return { status: res.status, body: res.data, paymentResponse: res.headers['payment-response'] };
    });
  });

  it('a handler that fails is answered as it is and not charged', async () => {
    const before = await stack.balances();
    const res = await officialFetch(stack.payerKey)(`${url}/broken`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { error: 'boom' });
    assert.equal(res.headers.get('payment-response'), null);
    assert.equal(brokenRuns, 1);
    assert.deepEqual(await stack.balances(), before);
  });

  it('one payment header replayed in sequence and at once runs the handler once', async () => {
    await assertReplayGrantsOnce(stack, `${url}/weather`, () => weatherRuns);
  });
});
