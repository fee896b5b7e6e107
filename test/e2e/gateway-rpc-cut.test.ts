/**
 * The gateway (`createGateway` behind a real Node server) with its facilitator's RPC cut after the
 * settlement is sent: the buyer gets 202 `settlement_pending` with the hash that landed (never 402
 * or 502), the upstream was called once; after the RPC heals the same payment gets the upstream's
 * answer with that transaction and the upstream is not called again; a copy is refused. Our paying
 * fetch, left to retry, sends the same payment again until it gets the answer: one signature, one
 * upstream call, one transfer.
 */

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe } from 'node:test';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { createExactEvmServer } from '@x402kit/evm';
import { createGateway, type Gateway } from '@x402kit/http/gateway';
import { listen, type Served } from '@x402kit/http/node';
import { type CutRpcFacilitator, startCutRpcFacilitator } from '@x402kit/testing/cut-rpc-facilitator';
import { closeServer, type Running } from '@x402kit/testing/listen';
import { type CutPaidRoute, itKeepsTheMoneyPromises } from '@x402kit/testing/rpc-cut-paid-route';

const PRICE = 1000n;
let devnet: Devnet;
let facilitator: CutRpcFacilitator;
let upstream: Running & { calls: () => number };
let gateway: Gateway;
let served: Served;

/** The API behind the gateway: it knows nothing of x402 and counts its calls. */
async function startUpstream(): Promise<Running & { calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    calls++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ weather: 'sunny', call: calls, path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, calls: () => calls, close: () => closeServer(server) };
}

function route(): CutPaidRoute {
  return {
    devnet,
    facilitator,
    url: `${served.url}/weather`,
    runs: () => upstream.calls(),
    checkBody(text) {
      assert.equal(JSON.parse(text).weather, 'sunny', text);
    },
  };
}

describe('gateway, RPC cut after the settlement is sent: 202 pending with the hash, one upstream call', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startCutRpcFacilitator(devnet, { instanceId: 'gateway-rpc-cut' });
    upstream = await startUpstream();
    gateway = createGateway({
      config: {
        upstream: upstream.url,
        facilitator: { url: facilitator.url },
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
      },
      schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
      payments: { pendingRetryAfterSeconds: 1 },
    });
    await gateway.ready();
    served = await listen(gateway.listener);
  });
  after(async () => {
    await served?.close();
    gateway?.close();
    await upstream?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  itKeepsTheMoneyPromises(route, PRICE);
});
