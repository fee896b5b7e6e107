/**
 * The gateway (`createGateway` behind a real Node server) with its facilitator's RPC cut after the
 * settlement is sent: the buyer gets 202 `settlement_pending` with the hash that landed (never 402
 * or 502), the upstream was called once; after the RPC heals the same payment gets the upstream's
 * answer with that transaction and the upstream is not called again; a copy is refused. Our paying
 * fetch, left to retry, sends the same payment again until it gets the answer: one signature, one
 * upstream call, one transfer. Two instances behind one URL (no sticky sessions): the retry reaches
 * the instance that does not hold the answer; it is refused there naming the landed transaction
 * (never a second upstream call), and the paying client's budget keeps the payment spent. The same
 * cut through `x402kit gateway` run as a user runs it (a child process, a YAML config).
 */

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createBudget,
  createMemoryBudgetStore,
  createX402Client,
  decodePaymentResponseHeader,
  Reasons,
} from '@x402kit/core';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { createExactEvmClient, createExactEvmServer } from '@x402kit/evm';
import { type FetchLike, wrapFetchWithPayment } from '@x402kit/http';
import { createGateway, type Gateway } from '@x402kit/http/gateway';
import { listen, type Served } from '@x402kit/http/node';
import { type CutRpcFacilitator, startCutRpcFacilitator } from '@x402kit/testing/cut-rpc-facilitator';
import { devnetExactOffer } from '@x402kit/testing/devnet-offer';
import { closeServer, type Running } from '@x402kit/testing/listen';
import { startRoundRobinProxy } from '@x402kit/testing/round-robin-proxy';
import {
  assertCutThenSameHeaderSettles,
  assertPaidOnce,
  type CutPaidRoute,
  cutStart,
  itKeepsTheMoneyPromises,
} from '@x402kit/testing/rpc-cut-paid-route';
import { spawnCli } from '@x402kit/testing/spawn-cli';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

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
            accepts: devnetExactOffer(devnet),
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

  it('two instances behind one URL: the retry at the other instance is refused naming the transaction; one upstream call, the budget keeps it spent', async () => {
    const other = createGateway({
      config: gateway.config,
      schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
      payments: { pendingRetryAfterSeconds: 1 },
    });
    await other.ready();
    const otherServed = await listen(other.listener);
    // the 402 from one instance, the payment (pending, its answer held) at the other, the retry back
    const lb = await startRoundRobinProxy([served.url, otherServed.url]);
    try {
      const balanced = { ...route(), url: `${lb.url}/weather` };
      const start = await cutStart(balanced);
      const budget = createBudget({
        limits: [
          {
            amount: 10n * PRICE,
            asset: { network: devnet.network, asset: devnet.token.address },
            period: 'session',
          },
        ],
        store: createMemoryBudgetStore(),
      });
      const signer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
      const client = createX402Client({
        schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer }) }],
        budget,
      });
      const statuses: number[] = [];
      const observed: FetchLike = async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        if (res.status === 202) facilitator.proxy.heal();
        return res;
      };
      facilitator.cutAfterSend();
      let res: Response;
      try {
        res = await wrapFetchWithPayment(observed, client)(balanced.url);
      } finally {
        facilitator.proxy.heal();
      }
      assert.deepEqual(
        statuses,
        [402, 202, 402],
        'asked to pay, pending, then refused at the other instance',
      );
      const refusal = decodePaymentResponseHeader(res.headers.get('payment-response') ?? '');
      assert.equal(refusal.errorReason, Reasons.duplicateSettlement, JSON.stringify(refusal));
      const [transfer] = await facilitator.transfersSince(start.fromBlock);
      assert.equal(refusal.transaction, transfer?.transactionHash, 'the refusal names the landed transfer');
      await assertPaidOnce(balanced, start, refusal.transaction, PRICE);
      const [report] = await budget.report();
      assert.equal(
        report?.left,
        String(9n * PRICE),
        `the money moved: the budget keeps it (${JSON.stringify(report)})`,
      );
    } finally {
      await lb.close();
      await otherServed.close();
      other.close();
    }
  });

  it('x402kit gateway (the CLI, a child process): pending with the hash, the same payment after the heal gets the answer, one upstream call', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'x402kit-gateway-rpc-cut-'));
    const file = join(dir, 'gateway.yaml');
    await writeFile(
      file,
      [
        `upstream: ${upstream.url}`,
        `facilitator: ${facilitator.url}`,
        `network: ${devnet.network}`,
        `payTo: "${devnet.accounts.payTo.address}"`,
        'routes:',
        '  GET /weather:',
        '    price: $0.001',
        '',
      ].join('\n'),
    );
    const run = spawnCli(['gateway', '--config', file, '--port', '0']);
    try {
      const line = await run.waitForLine(/^Gateway listening on /, 60_000);
      const url = /^Gateway listening on (\S+)/.exec(line)?.[1] ?? '';
      await assertCutThenSameHeaderSettles({ ...route(), url: `${url}/weather` }, PRICE);
    } finally {
      run.child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
