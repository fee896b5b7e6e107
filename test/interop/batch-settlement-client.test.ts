/**
 * Interop of OUR `batch-settlement` client (createBatchSettlementEvmClient + wrapFetchWithPayment) with the
 * OFFICIAL server (`@x402/express` + `@x402/evm/batch-settlement/server`) whose facilitator is the OFFICIAL
 * engine (`x402Facilitator` + `@x402/evm/batch-settlement/facilitator`) on the devnet: one deposit, ten
 * vouchers without a transaction, a client that lost its records continuing the channel through the
 * server's corrective 402, the official server's claim and sweep, and a cooperative refund; every token
 * balance checked to the unit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { x402Facilitator } from '@x402/core/facilitator';
import { BatchSettlementEvmScheme as OfficialBatchFacilitator } from '@x402/evm/batch-settlement/facilitator';
import { createX402Client } from '@x402kit/core';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import {
  type BatchSettlementEvmClient,
  createBatchSettlementEvmClient,
  createMemoryClientChannelStorage,
} from '@x402kit/evm/batch-settlement';
import { wrapFetchWithPayment } from '@x402kit/http';
import {
  batchBalances,
  type OfficialBatchServerRunning,
  officialClaimAndSettle,
  paidDeposit,
  paidSunny,
  serveOfficialBatchServer,
} from '@x402kit/testing/batch-settlement-servers';
import { officialFacilitatorSigner, type Running, serveOfficialFacilitator } from '@x402kit/testing/official';
import type { Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

const PRICE = 1000n; // $0.001 of the devnet's 6-decimal USDC
const DEPOSIT = 20n * PRICE;

let devnet: Devnet;
let facilitator: Running;
let server: OfficialBatchServerRunning;
let url: string;

const balances = () => batchBalances(devnet);

/** Our client over a fresh record store, and a paying fetch that counts what it sends. */
function ourClient(): { batch: BatchSettlementEvmClient; pay: typeof fetch; sent: () => number } {
  const batch = createBatchSettlementEvmClient({
    signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
    storage: createMemoryClientChannelStorage(),
    depositPolicy: { multiplier: 20 },
    rpcUrl: devnet.rpcUrl,
  });
  let count = 0;
  const counting = (input: RequestInfo | URL, init?: RequestInit) => {
    count++;
    return fetch(input, init);
  };
  const client = createX402Client({ schemes: [{ network: 'eip155:*', client: batch }] });
  return { batch, pay: wrapFetchWithPayment(counting, client) as typeof fetch, sent: () => count };
}

describe('our batch-settlement client -> official server + official facilitator engine (devnet)', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    const network = devnet.network as `${string}:${string}`;
    const { signer } = officialFacilitatorSigner({
      rpcUrl: devnet.rpcUrl,
      privateKey: devnet.accounts.facilitator.privateKey as Hex,
      pollingIntervalMs: 50,
    });
    const authorizer = privateKeyToAccount(generatePrivateKey());
    const engine = new x402Facilitator().register(
      network,
      new OfficialBatchFacilitator(signer, authorizer as never),
    );
    facilitator = await serveOfficialFacilitator(engine);
    server = await serveOfficialBatchServer(devnet, facilitator.url);
    url = `${server.url}/weather`;
  });
  after(async () => {
    await server?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('deposits once, pays ten vouchers without a transaction, continues after a cold start, is claimed, swept and refunded', async () => {
    const first = ourClient();
    const { deposited, start, afterDeposit } = await paidDeposit(devnet, first.pay, url);
    assert.equal(deposited, DEPOSIT);

    for (let i = 2; i <= 11; i++) {
      const voucher = await paidSunny(first.pay, url);
      assert.equal(voucher.transaction, '', 'a voucher moves no tokens');
      const state = (voucher.extra as { channelState: { chargedCumulativeAmount: string } }).channelState;
      assert.equal(state.chargedCumulativeAmount, (BigInt(i) * PRICE).toString());
    }
    assert.deepEqual(await balances(), afterDeposit, 'ten vouchers, no transfer');
    assert.equal(first.sent(), 22, 'each request: one 402, one paid retry');

    // a client that lost its records: the chain says 0 claimed, the server's corrective 402 proves 11 charges
    const cold = ourClient();
    const offer = decodeOffer(await fetch(url));
    assert.equal((await cold.batch.channelOf(offer)).record, undefined);
    const resumed = await paidSunny(cold.pay, url);
    assert.equal(cold.sent(), 3, 'the 402, the refused voucher, the corrected voucher');
    assert.equal(resumed.transaction, '');
    assert.equal(
      (await cold.batch.channelOf(offer)).record?.chargedCumulativeAmount,
      (12n * PRICE).toString(),
    );

    // the official server claims every voucher and sweeps them to payTo
    await officialClaimAndSettle(server, devnet.network);
    const swept = await balances();
    assert.equal(swept.payTo, start.payTo + 12n * PRICE);
    assert.equal(swept.escrow, start.escrow + DEPOSIT - 12n * PRICE);
    assert.equal(swept.payer, start.payer - DEPOSIT);

    // the unclaimed rest comes back to the payer
    const refund = await cold.batch.refund(url);
    assert.equal(refund.success, true);
    assert.equal(refund.amount, (DEPOSIT - 12n * PRICE).toString());
    const refunded = await balances();
    assert.equal(refunded.payer, start.payer - 12n * PRICE);
    assert.equal(refunded.escrow, start.escrow);
    assert.equal(refunded.payTo, start.payTo + 12n * PRICE);
  });
});

function decodeOffer(res: Response) {
  const header = res.headers.get('payment-required');
  assert.ok(header);
  const required = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  return required.accepts[0];
}
