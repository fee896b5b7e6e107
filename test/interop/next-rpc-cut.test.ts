/**
 * Our Next.js `withX402` route handler in a real Next 16 app (examples/next-app under `next dev`)
 * whose facilitator's RPC is cut after the settlement is sent: the buyer gets 202
 * `settlement_pending` with the hash that landed (never 402), the handler ran once; after the RPC
 * heals the same payment gets the handler's answer with that transaction without a second run, and
 * a copy is refused. Our paying fetch, left to retry, sends the same payment until it gets the
 * answer: one signature, one handler run, one transfer. One Next app serves both.
 *
 * Next resolves the packages from their build (dist/): `npm run build` first (`npm test` does).
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { type CutRpcFacilitator, startCutRpcFacilitator } from '@x402kit/testing/cut-rpc-facilitator';
import { type CutPaidRoute, itKeepsTheMoneyPromises } from '@x402kit/testing/rpc-cut-paid-route';
import { PRICE, WEATHER } from './adapter-stack.js';
import { type NextDev, startNextDev } from './next-dev.js';

let devnet: Devnet;
let facilitator: CutRpcFacilitator;
let next: NextDev | undefined;

function route(): CutPaidRoute {
  if (!next) throw new Error('next dev is not running');
  const app = next;
  return {
    devnet,
    facilitator,
    url: `${app.url}/api/weather`,
    runs: () => app.handlerRuns('weather'),
    checkBody: (text) => assert.deepEqual(JSON.parse(text), WEATHER, app.output().slice(-2000)),
  };
}

describe('our Next.js withX402, RPC cut after the settlement is sent: 202 pending with the hash, one run', {
  timeout: 300_000,
}, () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startCutRpcFacilitator(devnet, { instanceId: 'next-rpc-cut' });
    next = await startNextDev({
      FACILITATOR_URL: facilitator.url,
      X402_NETWORK: devnet.network,
      PAY_TO: devnet.accounts.payTo.address,
      PRICE: '$0.001',
    });
    // the first request compiles the route: do it before the clock of a cut runs
    assert.equal((await fetch(`${next.url}/api/weather`)).status, 402, next.output());
  });
  after(async () => {
    await next?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  itKeepsTheMoneyPromises(route, PRICE);
});
