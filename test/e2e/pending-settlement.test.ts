/**
 * "Pending never gets a fresh 402", proven on a real chain: anvil stops mining, our facilitator
 * service (ledger, reconciler, a 200 ms receipt timeout) sends the settlement but sees no receipt
 * and answers `settlement_pending`; our Express server answers 202 with the hash (no 402); our
 * paying fetch waits `Retry-After` and re-sends the SAME payment; meanwhile a block is mined, so the
 * ledger finds the receipt and the retry gets 200 with the settled receipt. One transfer on chain.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createX402Client, decodePaymentResponseHeader, Reasons } from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmClient } from '@x402kit/evm';
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
import { type FetchLike, getPaymentResponse, wrapFetchWithPayment } from '@x402kit/http';
import type { Running } from '@x402kit/testing/listen';
import { startOurPaidApi } from '@x402kit/testing/ours';
import { createPublicClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

let devnet: Devnet;
let ledger: PaymentLedger;
let facilitator: EvmFacilitator;
let facilitatorServer: FacilitatorServer;
let api: Running | undefined;
let apiUrl = '';

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

describe('settlement pending on a real chain: 202, then the same payment settles', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    const network = devnet.network;
    ledger = await createSqliteLedger({ path: ':memory:' });
    facilitator = createEvmFacilitator({
      rpc: { [network]: devnet.rpcUrl },
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
      exact: { receiptTimeoutMs: 200 },
      hooks: createLedgerHooks({
        ledger,
        identify: identifyExactEvm,
        instanceId: 'pending-e2e',
        reconcile: createExactEvmReconciler({ rpc: { [network]: devnet.rpcUrl } }),
      }),
    });
    facilitatorServer = await startFacilitatorServer({
      service: createFacilitatorService({ facilitator }),
      port: 0,
    });
    api = await startOurPaidApi({
      facilitatorUrl: facilitatorServer.url,
      routes: {
        'GET /weather': {
          accepts: { scheme: 'exact', network, payTo: devnet.accounts.payTo.address, price: '$0.001' },
        },
      },
      options: { pendingRetryAfterSeconds: 1 },
      serve(app) {
        app.get('/weather', (_req, res) => {
          res.json({ report: { weather: 'sunny' } });
        });
      },
    });
    apiUrl = api.url;
  });
  after(async () => {
    await api?.close();
    await facilitatorServer?.close();
    facilitator?.close();
    await ledger?.close();
    await devnet?.stop();
  });

  it('answers 202 (never 402) while pending; the retry with the same payload gets 200 and one transfer', async () => {
    const payer = devnet.accounts.payer.address;
    const payTo = devnet.accounts.payTo.address;
    const before = [
      await readTokenBalance(devnet.rpcUrl, devnet.token.address, payer),
      await readTokenBalance(devnet.rpcUrl, devnet.token.address, payTo),
    ];
    const seen: Array<{ status: number; signature: string | null; pendingTx?: string; required: boolean }> =
      [];
    const observed: FetchLike = async (input, init) => {
      const request = new Request(input, init);
      const signature = request.headers.get('payment-signature');
      // the next block will not come by itself: the settlement's receipt cannot arrive in time
      if (signature) await rpc('evm_setAutomine', [false]);
      const res = await fetch(request);
      const pending = res.status === 202 ? getPaymentResponse(res) : undefined;
      seen.push({
        status: res.status,
        signature,
        required: res.headers.has('payment-required') && signature !== null,
        ...(pending ? { pendingTx: pending.transaction } : {}),
      });
      if (res.status === 202) await rpc('evm_mine'); // the block lands while the client waits
      return res;
    };
    const client = createX402Client({
      schemes: [
        {
          network: 'eip155:*',
          client: createExactEvmClient({
            signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
          }),
        },
      ],
    });
    const pay = wrapFetchWithPayment(observed, client);
    const res = await pay(`${apiUrl}/weather`);
    await rpc('evm_setAutomine', [true]);

    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { report: { weather: 'sunny' } });
    assert.deepEqual(
      seen.map((s) => s.status),
      [402, 202, 200],
    );
    assert.equal(
      seen.some((s) => s.required),
      false,
      'no PAYMENT-REQUIRED after paying',
    );
    assert.equal(seen[1]?.signature, seen[2]?.signature, 'the retry carries the same payment');
    const receipt = decodePaymentResponseHeader(res.headers.get('payment-response') ?? '');
    assert.equal(receipt.success, true);
    assert.equal(receipt.transaction, seen[1]?.pendingTx, 'the pending hash is the settled one');
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    assert.equal((await chain.getTransactionReceipt({ hash: receipt.transaction as Hex })).status, 'success');
    assert.equal(
      await readTokenBalance(devnet.rpcUrl, devnet.token.address, payer),
      (before[0] ?? 0n) - 1000n,
    );
    assert.equal(
      await readTokenBalance(devnet.rpcUrl, devnet.token.address, payTo),
      (before[1] ?? 0n) + 1000n,
    );
    const stored = await ledger.findByTransaction(receipt.transaction);
    assert.equal(stored?.state, 'settled');
    assert.notEqual(receipt.errorReason, Reasons.settlementPending);
  });
});
