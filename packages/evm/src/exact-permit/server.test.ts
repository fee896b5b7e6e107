import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentPayload, PaymentRequirements, SchemeServer } from '@x402kit/core';
import {
  contextWindowSeconds,
  createMemoryPaymentPermitContextStore,
  createPaymentPermitContext,
  createPaymentPermitContextIssuer,
  type PaymentPermitContextStore,
  paymentPermitContextKey,
  ExactPermitReasons as R,
  readExactPermitPayload,
  readPaymentPermitContext,
} from '@x402kit/payment-permit';
import { bscExactPermitRequirements, exactPermitFeeKind } from '@x402kit/testing/exact-permit-requirements';
import { privateKeyToAccount } from 'viem/accounts';
import { type SignExactPermitOptions, signExactPermit } from './client.js';
import { createExactPermitEvmServer } from './server.js';

const USDT = '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd';
const FACILITATOR = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const base = bscExactPermitRequirements({ name: 'Tether USD', version: '1' });

describe('createExactPermitEvmServer', () => {
  const server = createExactPermitEvmServer();

  it('prices in BSC USDT (18 decimals) with BofAI extra name/version', async () => {
    assert.deepEqual(await server.parsePrice('$0.01', 'eip155:97'), {
      amount: 10n ** 16n,
      asset: USDT,
      extra: { name: 'Tether USD', version: '1' },
    });
    const usdc = await server.parsePrice('0.5 USDC', 'eip155:56');
    assert.equal(usdc.amount, 5n * 10n ** 17n);
    assert.equal(usdc.asset, '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d');
    assert.deepEqual(usdc.extra, { name: 'USD Coin', version: '1' });
  });

  it('refuses a network without PaymentPermit', () => {
    assert.throws(() => server.parsePrice('$0.01', 'eip155:84532'), /no PaymentPermit/);
  });

  it('puts the fee from /supported in extra.fee, deterministically', () => {
    const supportedKind = exactPermitFeeKind('eip155:97', FACILITATOR, USDT.toLowerCase(), '100');
    const ctx = { supportedKind, facilitatorExtensions: [] };
    const a = server.enhanceRequirements?.(base, ctx);
    assert.deepEqual(a?.extra, {
      name: 'Tether USD',
      version: '1',
      fee: { feeTo: FACILITATOR, feeAmount: '100', caller: FACILITATOR },
    });
    assert.deepEqual(server.enhanceRequirements?.(base, ctx), a);
  });

  it('prefers a configured fee quote', () => {
    const configured = createExactPermitEvmServer({
      fee: () => ({ feeTo: FACILITATOR, feeAmount: '7', caller: FACILITATOR }),
    });
    const out = configured.enhanceRequirements?.(base, { facilitatorExtensions: [] });
    assert.deepEqual(out?.extra?.fee, { feeTo: FACILITATOR, feeAmount: '7', caller: FACILITATOR });
  });

  it('emits a fresh paymentPermitContext per 402', () => {
    const resource = { url: 'http://x/y' };
    const one = server.paymentRequiredExtensions?.([base], { resource });
    const two = server.paymentRequiredExtensions?.([base], { resource });
    const { meta } = readPaymentPermitContext(one);
    assert.equal(meta.kind, 'PAYMENT_ONLY');
    assert.match(String(meta.paymentId), /^0x[0-9a-f]{32}$/);
    assert.match(String(meta.nonce), /^\d+$/);
    assert.equal(typeof meta.validAfter, 'number');
    assert.equal(Number(meta.validBefore) - Number(meta.validAfter), 330); // maxTimeoutSeconds + 30 s skew before now
    assert.notDeepEqual(one, two);
  });
});

describe('createExactPermitEvmServer: checkPayment binds a permit to a context this server issued', () => {
  const buyer = privateKeyToAccount('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
  const other = privateKeyToAccount('0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6');
  const resource = { resource: { url: 'http://x/weather' } };
  const offer: PaymentRequirements = {
    ...base,
    extra: { ...base.extra, fee: { feeTo: FACILITATOR, feeAmount: '100', caller: FACILITATOR } },
  };
  const otherOffer: PaymentRequirements = { ...offer, amount: '20000000000000000' };

  async function pay(
    extensions: Record<string, unknown> | undefined,
    options: {
      signer?: typeof buyer;
      requirements?: PaymentRequirements;
      edit?: SignExactPermitOptions['editPermit'];
    } = {},
  ): Promise<PaymentPayload> {
    const accepted = options.requirements ?? offer;
    const signed = await signExactPermit(
      options.signer ?? buyer,
      accepted,
      extensions,
      options.edit ? { editPermit: options.edit } : {},
    );
    return { x402Version: 2, accepted, payload: { ...signed } };
  }
  const check = (server: SchemeServer, payload: PaymentPayload, requirements = offer) =>
    server.checkPayment?.(payload, requirements).then((r) => r?.reason ?? 'ok');

  it('passes a permit of an issued context, and the same permit again (a retry the ledger answers)', async () => {
    const server = createExactPermitEvmServer();
    const payment = await pay(server.paymentRequiredExtensions?.([offer], resource));
    assert.equal(await check(server, payment), 'ok');
    assert.equal(await check(server, payment), 'ok');
  });

  it('refuses a made-up nonce or payment id, and a context of another server', async () => {
    const server = createExactPermitEvmServer();
    const issued = readPaymentPermitContext(server.paymentRequiredExtensions?.([offer], resource));
    const madeUp = (meta: Partial<typeof issued.meta>) => ({
      paymentPermitContext: { meta: { ...issued.meta, ...meta } },
    });
    assert.equal(await check(server, await pay(madeUp({ nonce: '12345' }))), R.contextNotIssued);
    assert.equal(
      await check(server, await pay(madeUp({ paymentId: `0x${'ab'.repeat(16)}` }))),
      R.contextNotIssued,
    );
    const own = createPaymentPermitContext();
    assert.equal(await check(server, await pay({ paymentPermitContext: own })), R.contextNotIssued);
    const elsewhere = createExactPermitEvmServer().paymentRequiredExtensions?.([offer], resource);
    const refused = await server.checkPayment?.(await pay(elsewhere), offer);
    assert.equal(refused?.reason, R.contextNotIssued);
    assert.match(refused?.message ?? '', /not a paymentPermitContext this server issued/);
  });

  it('refuses a context issued for another offer', async () => {
    const server = createExactPermitEvmServer();
    const forOther = server.paymentRequiredExtensions?.([otherOffer], resource);
    assert.equal(await check(server, await pay(forOther)), R.contextOfferMismatch);
    // the same 402 may offer both: then either may be paid with it
    const both = server.paymentRequiredExtensions?.([offer, otherOffer], resource);
    assert.equal(await check(server, await pay(both, { requirements: otherOffer }), otherOffer), 'ok');
  });

  it('refuses a second permit on a used context, whoever signs it', async () => {
    const server = createExactPermitEvmServer();
    const extensions = server.paymentRequiredExtensions?.([offer], resource);
    assert.equal(await check(server, await pay(extensions)), 'ok');
    assert.equal(await check(server, await pay(extensions, { signer: other })), R.contextUsed);
    const refused = await server.checkPayment?.(
      await pay(extensions, { edit: (w) => ({ ...w, fee: { ...w.fee, feeAmount: '101' } }) }),
      offer,
    );
    assert.equal(refused?.reason, R.contextUsed);
    assert.match(refused?.message ?? '', /already used by another permit/);
  });

  it('of two permits racing on one context, exactly one passes', async () => {
    const server = createExactPermitEvmServer();
    const extensions = server.paymentRequiredExtensions?.([offer], resource);
    const [a, b] = await Promise.all([pay(extensions), pay(extensions, { signer: other })]);
    const answers = await Promise.all([check(server, a), check(server, b)]);
    assert.deepEqual(answers.sort(), ['ok', R.contextUsed].sort());
  });

  it('refuses a permit whose window or kind differs from the issued context', async () => {
    const server = createExactPermitEvmServer();
    const extensions = server.paymentRequiredExtensions?.([offer], resource);
    const later = await pay(extensions, {
      edit: (w) => ({ ...w, meta: { ...w.meta, validBefore: Number(w.meta.validBefore) + 60 } }),
    });
    assert.equal(await check(server, later), R.contextMismatch);
    const earlier = await pay(extensions, {
      edit: (w) => ({ ...w, meta: { ...w.meta, validAfter: Number(w.meta.validAfter) - 600 } }),
    });
    assert.equal(await check(server, earlier), R.contextMismatch);
    // refusals do not use the context up: the honest permit still passes
    assert.equal(await check(server, await pay(extensions)), 'ok');
  });

  it('forgets contexts once their window closes; an expired permit is left to the facilitator', async () => {
    let now = 1_800_000_000;
    const store = createMemoryPaymentPermitContextStore();
    const issuer = createPaymentPermitContextIssuer({ store, now: () => now });
    const context = issuer.issue([offer]);
    const payment = await pay({ paymentPermitContext: context });
    const read = readExactPermitPayload(payment.payload);
    assert.ok(read.ok);
    now += 300 + 30;
    assert.equal(await issuer.check(read.permit, read.signature, offer), undefined);
    now += 1;
    // forgotten, but the permit expired too: only the facilitator's "expired" can be said of it
    assert.equal(
      await store.find(paymentPermitContextKey(context.meta.paymentId, context.meta.nonce), now),
      undefined,
    );
    assert.equal(await issuer.check(read.permit, read.signature, offer), undefined);
  });

  it('sizes the window by the offers: their smallest maxTimeoutSeconds, at most validForSeconds', () => {
    const server = createExactPermitEvmServer({ context: { validForSeconds: 120 } });
    const window = (offered: PaymentRequirements[]) => {
      const { meta } = readPaymentPermitContext(server.paymentRequiredExtensions?.(offered, resource));
      return meta.validBefore - meta.validAfter - 30;
    };
    assert.equal(window([offer]), 120);
    assert.equal(window([{ ...offer, maxTimeoutSeconds: 60 }, offer]), 60);
    assert.equal(contextWindowSeconds([{ maxTimeoutSeconds: 3600 }]), 3600);
    assert.equal(contextWindowSeconds([]), 300);
  });

  it('several server processes share one asynchronous store', async () => {
    const memory = createMemoryPaymentPermitContextStore();
    const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 5));
    const shared: PaymentPermitContextStore = {
      // the write lands before the client has signed; reads answer later than the paid retry asks
      issue: (c) => Promise.resolve().then(() => memory.issue(c)),
      find: async (key, now) => later(await memory.find(key, now)),
      claim: async (key, fingerprint, now) => later(await memory.claim(key, fingerprint, now)),
    };
    const one = createExactPermitEvmServer({ contextStore: shared });
    const two = createExactPermitEvmServer({ contextStore: shared });
    const extensions = one.paymentRequiredExtensions?.([offer], resource);
    const payment = await pay(extensions);
    // the paid retry reaches the other process
    assert.equal(await check(two, payment), 'ok');
    assert.equal(await check(one, await pay(extensions, { signer: other })), R.contextUsed);
  });

  it("a payment racing its 402 waits for this process's slow write; a failed write fails closed", async () => {
    const memory = createMemoryPaymentPermitContextStore();
    const slow = (fail: boolean): PaymentPermitContextStore => ({
      issue: (c) =>
        new Promise<void>((resolve, reject) =>
          setTimeout(() => (fail ? reject(new Error('store down')) : resolve(memory.issue(c))), 50),
        ),
      find: (key, now) => memory.find(key, now),
      claim: (key, fingerprint, now) => memory.claim(key, fingerprint, now),
    });
    const server = createExactPermitEvmServer({ contextStore: slow(false) });
    assert.equal(await check(server, await pay(server.paymentRequiredExtensions?.([offer], resource))), 'ok');
    const down = createExactPermitEvmServer({ contextStore: slow(true) });
    const payment = await pay(down.paymentRequiredExtensions?.([offer], resource));
    assert.equal(await check(down, payment), R.contextNotIssued);
  });

  it('answers a payload that is not a permit with its reason, not a throw', async () => {
    const server = createExactPermitEvmServer();
    const payment = await pay(server.paymentRequiredExtensions?.([offer], resource));
    assert.equal(await check(server, { ...payment, payload: { signature: '0x00' } }), R.missingPermit);
    assert.equal(
      await check(server, { ...payment, payload: { ...payment.payload, signature: 'zz' } }),
      R.payload,
    );
  });
});
