/**
 * Interop of OUR `batch-settlement` facilitator (our whole deployment over HTTP on 127.0.0.1: SQLite ledger,
 * reconciler) with the OFFICIAL client (`@x402/evm/batch-settlement/client` + `@x402/fetch`) and the OFFICIAL
 * server (`@x402/express` + `@x402/evm/batch-settlement/server`, delegating its receiver authorizer to ours
 * from `/supported`): one deposit, five paid vouchers, the official server's claim and sweep through our
 * facilitator, and the official client's refund; balances of payer, escrow and receiver to the unit. Then
 * the ledger's exactly-once (20 copies of one deposit) and the RPC cut after a deposit's, a claim's and a
 * refund's send: `settlement_pending` with the hash, and the reconciler completes each once the RPC heals.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { x402Client } from '@x402/core/client';
import { BatchSettlementEvmScheme as OfficialBatchClient } from '@x402/evm/batch-settlement/client';
import { wrapFetchWithPayment as officialWrap } from '@x402/fetch';
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { BATCH_SETTLEMENT_ADDRESS } from '@x402kit/evm/batch-settlement';
import {
  batchBalances,
  devnetBatchRequirements,
  type OfficialBatchServerRunning,
  officialClaimAndSettle,
  paidDeposit,
  paidSunny,
  serveOfficialBatchServer,
} from '@x402kit/testing/batch-settlement-servers';
import { type CutRpcFacilitator, startCutRpcFacilitator } from '@x402kit/testing/cut-rpc-facilitator';
import type { Running } from '@x402kit/testing/listen';
import { type Hex, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const PRICE = 1000n; // $0.001 of the devnet's 6-decimal USDC

let devnet: Devnet;
let facilitator: Running;
let server: OfficialBatchServerRunning;
let url: string;

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);
const balances = () => batchBalances(devnet);

before(async () => {
  devnet = await startDevnet({ port: 0 });
});
after(async () => {
  await devnet?.stop();
});

describe('official batch-settlement client + official server -> our facilitator over HTTP (devnet)', () => {
  before(async () => {
    const _network = devnet.network as `${string}:${string}`;
    // the whole deployment (SQLite ledger, reconciler), its RPC through a proxy that stays healthy here
    const deployment = await startCutRpcFacilitator(devnet, { instanceId: 'batch-settlement-interop' });
    facilitator = { url: deployment.url, close: () => deployment.close() };
    server = await serveOfficialBatchServer(devnet, facilitator.url);
    url = `${server.url}/weather`;
  });
  after(async () => {
    await server?.close();
    await facilitator?.close();
  });

  it('advertises batch-settlement with its receiver authorizer in /supported', async () => {
    const supported = await (await fetch(`${facilitator.url}/supported`)).json();
    assert.ok(
      supported.kinds.some(
        (k: { scheme: string; network: string; extra?: { receiverAuthorizer?: string } }) =>
          k.scheme === 'batch-settlement' &&
          k.network === devnet.network &&
          k.extra?.receiverAuthorizer === privateKeyToAccount(devnetAccount(5).privateKey).address,
      ),
      JSON.stringify(supported.kinds),
    );
  });

  it('deposits, pays five vouchers, is claimed and swept by the official server, and refunds the rest', async () => {
    const payer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
    const clientScheme = new OfficialBatchClient(payer as never, { rpcUrl: devnet.rpcUrl });
    const client = new x402Client().register(devnet.network as `${string}:${string}`, clientScheme);
    const pay = officialWrap(fetch, client) as typeof fetch;

    const { deposited, start, afterDeposit } = await paidDeposit(devnet, pay, url);
    assert.ok(deposited >= PRICE, `deposit ${deposited}`);

    for (let i = 2; i <= 6; i++) {
      const voucher = await paidSunny(pay, url);
      assert.equal(voucher.transaction, '', 'a voucher moves no tokens');
    }
    assert.deepEqual(await balances(), afterDeposit, 'five vouchers, no transfer');
    const charged = 6n * PRICE;
    assert.ok(deposited >= charged, `the deposit ${deposited} covers the six requests`);

    await officialClaimAndSettle(server, devnet.network);
    const swept = await balances();
    assert.equal(swept.payTo, start.payTo + charged);
    assert.equal(swept.escrow, start.escrow + deposited - charged);
    assert.equal(swept.payer, start.payer - deposited);

    const refund = await clientScheme.refund(url);
    assert.equal(refund.success, true, JSON.stringify(refund));
    assert.equal(refund.amount, (deposited - charged).toString());
    const refunded = await balances();
    assert.equal(refunded.payer, start.payer - charged);
    assert.equal(refunded.escrow, start.escrow);
    assert.equal(refunded.payTo, start.payTo + charged);
  });
});

describe('our facilitator deployment (ledger, reconciler): exactly-once deposits and a cut RPC', () => {
  let cut: CutRpcFacilitator;
  before(async () => {
    cut = await startCutRpcFacilitator(devnet, {
      instanceId: 'batch-settlement-rpc-cut',
    });
  });
  after(async () => {
    await cut?.close();
  });

  /** A deposit into a fresh channel signed by the official client, and a poster of it to our deployment. */
  async function officialDeposit(salt: number) {
    const authorizer = privateKeyToAccount(devnetAccount(5).privateKey).address;
    const payer = privateKeyToAccount(devnet.accounts.payer.privateKey as Hex);
    const requirements = devnetBatchRequirements(devnet, authorizer);
    const official = new OfficialBatchClient(payer as never, {
      rpcUrl: devnet.rpcUrl,
      salt: toHex(salt, { size: 32 }),
    });
    const created = await official.createPaymentPayload(2, requirements as never);
    const paymentPayload = { x402Version: 2, accepted: requirements, payload: created.payload };
    assert.equal(paymentPayload.payload.type, 'deposit');
    const deposited = BigInt(String((paymentPayload.payload.deposit as { amount: string }).amount));
    /** POST `payload` (default: the deposit) under these requirements to our deployment. */
    const post = (path: string, payload: Record<string, unknown> = paymentPayload.payload) =>
      fetch(`${cut.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          x402Version: 2,
          paymentPayload: { ...paymentPayload, payload },
          paymentRequirements: requirements,
        }),
      }).then((r) => r.json());
    return { deposited, post, deposit: paymentPayload.payload as Record<string, unknown> };
  }

  /** Cut the RPC after the next send, post, expect `settlement_pending`, heal, and wait for the reconciler. */
  async function pendingThenReconciled(send: () => Promise<{ errorReason?: string; transaction: string }>) {
    cut.cutAfterSend();
    const pending = await send();
    assert.equal(pending.errorReason, 'settlement_pending', JSON.stringify(pending));
    assert.match(pending.transaction, /^0x[0-9a-f]{64}$/);
    cut.proxy.heal();
    await cut.settled(pending.transaction);
    return pending.transaction;
  }

  it('settles 20 concurrent copies of one deposit once', async () => {
    const { deposited, post } = await officialDeposit(434343);
    const escrowBefore = await balance(BATCH_SETTLEMENT_ADDRESS);
    const answers = await Promise.all(Array.from({ length: 20 }, () => post('/settle')));
    const settled = answers.filter((a) => a.success);
    assert.equal(settled.length, 1, JSON.stringify(answers.map((a) => a.errorReason)));
    for (const refused of answers.filter((a) => !a.success))
      assert.ok(
        ['duplicate_settlement', 'settlement_pending'].includes(refused.errorReason),
        refused.errorReason,
      );
    assert.equal(await balance(BATCH_SETTLEMENT_ADDRESS), escrowBefore + deposited, 'moved once');
  });

  it('answers settlement_pending with the hash, and the reconciler completes it', async () => {
    const { deposited, post } = await officialDeposit(424242);
    const verdict = await post('/verify');
    assert.equal(verdict.isValid, true, JSON.stringify(verdict));
    const escrowBefore = await balance(BATCH_SETTLEMENT_ADDRESS);
    const transaction = await pendingThenReconciled(() => post('/settle'));
    assert.ok(
      cut.sendsCut() >= 1,
      'the send went through the cut (the same signed bytes may be re-sent once)',
    );
    assert.equal(await balance(BATCH_SETTLEMENT_ADDRESS), escrowBefore + deposited, 'moved once');
    const again = await post('/settle');
    // the same deposit again: the ledger answers with the first settlement's transaction, nothing moves
    assert.equal(again.errorReason, 'duplicate_settlement', JSON.stringify(again));
    assert.equal(again.transaction, transaction);
    assert.equal(await balance(BATCH_SETTLEMENT_ADDRESS), escrowBefore + deposited, 'still once');
  });

  it('finishes a cut claim and a cut refund of that channel through the reconciler', async () => {
    // the channel of the deposit above (salt 424242): its voucher of 1000 claimed, then the rest refunded
    const { deposited, post, deposit } = await officialDeposit(424242);
    const channel = deposit.channelConfig;
    const voucher = deposit.voucher as { maxClaimableAmount: string; signature: string };
    const claims = [
      {
        voucher: { channel, maxClaimableAmount: voucher.maxClaimableAmount },
        signature: voucher.signature,
        totalClaimed: voucher.maxClaimableAmount,
      },
    ];
    const escrowBefore = await balance(BATCH_SETTLEMENT_ADDRESS);
    await pendingThenReconciled(() => post('/settle', { type: 'claim', claims }));
    const payerBefore = await balance(devnet.accounts.payer.address);
    const refund = {
      type: 'refund',
      channelConfig: channel,
      voucher: deposit.voucher,
      refundNonce: '0',
      claims: [],
    };
    await pendingThenReconciled(() => post('/settle', refund));
    const rest = deposited - BigInt(voucher.maxClaimableAmount);
    assert.equal(await balance(devnet.accounts.payer.address), payerBefore + rest, 'the rest came back once');
    assert.equal(await balance(BATCH_SETTLEMENT_ADDRESS), escrowBefore - rest);
  });
});
