import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { paymentPermitTypes } from '@x402kit/payment-permit';
import { TronWeb, Trx } from 'tronweb';
import { domainSeparator, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { TronAddressError, toTronAddress, toTronHex } from './address.js';
import { TronNetworkError } from './networks.js';
import {
  buildPaymentPermitTip712,
  buildPaymentPermitTip712Domain,
  hashPaymentPermitTip712,
  recoverPaymentPermitSigner,
  signPaymentPermitTip712,
  type TronPaymentPermitInput,
  TronPermitError,
  verifyPaymentPermitTip712,
} from './tip712.js';

type Vector = {
  privateKey: Hex;
  signer: { base58: string; hex: string };
  network: string;
  networkForms: string[];
  domain: { name: string; chainId: number; verifyingContract: { base58: string; hex: string } };
  paymentPermit: TronPaymentPermitInput;
  domainSeparator: Hex;
  digest: Hex;
  signature: Hex;
};

const vector = JSON.parse(
  readFileSync(new URL('../../../test/vectors/tron-tip712.json', import.meta.url), 'utf8'),
) as Vector;
const permit = vector.paymentPermit;
const params = { network: vector.network, permit };

/** The permit with numbers TronWeb's ethers-style encoder takes (kind as uint8, amounts as strings). */
function tronwebValue(p: TronPaymentPermitInput): Record<string, unknown> {
  return { ...p, meta: { ...p.meta, kind: 0 } };
}
function tronwebDomain(network: string, contract: string) {
  return {
    name: 'PaymentPermit',
    chainId: buildPaymentPermitTip712Domain(network).chainId,
    verifyingContract: contract,
  };
}
const tronwebTypes = {
  PaymentPermitDetails: [...paymentPermitTypes.PaymentPermitDetails],
  PermitMeta: [...paymentPermitTypes.PermitMeta],
  Payment: [...paymentPermitTypes.Payment],
  Fee: [...paymentPermitTypes.Fee],
};

describe('TIP-712 PaymentPermit', () => {
  it('reproduces the §1.2 vector from Base58 input on every network id form', async () => {
    for (const network of vector.networkForms) {
      const p = { network, permit };
      const typed = buildPaymentPermitTip712(p);
      assert.equal(domainSeparator({ domain: typed.domain ?? {} }), vector.domainSeparator);
      assert.equal(typed.domain?.chainId, vector.domain.chainId);
      assert.equal(typed.domain?.verifyingContract?.toLowerCase(), vector.domain.verifyingContract.hex);
      assert.equal(hashPaymentPermitTip712(p), vector.digest);
    }
    assert.equal(await signPaymentPermitTip712(vector.privateKey, params), vector.signature);
    assert.equal(
      await signPaymentPermitTip712(privateKeyToAccount(vector.privateKey), params),
      vector.signature,
    );
    assert.equal(
      await recoverPaymentPermitSigner({ ...params, signature: vector.signature }),
      vector.signer.base58,
    );
    assert.equal(
      await recoverPaymentPermitSigner({ ...params, signature: vector.signature.slice(2) }),
      vector.signer.base58,
    );
    assert.equal(await verifyPaymentPermitTip712({ ...params, signature: vector.signature }), true);
  });

  it('gives the same digest for 41-hex and 0x addresses and explicit bigints', () => {
    const mixed: TronPaymentPermitInput = {
      meta: { ...permit.meta, kind: 0, nonce: 123456789n, validAfter: '1700000000' },
      buyer: vector.signer.hex,
      caller: toTronHex(permit.caller),
      payment: {
        payToken: toTronHex(permit.payment.payToken),
        payAmount: 1000000n,
        payTo: permit.payment.payTo,
      },
      fee: { feeTo: `0x${toTronHex(permit.fee.feeTo)}`, feeAmount: 100 },
    };
    const p = {
      network: 'tron:3448148188',
      permit: mixed,
      verifyingContract: vector.domain.verifyingContract.hex,
    };
    assert.equal(hashPaymentPermitTip712(p), vector.digest);
  });

  it('matches TronWeb _signTypedData and verifyTypedData (fed Base58)', async () => {
    const domain = tronwebDomain(vector.network, vector.domain.verifyingContract.base58);
    const sig = Trx._signTypedData(domain, tronwebTypes, tronwebValue(permit), vector.privateKey.slice(2));
    assert.equal(sig, vector.signature);
    const tronWeb = new TronWeb({ fullHost: 'http://127.0.0.1:9' });
    assert.equal(
      tronWeb.trx.verifyTypedData(domain, tronwebTypes, tronwebValue(permit), sig, vector.signer.base58),
      true,
    );

    // random keys and parties on mainnet: TronWeb signs, we recover; we sign, TronWeb verifies
    for (let i = 0; i < 5; i++) {
      const key = generatePrivateKey();
      const buyer = toTronAddress(privateKeyToAccount(key).address);
      const rand = () => toTronAddress(`0x${randomBytes(20).toString('hex')}`);
      const p: TronPaymentPermitInput = {
        meta: {
          kind: 'PAYMENT_ONLY',
          paymentId: `0x${randomBytes(16).toString('hex')}`,
          nonce: BigInt(`0x${randomBytes(16).toString('hex')}`).toString(),
          validAfter: 1,
          validBefore: 2 ** 40,
        },
        buyer,
        caller: rand(),
        payment: {
          payToken: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
          payAmount: String(i * 1000 + 1),
          payTo: rand(),
        },
        fee: { feeTo: rand(), feeAmount: String(i) },
      };
      const d = tronwebDomain('tron:mainnet', 'TT8rEWbCoNX7vpEUauxb7rWJsTgs8vDLAn');
      const theirs = Trx._signTypedData(d, tronwebTypes, tronwebValue(p), key.slice(2));
      const ours = await signPaymentPermitTip712(key, { network: 'tron:0x2b6653dc', permit: p });
      assert.equal(ours, theirs);
      assert.equal(
        await recoverPaymentPermitSigner({ network: 'tron:mainnet', permit: p, signature: theirs }),
        buyer,
      );
      assert.equal(tronWeb.trx.verifyTypedData(d, tronwebTypes, tronwebValue(p), ours, buyer), true);
    }
  });

  it('refuses bad input with reason codes', async () => {
    const is = (reason: string) => (e: unknown) => e instanceof TronPermitError && e.reason === reason;
    assert.throws(() => hashPaymentPermitTip712({ network: 'tron:1', permit }), TronNetworkError);
    assert.throws(
      () =>
        hashPaymentPermitTip712({
          ...params,
          permit: { ...permit, buyer: 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U' },
        }),
      (e: unknown) => e instanceof TronAddressError && e.reason === 'invalid_tron_address_checksum',
    );
    assert.throws(
      () =>
        hashPaymentPermitTip712({
          ...params,
          permit: { ...permit, meta: { ...permit.meta, paymentId: '0x12' } },
        }),
      is('invalid_tron_permit'),
    );
    assert.throws(
      () =>
        hashPaymentPermitTip712({ ...params, permit: { ...permit, meta: { ...permit.meta, nonce: '-1' } } }),
      is('invalid_tron_permit'),
    );
    assert.throws(
      () => hashPaymentPermitTip712({ ...params, permit: null as unknown as TronPaymentPermitInput }),
      is('invalid_tron_permit'),
    );
    await assert.rejects(
      recoverPaymentPermitSigner({ ...params, signature: '0x1234' }),
      is('invalid_tron_signature'),
    );
    await assert.rejects(
      recoverPaymentPermitSigner({ ...params, signature: `0x${'00'.repeat(65)}` }),
      is('invalid_tron_signature'),
    );
    assert.equal(await verifyPaymentPermitTip712({ ...params, signature: 'zz' }), false);
    // a valid signature over another amount recovers to someone else
    const other = { ...permit, payment: { ...permit.payment, payAmount: '1000001' } };
    assert.equal(
      await verifyPaymentPermitTip712({ network: 'tron:nile', permit: other, signature: vector.signature }),
      false,
    );
    await assert.rejects(signPaymentPermitTip712('0x1234', params), is('invalid_tron_private_key'));
    await assert.rejects(
      signPaymentPermitTip712(`0x${'00'.repeat(32)}`, params),
      is('invalid_tron_private_key'),
    );
  });
});
