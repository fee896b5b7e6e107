/**
 * Our axios interceptor on the devnet: it pays the official `@x402/express` and `@x402/hono`
 * middleware (with `@x402/evm`'s exact server scheme, our facilitator behind them) and our own
 * Fastify plugin; every payment settles for real (balances move by exactly the price) and the
 * decoded `PAYMENT-RESPONSE` is readable. A lifetime budget and an amount cap refuse before
 * signing (nothing moves), and a 402 that does not resolve (validateStatus accepting it) is paid too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getRequestListener } from '@hono/node-server';
import { HTTPFacilitatorClient, x402ResourceServer } from '@x402/core/server';
import { ExactEvmScheme } from '@x402/evm/exact/server';
import { paymentMiddleware as officialHonoMiddleware } from '@x402/hono';
import { createX402Client, maxAmountPolicy, type PaymentPolicy, X402Error } from '@x402kit/core';
import { createExactEvmClient } from '@x402kit/evm';
import { getAxiosPaymentResponse, withPaymentInterceptor } from '@x402kit/http/axios';
import { paymentPlugin } from '@x402kit/http/fastify';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import { startOfficialServer } from '@x402kit/testing/official';
import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { privateKeyToAccount } from 'viem/accounts';
import { type AdapterStack, assertPays, PRICE, startAdapterStack, WEATHER } from './adapter-stack.js';

let stack: AdapterStack;
const closers: Array<() => Promise<void>> = [];
let expressUrl = '';
let honoUrl = '';
let fastifyUrl = '';

/** Our axios, paying with the devnet payer. */
function ourAxios(
  options: { maxPayments?: number; policies?: PaymentPolicy[]; defaults?: CreateAxiosDefaults } = {},
): AxiosInstance {
  const client = createX402Client({
    schemes: [
      { network: 'eip155:*', client: createExactEvmClient({ signer: privateKeyToAccount(stack.payerKey) }) },
    ],
    policies: options.policies ?? [],
  });
  const maxPayments = options.maxPayments === undefined ? {} : { maxPayments: options.maxPayments };
  return withPaymentInterceptor(axios.create(options.defaults), client, maxPayments);
}

async function paidBy(api: AxiosInstance, url: string) {
  const res = await api.get(url);
  const settlement = getAxiosPaymentResponse(res);
  assert.equal(settlement?.success, true);
  assert.equal(settlement?.network, stack.devnet.network);
  return { status: res.status, body: res.data, paymentResponse: res.headers['payment-response'] };
}

/** The official `@x402/hono` middleware over the exact EVM scheme, on Node. */
async function startOfficialHono(): Promise<Running> {
  const network = stack.devnet.network as `${string}:${string}`;
  const resourceServer = new x402ResourceServer(
    new HTTPFacilitatorClient({ url: stack.facilitator.url }),
  ).register(network, new ExactEvmScheme());
  const app = new Hono();
  app.use(
    officialHonoMiddleware(
      {
        'GET /weather': {
          accepts: { scheme: 'exact', network, payTo: stack.devnet.accounts.payTo.address, price: '$0.001' },
          description: 'weather',
        },
      },
      resourceServer,
    ),
  );
  app.get('/weather', (c) => c.json(WEATHER));
  return listenLocal(getRequestListener(app.fetch));
}

describe('our axios interceptor on the devnet', () => {
  before(async () => {
    stack = await startAdapterStack();
    const express = await startOfficialServer({
      facilitatorUrl: stack.facilitator.url,
      payTo: stack.devnet.accounts.payTo.address,
      network: stack.devnet.network,
    });
    closers.push(express.close);
    expressUrl = express.url;
    const hono = await startOfficialHono();
    closers.push(hono.close);
    honoUrl = hono.url;
    const fastify = Fastify();
    await fastify.register(paymentPlugin, {
      server: stack.resourceServer(),
      routes: { 'GET /weather': stack.weatherRoute() },
    });
    fastify.get('/weather', async () => WEATHER);
    fastifyUrl = await fastify.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => fastify.close());
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await stack?.close();
  });

  it('pays the official @x402/express middleware', async () => {
    await assertPays(stack, () => paidBy(ourAxios(), `${expressUrl}/weather`));
  });

  it('pays the official @x402/hono middleware', async () => {
    await assertPays(stack, () => paidBy(ourAxios(), `${honoUrl}/weather`));
  });

  it('pays our Fastify plugin, also when validateStatus lets the 402 resolve', async () => {
    await assertPays(stack, () => paidBy(ourAxios(), `${fastifyUrl}/weather`));
    const resolving = ourAxios({ defaults: { validateStatus: () => true } });
    await assertPays(stack, () => paidBy(resolving, `${fastifyUrl}/weather`));
  });

  it('keeps to its budget: past maxPayments it refuses before signing', async () => {
    const api = ourAxios({ maxPayments: 1 });
    await assertPays(stack, () => paidBy(api, `${expressUrl}/weather`));
    const before = await stack.balances();
    await assert.rejects(api.get(`${expressUrl}/weather`), (error: unknown) => {
      assert.ok(error instanceof X402Error);
      assert.equal(error.reason, 'no_acceptable_payment_option');
      assert.match(error.message, /budget used up/);
      return true;
    });
    assert.deepEqual(await stack.balances(), before);
  });

  it('honours the client engine amount cap: a price above it is not paid', async () => {
    const api = ourAxios({ policies: [maxAmountPolicy('0.0005')] });
    const before = await stack.balances();
    await assert.rejects(api.get(`${honoUrl}/weather`), (error: unknown) => {
      assert.ok(error instanceof X402Error, String(error));
      assert.equal(error.reason, 'no_acceptable_payment_option');
      return true;
    });
    assert.deepEqual(await stack.balances(), before);
    assert.equal(PRICE, 1000n);
  });
});
