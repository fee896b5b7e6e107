/**
 * Our Fastify plugin with its facilitator's RPC cut after the settlement is sent: the buyer gets 202
 * `settlement_pending` with the hash that landed (never 402), the handler ran once; after the RPC
 * heals the same payment gets the handler's answer with that transaction without a second run, and
 * a copy is refused. Our paying fetch, left to retry, sends the same payment until it gets the
 * answer: one signature, one handler run, one transfer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpFacilitatorClient, createResourceServer } from '@x402kit/core';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { createExactEvmServer } from '@x402kit/evm';
import { paymentPlugin } from '@x402kit/http/fastify';
import { type CutRpcFacilitator, startCutRpcFacilitator } from '@x402kit/testing/cut-rpc-facilitator';
import {
  assertCutThenSameHeaderSettles,
  assertOurFetchWaitsOutPending,
  type CutPaidRoute,
} from '@x402kit/testing/rpc-cut-paid-route';
import Fastify, { type FastifyInstance } from 'fastify';
import { PRICE, WEATHER } from './adapter-stack.js';

let devnet: Devnet;
let facilitator: CutRpcFacilitator;
let app: FastifyInstance;
let url = '';
let runs = 0;

function route(): CutPaidRoute {
  return {
    devnet,
    facilitator,
    url: `${url}/weather`,
    runs: () => runs,
    checkBody: (text) => assert.deepEqual(JSON.parse(text), WEATHER),
  };
}

describe('our Fastify plugin, RPC cut after the settlement is sent: 202 pending with the hash, one run', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startCutRpcFacilitator(devnet, { instanceId: 'fastify-rpc-cut' });
    app = Fastify();
    await app.register(paymentPlugin, {
      server: createResourceServer({
        facilitators: createHttpFacilitatorClient({ url: facilitator.url }),
        schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
      }),
      routes: {
        'GET /weather': {
          accepts: {
            scheme: 'exact',
            network: devnet.network,
            payTo: devnet.accounts.payTo.address,
            price: '$0.001',
          },
        },
      },
      pendingRetryAfterSeconds: 1,
    });
    app.get('/weather', async () => {
      runs++;
      return WEATHER;
    });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('the buyer is told pending with the landed hash; the same payment after the heal gets the answer, no second run', async () => {
    await assertCutThenSameHeaderSettles(route(), PRICE);
  });

  it('our paying fetch re-sends the same payment while pending and ends with the answer', async () => {
    await assertOurFetchWaitsOutPending(route(), PRICE);
  });
});
