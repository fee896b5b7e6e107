/**
 * Interop of `batch-settlement` deposits by Permit2 (`extra.assetTransferMethod: 'permit2'`: a witness
 * transfer to the Permit2 deposit collector, the witness binding the channel id) on the devnet, both ways:
 * the OFFICIAL client (`@x402/evm/batch-settlement/client` + `@x402/fetch`) paying OUR server (our Express
 * middleware + createBatchSettlementEvmServer) with OUR facilitator, claimed and swept by our scheduler; and
 * OUR client paying the OFFICIAL server (`@x402/express` + `@x402/evm/batch-settlement/server`) with OUR
 * facilitator, claimed and swept by the official channel manager. The payer approves Permit2 once first, as
 * a real payer must (before it, the official client's deposit is refused); each flow is one deposit, three vouchers without a transaction, one claim, a sweep and
 * a cooperative refund, with payer, escrow and receiver balances checked to the unit. Last, the OFFICIAL
 * facilitator engine verifies and settles OUR client's Permit2 deposit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { x402Client } from '@x402/core/client';
import { x402Facilitator } from '@x402/core/facilitator';
import { toClientEvmSigner } from '@x402/evm';
import { BatchSettlementEvmScheme as OfficialBatchClient } from '@x402/evm/batch-settlement/client';
import { BatchSettlementEvmScheme as OfficialBatchFacilitator } from '@x402/evm/batch-settlement/facilitator';
import { wrapFetchWithPayment as officialWrap } from '@x402/fetch';
import { createHttpFacilitatorClient, createX402Client, decodePaymentRequiredHeader } from '@x402kit/core';
import type { Devnet } from '@x402kit/devnet';
import {
  createBatchSettlementEvmClient,
  createBatchSettlementEvmServer,
  createMemoryChannelStore,
  createMemoryClientChannelStorage,
  PERMIT2_DEPOSIT_COLLECTOR_ADDRESS,
} from '@x402kit/evm/batch-settlement';
import { wrapFetchWithPayment } from '@x402kit/http';
import {
  batchBalances,
  claimOnce,
  devnetBatchRequirements,
  type OfficialBatchServerRunning,
  officialClaimAndSettle,
  paidDeposit,
  paidSunny,
  serveOfficialBatchServer,
  serveOurBatchServer,
} from '@x402kit/testing/batch-settlement-servers';
import type { Running } from '@x402kit/testing/listen';
import { officialFacilitatorSigner } from '@x402kit/testing/official';
import { hookDevnetWithOurFacilitator } from '@x402kit/testing/ours';
import { approvePermit2 } from '@x402kit/testing/replay';
import { createPublicClient, getAddress, type Hex, http, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

const PRICE = 1000n; // $0.001 of the devnet's 6-decimal USDC
const DEPOSIT = 20n * PRICE;
const PERMIT2 = { assetTransferMethod: 'permit2' };

let devnet: Devnet;
let facilitator: Running;

const balances = () => batchBalances(devnet);

/** The deposit of the first paid request: a mined transaction moving exactly `DEPOSIT` into the escrow. */
async function depositOnce(pay: typeof fetch, url: string) {
  const { deposited, start, afterDeposit } = await paidDeposit(devnet, pay, url);
  assert.equal(deposited, DEPOSIT);
  return { start, afterDeposit };
}

/** Three more paid requests: vouchers only, no token moves. */
async function threeVouchers(
  pay: typeof fetch,
  url: string,
  afterDeposit: Awaited<ReturnType<typeof balances>>,
) {
  for (let i = 2; i <= 4; i++) {
    const voucher = await paidSunny(pay, url);
    assert.equal(voucher.transaction, '', 'a voucher moves no tokens');
    assert.equal(voucher.extra.channelState.chargedCumulativeAmount, (BigInt(i) * PRICE).toString());
  }
  assert.deepEqual(await balances(), afterDeposit, 'three vouchers, no transfer');
}

/** After the claim of four prices: swept to payTo; then `refund` returns the other sixteen to the payer. */
async function sweptThenRefunded(
  start: Awaited<ReturnType<typeof balances>>,
  refund: () => Promise<{ success: boolean; amount?: string }>,
) {
  const swept = await balances();
  assert.equal(swept.payTo, start.payTo + 4n * PRICE);
  assert.equal(swept.escrow, start.escrow + DEPOSIT - 4n * PRICE);
  assert.equal(swept.payer, start.payer - DEPOSIT);
  const refunded = await refund();
  assert.equal(refunded.success, true, JSON.stringify(refunded));
  assert.equal(refunded.amount, (DEPOSIT - 4n * PRICE).toString());
  const final = await balances();
  assert.equal(final.payer, start.payer - 4n * PRICE);
  assert.equal(final.escrow, start.escrow);
  assert.equal(final.payTo, start.payTo + 4n * PRICE);
}

hookDevnetWithOurFacilitator((started) => ({ devnet, facilitator } = started));

describe('official batch-settlement client, Permit2 deposit -> our server + our facilitator (devnet)', () => {
  let server: Running;
  const scheme = createBatchSettlementEvmServer({ store: createMemoryChannelStore() });
  before(async () => {
    server = await serveOurBatchServer({ scheme, devnet, facilitatorUrl: facilitator.url, extra: PERMIT2 });
  });
  after(async () => {
    await server?.close();
  });

  /** The official client on channel `salt` of the devnet payer, depositing 20 prices. */
  function officialClient(salt: number) {
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const signer = toClientEvmSigner(privateKeyToAccount(devnet.accounts.payer.privateKey as Hex), chain);
    return new OfficialBatchClient(signer, {
      depositPolicy: { depositMultiplier: 20 },
      rpcUrl: devnet.rpcUrl,
      salt: toHex(salt, { size: 32 }),
    });
  }

  it('refuses the deposit of a payer who has not approved Permit2; the payer approves once', async () => {
    const x402 = new x402Client().register(devnet.network as `${string}:${string}`, officialClient(200));
    const start = await balances();
    const refused = await (officialWrap(fetch, x402) as typeof fetch)(`${server.url}/weather`);
    assert.equal(refused.status, 402);
    const required = decodePaymentRequiredHeader(refused.headers.get('payment-required') ?? '');
    assert.equal(required.error, 'invalid_batch_settlement_evm_permit2_allowance_required');
    assert.deepEqual(await balances(), start, 'nothing moved');
    await approvePermit2(devnet); // once, as a real Permit2 payer must
  });

  it('deposits by Permit2, pays three vouchers, is claimed and swept by our scheduler, and refunds the rest', async () => {
    const url = `${server.url}/weather`;
    const client = officialClient(201);
    const seen: Record<string, unknown>[] = [];
    const x402 = new x402Client()
      .register(devnet.network as `${string}:${string}`, client)
      .onAfterPaymentCreation(async ({ paymentPayload }) => {
        seen.push(paymentPayload.payload);
      });
    const pay = officialWrap(fetch, x402) as typeof fetch;

    const { start, afterDeposit } = await depositOnce(pay, url);
    const deposit = seen[0] as { type: string; deposit: { authorization: Record<string, unknown> } };
    assert.equal(deposit.type, 'deposit');
    const permit = deposit.deposit.authorization.permit2Authorization as { spender: string } | undefined;
    assert.ok(permit, `a Permit2 deposit: ${JSON.stringify(deposit.deposit.authorization)}`);
    assert.equal(getAddress(permit.spender), PERMIT2_DEPOSIT_COLLECTOR_ADDRESS);
    await threeVouchers(pay, url, afterDeposit);

    const run = await claimOnce({
      store: scheme.store,
      facilitator: createHttpFacilitatorClient({ url: facilitator.url }),
      network: devnet.network,
    });
    assert.deepEqual(run.batches, [1]);
    assert.equal(run.sweepTransactions.length, 1);
    await sweptThenRefunded(start, () => client.refund(url));
  });
});

describe('our batch-settlement client, Permit2 deposit -> official server + our facilitator (devnet)', () => {
  let server: OfficialBatchServerRunning;
  before(async () => {
    await approvePermit2(devnet); // idempotent: this payer may have approved already above
    server = await serveOfficialBatchServer(devnet, facilitator.url, '$0.001', PERMIT2);
  });
  after(async () => {
    await server?.close();
  });

  it('deposits by Permit2, pays three vouchers, is claimed and swept by the official server, and refunds the rest', async () => {
    const url = `${server.url}/weather`;
    const batch = createBatchSettlementEvmClient({
      signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
      storage: createMemoryClientChannelStorage(),
      depositPolicy: { multiplier: 20 },
      rpcUrl: devnet.rpcUrl,
      salt: toHex(202, { size: 32 }),
    });
    const seen: Record<string, unknown>[] = [];
    const client = createX402Client({
      schemes: [{ network: 'eip155:*', client: batch }],
      hooks: {
        afterPayment: (_offer, payment) => {
          seen.push(payment.payload);
        },
      },
    });
    const pay = wrapFetchWithPayment(fetch, client) as typeof fetch;

    const { start, afterDeposit } = await depositOnce(pay, url);
    const deposit = seen[0] as { deposit?: { authorization: Record<string, unknown> } } | undefined;
    assert.ok(deposit?.deposit?.authorization.permit2Authorization, JSON.stringify(deposit));
    await threeVouchers(pay, url, afterDeposit);

    await officialClaimAndSettle(server, devnet.network);
    await sweptThenRefunded(start, () => batch.refund(url));
  });
});

describe("our client's Permit2 deposit -> the official facilitator engine (devnet)", () => {
  it('verifies and settles it: the deposit reaches the escrow', async () => {
    const { signer } = officialFacilitatorSigner({
      rpcUrl: devnet.rpcUrl,
      privateKey: devnet.accounts.facilitator.privateKey as Hex,
      pollingIntervalMs: 20,
    });
    const authorizer = privateKeyToAccount(generatePrivateKey());
    const engine = new x402Facilitator().register(
      devnet.network as `${string}:${string}`,
      new OfficialBatchFacilitator(signer, authorizer as never),
    );
    const base = devnetBatchRequirements(devnet, authorizer.address);
    const requirements = { ...base, extra: { ...base.extra, ...PERMIT2 } };
    const batch = createBatchSettlementEvmClient({
      signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
      storage: createMemoryClientChannelStorage(),
      depositPolicy: { multiplier: 20 },
      salt: toHex(203, { size: 32 }),
    });
    const { payload } = await batch.createPaymentPayload(requirements, { x402Version: 2 });
    const payment = { x402Version: 2, accepted: requirements, payload };
    assert.ok('permit2Authorization' in (payload.deposit as { authorization: object }).authorization);
    const verdict = await engine.verify(payment as never, requirements as never);
    assert.equal(verdict.isValid, true, JSON.stringify(verdict));
    const { escrow } = await balances();
    const settled = await engine.settle(payment as never, requirements as never);
    assert.equal(settled.success, true, JSON.stringify(settled));
    assert.equal((await balances()).escrow, escrow + DEPOSIT);
  });
});
