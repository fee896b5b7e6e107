/**
 * `exact_permit` end to end on a BSC-testnet devnet (chain 97, PaymentPermit at its BSC address,
 * USDT at BSC-testnet's): our paying fetch -> our Express middleware -> our facilitator service
 * (flat fee per token) -> PaymentPermit. Bad input ends in its reason code, never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createX402Client,
  decodePaymentRequiredHeader,
  encodePaymentSignatureHeader,
  type PaymentPayload,
  type PaymentRequired,
} from '@x402kit/core';
import {
  createDevnetClient,
  devnetAccount,
  type MultiDevnet,
  readTokenBalance,
  startDevnets,
} from '@x402kit/devnet';
import {
  createExactPermitEvmClient,
  createExactPermitEvmFacilitator,
  createPaymentPermitContext,
  ExactPermitReasons,
  type PaymentPermitWire,
  readPaymentPermitContext,
  signExactPermit,
} from '@x402kit/evm';
import { getPaymentResponse, wrapFetchWithPayment } from '@x402kit/http';
import {
  approvePaymentPermit,
  type ExactPermitStack,
  startOurExactPermitStack,
  BSC_TESTNET_USDT as USDT,
} from '@x402kit/testing/exact-permit-evm';
import { getAddress, type Hex, isHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const FEE_TO = getAddress('0x000000000000000000000000000000000000fee1');
const FEE = 100n;
const PRICE = 10n ** 16n; // $0.01 of an 18-decimal USDT

let devnet: MultiDevnet;
let rpcUrl: string;
let stack: ExactPermitStack;
let facilitatorUrl: string;
let serverUrl: string;

const asHash = (hash: string): Hex => (isHex(hash) ? hash : assert.fail(`not a hash: ${hash}`));

const balance = (address: string) => readTokenBalance(rpcUrl, USDT, getAddress(address));

async function offer(): Promise<PaymentRequired> {
  const res = await fetch(`${serverUrl}/weather`);
  assert.equal(res.status, 402);
  const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  if (pr.x402Version !== 2) throw new Error('expected x402 v2');
  return pr;
}

async function signed(
  pr: PaymentRequired,
  opts: { key?: Hex; edit?: (p: PaymentPermitWire) => PaymentPermitWire } = {},
): Promise<PaymentPayload> {
  const accepted = pr.accepts[0];
  if (!accepted) throw new Error('no offer');
  const signer = privateKeyToAccount(opts.key ?? (devnet.accounts.payer.privateKey as Hex));
  const payload = await signExactPermit(
    signer,
    accepted,
    pr.extensions,
    opts.edit ? { editPermit: opts.edit } : {},
  );
  return {
    x402Version: 2,
    resource: pr.resource,
    accepted,
    payload: { signature: payload.signature, paymentPermit: payload.paymentPermit },
  };
}

async function expectRefused(payload: PaymentPayload, reason: string): Promise<void> {
  const res = await fetch(`${serverUrl}/weather`, {
    headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(payload) },
  });
  assert.equal(res.status, 402, `expected 402, got ${res.status}: ${await res.clone().text()}`);
  assert.equal(decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '').error, reason);
}

describe('exact_permit end to end on BSC testnet (devnet chain 97)', () => {
  before(async () => {
    devnet = await startDevnets({ chains: [{ chainId: 97 }], extraPayers: 1 });
    rpcUrl = devnet.getChain(97).rpcUrl;
    stack = await startOurExactPermitStack(devnet, { feeTo: FEE_TO, fee: FEE });
    ({ facilitatorUrl, serverUrl } = stack);
  });

  after(async () => {
    await stack?.close();
    await devnet?.stop();
  });

  it('advertises the fee in /supported and answers /fee/quote like BofAI', async () => {
    const supported = (await (await fetch(`${facilitatorUrl}/supported`)).json()) as {
      kinds: Array<{ scheme: string; network: string; extra?: Record<string, unknown> }>;
    };
    const kind = supported.kinds.find((k) => k.scheme === 'exact_permit');
    assert.equal(kind?.network, 'eip155:97');
    assert.deepEqual(kind?.extra, {
      caller: devnet.accounts.facilitator.address,
      feeTo: FEE_TO,
      pricing: 'flat',
      fees: { [USDT.toLowerCase()]: { feeTo: FEE_TO, feeAmount: '100' } },
    });
    const pr = await offer();
    const quote = await fetch(`${facilitatorUrl}/fee/quote`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        accepts: pr.accepts,
        paymentPermitContext: pr.extensions?.paymentPermitContext,
      }),
    });
    const quotes = (await quote.json()) as Array<Record<string, unknown>>;
    assert.equal(quotes.length, 1);
    assert.deepEqual(quotes[0]?.fee, {
      feeTo: FEE_TO,
      feeAmount: '100',
      caller: devnet.accounts.facilitator.address,
    });
    assert.equal(quotes[0]?.pricing, 'flat');
  });

  it('offers USDT with extra.fee and a fresh paymentPermitContext', async () => {
    const pr = await offer();
    assert.deepEqual(pr.accepts[0], {
      scheme: 'exact_permit',
      network: 'eip155:97',
      amount: PRICE.toString(),
      asset: USDT,
      payTo: devnet.accounts.payTo.address,
      maxTimeoutSeconds: 300,
      extra: {
        name: 'Tether USD',
        version: '1',
        fee: { feeTo: FEE_TO, feeAmount: '100', caller: devnet.accounts.facilitator.address },
      },
    });
    const { meta } = readPaymentPermitContext(pr.extensions);
    assert.equal(meta.kind, 'PAYMENT_ONLY');
    assert.notDeepEqual((await offer()).extensions, pr.extensions);
  });

  it('refuses a payer that has not approved PaymentPermit', async () => {
    const extra = devnetAccount(4);
    const pr = await offer();
    await expectRefused(
      await signed(pr, { key: extra.privateKey as Hex }),
      ExactPermitReasons.insufficientAllowance,
    );
  });

  it('pays: payee gets the amount, feeTo the fee', async () => {
    const key = devnet.accounts.payer.privateKey as Hex;
    // room for several payments (the replay test pays again)
    await approvePaymentPermit(
      devnet,
      key,
      (await offer()).accepts[0] ?? assert.fail('no offer'),
      10n ** 20n,
    );
    const payer = devnet.accounts.payer.address;
    const payTo = devnet.accounts.payTo.address;
    const [p0, t0, f0] = [await balance(payer), await balance(payTo), await balance(FEE_TO)];
    const client = createX402Client({
      schemes: [
        { network: 'eip155:*', client: createExactPermitEvmClient({ signer: privateKeyToAccount(key) }) },
      ],
    });
    const res = await wrapFetchWithPayment(fetch, client)(`${serverUrl}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { weather: 'sunny' });
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success);
    assert.match(receipt.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(await balance(payer), p0 - PRICE - FEE);
    assert.equal(await balance(payTo), t0 + PRICE);
    assert.equal(await balance(FEE_TO), f0 + FEE);
  });

  it('refuses a replayed nonce', async () => {
    const pr = await offer();
    const payload = await signed(pr);
    const header = encodePaymentSignatureHeader(payload);
    const first = await fetch(`${serverUrl}/weather`, { headers: { 'PAYMENT-SIGNATURE': header } });
    assert.equal(first.status, 200, await first.clone().text());
    // the server refuses a copy of a payment it granted itself; the facilitator's own check is the chain's nonce
    await expectRefused(payload, 'duplicate_settlement');
    const verdict = await fetch(`${facilitatorUrl}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        x402Version: 2,
        paymentPayload: payload,
        paymentRequirements: payload.accepted,
      }),
    });
    const answer = (await verdict.json()) as { isValid: boolean; invalidReason?: string };
    assert.equal(answer.isValid, false);
    assert.equal(answer.invalidReason, ExactPermitReasons.nonceAlreadyUsed);
  });

  // the resource server refuses these itself (SchemeServer.checkPayment), before the facilitator
  it('refuses a permit whose context this server did not issue, moving nothing', async () => {
    const pr = await offer();
    const payer = devnet.accounts.payer.address;
    const before = await balance(payer);
    const own = { ...pr, extensions: { paymentPermitContext: createPaymentPermitContext() } };
    await expectRefused(await signed(own), ExactPermitReasons.contextNotIssued);
    assert.equal(await balance(payer), before);
  });

  it('refuses a second permit on a context another permit used', async () => {
    const pr = await offer();
    const first = await fetch(`${serverUrl}/weather`, {
      headers: { 'PAYMENT-SIGNATURE': encodePaymentSignatureHeader(await signed(pr)) },
    });
    assert.equal(first.status, 200, await first.clone().text());
    const second = await signed(pr, { edit: (p) => ({ ...p, fee: { ...p.fee, feeAmount: '101' } }) });
    await expectRefused(second, ExactPermitReasons.contextUsed);
  });

  it('refuses a caller that is not the facilitator', async () => {
    await expectRefused(
      await signed(await offer(), { edit: (p) => ({ ...p, caller: devnet.accounts.payer.address }) }),
      ExactPermitReasons.callerMismatch,
    );
  });

  it('refuses a fee below the quote', async () => {
    await expectRefused(
      await signed(await offer(), { edit: (p) => ({ ...p, fee: { ...p.fee, feeAmount: '99' } }) }),
      ExactPermitReasons.feeAmountMismatch,
    );
  });

  it('refuses an expired permit', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(
      await signed(await offer(), { edit: (p) => ({ ...p, meta: { ...p.meta, validBefore: now - 10 } }) }),
      ExactPermitReasons.expired,
    );
  });

  it('refuses an amount other than the price', async () => {
    await expectRefused(
      await signed(await offer(), {
        edit: (p) => ({ ...p, payment: { ...p.payment, payAmount: (PRICE + 1n).toString() } }),
      }),
      ExactPermitReasons.amountMismatch,
    );
  });

  it('refuses a signature by another key', async () => {
    await expectRefused(
      await signed(await offer(), {
        key: devnetAccount(9).privateKey as Hex,
        edit: (p) => ({ ...p, buyer: devnet.accounts.payer.address }),
      }),
      ExactPermitReasons.signature,
    );
  });

  it('answers settlement_pending with the hash when the receipt is late, then it lands', async () => {
    const slow = createExactPermitEvmFacilitator({
      networks: { 'eip155:97': { rpcUrl } },
      signers: [devnet.accounts.facilitator.privateKey as Hex],
      fees: { 'eip155:97': { [USDT]: { feeTo: FEE_TO, amount: FEE.toString() } } },
      receiptTimeoutMs: 100,
    });
    const anvil = createDevnetClient(devnet.getChain(97).chain);
    const pr = await offer();
    const payload = await signed(pr);
    const accepted = pr.accepts[0] ?? assert.fail('no offer');
    await anvil.setAutomine(false);
    let hash = '';
    try {
      const result = await slow.settle(payload, accepted, { x402Version: 2 });
      assert.equal(result.success, false);
      assert.equal(result.errorReason, 'settlement_pending');
      assert.match(result.transaction, /^0x[0-9a-f]{64}$/);
      hash = result.transaction;
    } finally {
      await anvil.setAutomine(true);
      await anvil.mine({ blocks: 1 });
      slow.close();
    }
    const landed = await anvil.getTransactionReceipt({ hash: asHash(hash) });
    assert.equal(landed.status, 'success');
  });
});
