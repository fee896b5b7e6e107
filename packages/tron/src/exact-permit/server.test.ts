import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PaymentPayload, type PaymentRequirements, type SchemeServer, X402Error } from '@x402kit/core';
import {
  createPaymentPermitContext,
  type PaymentPermitWire,
  readPaymentPermitContext,
} from '@x402kit/payment-permit';
import { exactPermitFeeKind } from '@x402kit/testing/exact-permit-requirements';
import { signExactPermitTron } from './client.js';
import { ExactPermitTronReasons as R } from './reasons.js';
import { createExactPermitTronServer } from './server.js';

const USDT = 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf';
const USDD = 'TGjgvdTWWrybVLaVeFqSyVqJQWjxqRYbaK';
const PAY_TO = 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz';
const CALLER = 'TEdvoHEatmDKvTh3o9vBRB9Vdtbhn4QFhy';

const base = (network: string, payTo = PAY_TO): PaymentRequirements => ({
  scheme: 'exact_permit',
  network,
  amount: '10000',
  asset: USDT,
  payTo,
  maxTimeoutSeconds: 300,
  extra: { name: 'Tether USD', version: '1' },
});

describe('createExactPermitTronServer', () => {
  const server = createExactPermitTronServer();

  it('prices "$0.01", "0.01 USDT", "1 USDD" and { amount, asset } on any network id form', async () => {
    for (const network of ['tron:nile', 'tron:0xcd8690dc', 'tron:3448148188']) {
      assert.deepEqual(await server.parsePrice('$0.01', network), {
        amount: 10_000n,
        asset: USDT,
        extra: { name: 'Tether USD', version: '1' },
      });
    }
    assert.equal((await server.parsePrice('0.01 USDT', 'tron:nile')).amount, 10_000n);
    assert.equal((await server.parsePrice(0.5, 'tron:nile')).amount, 500_000n);
    const usdd = await server.parsePrice('1 USDD', 'tron:nile');
    assert.deepEqual([usdd.amount, usdd.asset], [10n ** 18n, USDD]);
    const explicit = await server.parsePrice(
      { amount: '5', asset: '41eca9bc828a3005b9a3b909f2cc5c2a54794de05f' },
      'tron:nile',
    );
    assert.deepEqual(explicit, { amount: 5n, asset: USDT, extra: { name: 'Tether USD', version: '1' } });
  });

  it('refuses prices it cannot read, with reasons', async () => {
    const reason = async (price: Parameters<typeof server.parsePrice>[0], network = 'tron:nile') => {
      try {
        await server.parsePrice(price, network);
      } catch (error) {
        return error instanceof X402Error ? error.reason : 'other';
      }
      return 'none';
    };
    assert.equal(await reason('0.0000001 USDT'), 'invalid_price');
    assert.equal(await reason('1 BTC'), 'invalid_price');
    assert.equal(await reason('$0'), 'invalid_price');
    assert.equal(await reason('$0.01', 'tron:1'), 'invalid_network');
    assert.equal(
      await reason({ amount: '1', asset: 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U' }),
      R.addressChecksum,
    );
  });

  it('emits the canonical network, Base58 payTo and the fee of /supported', () => {
    const kind = exactPermitFeeKind('tron:nile', CALLER, USDT, '100');
    const out = server.enhanceRequirements?.(
      base('tron:3448148188', '412c7536e3605d9c16a7a3d7b1898e529396a65c23'),
      {
        supportedKind: kind,
        facilitatorExtensions: [],
      },
    );
    assert.deepEqual(out, {
      ...base('tron:nile'),
      extra: { name: 'Tether USD', version: '1', fee: { feeTo: CALLER, feeAmount: '100', caller: CALLER } },
    });
    const hex = createExactPermitTronServer({ networkForm: 'hex' }).enhanceRequirements?.(base('tron:nile'), {
      facilitatorExtensions: [],
    });
    assert.equal(hex?.network, 'tron:0xcd8690dc');
    const configured = createExactPermitTronServer({
      networkForm: 'decimal',
      fee: () => ({ feeTo: CALLER, feeAmount: '7', caller: CALLER }),
    }).enhanceRequirements?.(base('tron:nile'), { facilitatorExtensions: [] });
    assert.equal(configured?.network, 'tron:3448148188');
    assert.deepEqual(configured?.extra?.fee, { feeTo: CALLER, feeAmount: '7', caller: CALLER });
  });

  it('refuses a route payTo with a bad checksum', () => {
    assert.throws(
      () =>
        server.enhanceRequirements?.(base('tron:nile', 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U'), {
          facilitatorExtensions: [],
        }),
      (error: unknown) => error instanceof X402Error && error.reason === R.addressChecksum,
    );
  });

  it('adds a fresh paymentPermitContext to every 402', () => {
    const resource = { resource: { url: 'http://x/y' } };
    const a = server.paymentRequiredExtensions?.([], resource);
    const b = server.paymentRequiredExtensions?.([], resource);
    assert.equal(readPaymentPermitContext(a).meta.kind, 'PAYMENT_ONLY');
    assert.notDeepEqual(a, b);
  });
});

describe('createExactPermitTronServer: checkPayment binds a permit to a context this server issued', () => {
  const resource = { resource: { url: 'http://x/weather' } };
  const offer: PaymentRequirements = {
    ...base('tron:nile'),
    extra: { name: 'Tether USD', version: '1', fee: { feeTo: CALLER, feeAmount: '100', caller: CALLER } },
  };
  const BUYER = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318';
  const OTHER = '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6';
  const pay = async (
    extensions: Record<string, unknown> | undefined,
    key = BUYER,
    requirements = offer,
  ): Promise<PaymentPayload> => ({
    x402Version: 2,
    accepted: requirements,
    payload: { ...(await signExactPermitTron(key, requirements, extensions)) },
  });
  const check = (server: SchemeServer, payload: PaymentPayload, requirements = offer) =>
    server.checkPayment?.(payload, requirements).then((r) => r?.reason ?? 'ok');

  it('passes the permit of an issued context; refuses made-up, foreign-offer and reused contexts', async () => {
    const server = createExactPermitTronServer();
    const extensions = server.paymentRequiredExtensions?.([offer], resource);
    const honest = await pay(extensions);
    assert.equal(await check(server, honest), 'ok');
    assert.equal(await check(server, honest), 'ok');
    assert.equal(await check(server, await pay(extensions, OTHER)), R.contextUsed);

    const { meta } = readPaymentPermitContext(server.paymentRequiredExtensions?.([offer], resource));
    const madeUp = { paymentPermitContext: { meta: { ...meta, nonce: '7' } } };
    assert.equal(await check(server, await pay(madeUp)), R.contextNotIssued);
    assert.equal(
      await check(server, await pay({ paymentPermitContext: createPaymentPermitContext() })),
      R.contextNotIssued,
    );

    const dearer = { ...offer, amount: '20000' };
    const forDearer = server.paymentRequiredExtensions?.([dearer], resource);
    assert.equal(await check(server, await pay(forDearer)), R.contextOfferMismatch);
  });

  it('answers a permit with a mistyped address with its reason, not a throw', async () => {
    const server = createExactPermitTronServer();
    const payment = await pay(server.paymentRequiredExtensions?.([offer], resource));
    const permit = payment.payload.paymentPermit as PaymentPermitWire;
    const typo = { ...permit, buyer: 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U' };
    assert.equal(
      await check(server, { ...payment, payload: { ...payment.payload, paymentPermit: typo } }),
      R.addressChecksum,
    );
  });
});
