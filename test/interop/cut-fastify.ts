/**
 * What the Fastify and axios RPC-cut tests share: a devnet, our facilitator deployment whose RPC is
 * cut on demand ({@link CutRpcFacilitator}), and our Fastify plugin charging `GET /weather` through
 * it (`Retry-After: 1` while a settlement is pending), counting the handler's runs.
 */
import assert from 'node:assert/strict';
import { createHttpFacilitatorClient, createResourceServer } from '@x402kit/core';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { createExactEvmServer } from '@x402kit/evm';
import { paymentPlugin } from '@x402kit/http/fastify';
import { type CutRpcFacilitator, startCutRpcFacilitator } from '@x402kit/testing/cut-rpc-facilitator';
import { devnetExactOffer } from '@x402kit/testing/devnet-offer';
import type { CutPaidRoute } from '@x402kit/testing/rpc-cut-paid-route';
import Fastify from 'fastify';
import { WEATHER } from './adapter-stack.js';

/** The running stack; `route` is `GET /weather` for the checks of `rpc-cut-paid-route`. */
export type CutFastify = {
  devnet: Devnet;
  facilitator: CutRpcFacilitator;
  url: string;
  route: CutPaidRoute;
  close(): Promise<void>;
};

/** Start the stack on 127.0.0.1 (`instanceId` names the facilitator's ledger). */
export async function startCutFastify(instanceId: string): Promise<CutFastify> {
  const devnet = await startDevnet({ port: 0 });
  const facilitator = await startCutRpcFacilitator(devnet, { instanceId });
  const app = Fastify();
  let runs = 0;
  await app.register(paymentPlugin, {
    server: createResourceServer({
      facilitators: createHttpFacilitatorClient({ url: facilitator.url }),
      schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
    }),
    routes: {
      'GET /weather': {
        accepts: devnetExactOffer(devnet),
      },
    },
    pendingRetryAfterSeconds: 1,
  });
  app.get('/weather', async () => {
    runs++;
    return WEATHER;
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    devnet,
    facilitator,
    url,
    route: {
      devnet,
      facilitator,
      url: `${url}/weather`,
      runs: () => runs,
      checkBody: (text) => assert.deepEqual(JSON.parse(text), WEATHER),
    },
    async close() {
      await app.close();
      await facilitator.close();
      await devnet.stop();
    },
  };
}
