import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import { createExactPermitTronClient, signExactPermitTron } from './client.js';
import { ExactPermitTronConfigError } from './config-error.js';
import { ExactPermitTronReasons as R } from './reasons.js';

type Vector = {
  privateKey: string;
  network: string;
  networkForms: string[];
  signature: string;
  paymentPermit: {
    meta: { kind: string; paymentId: string; nonce: string; validAfter: number; validBefore: number };
    buyer: string;
    caller: string;
    payment: { payToken: string; payAmount: string; payTo: string };
    fee: { feeTo: string; feeAmount: string };
  };
};
const vector = JSON.parse(
  readFileSync(new URL('../../../../test/vectors/tron-tip712.json', import.meta.url), 'utf8'),
) as Vector;
const { paymentPermit: p } = vector;
const requirements = {
  scheme: 'exact_permit',
  network: vector.network,
  amount: p.payment.payAmount,
  asset: p.payment.payToken,
  payTo: p.payment.payTo,
  maxTimeoutSeconds: 300,
  extra: { fee: { feeTo: p.fee.feeTo, feeAmount: p.fee.feeAmount, caller: p.caller } },
};
const extensions = { paymentPermitContext: { meta: p.meta } };

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof X402Error) return error.reason;
    throw error;
  }
  return 'no error';
}

describe('signExactPermitTron', () => {
  it('signs the shared TIP-712 vector: Base58 permit as BofAI sends it, the vector signature', async () => {
    const signed = await signExactPermitTron(vector.privateKey, requirements, extensions);
    assert.deepEqual(signed.paymentPermit, p);
    assert.equal(signed.signature, vector.signature);
  });

  it('signs the same for every network id form and for hex address forms', async () => {
    for (const network of vector.networkForms) {
      const hexPayTo = '0x2222222222222222222222222222222222222222';
      const signed = await signExactPermitTron(
        vector.privateKey,
        { ...requirements, network, payTo: hexPayTo.replace('0x', '41') },
        extensions,
      );
      assert.equal(signed.paymentPermit.payment.payTo, p.payment.payTo);
      assert.equal(signed.signature, vector.signature, network);
    }
  });

  it('refuses offers it cannot pay, each with its reason', async () => {
    assert.equal(await reasonOf(signExactPermitTron(vector.privateKey, requirements, {})), R.missingContext);
    assert.equal(
      await reasonOf(signExactPermitTron(vector.privateKey, { ...requirements, extra: {} }, extensions)),
      R.missingFee,
    );
    assert.equal(
      await reasonOf(
        signExactPermitTron(
          vector.privateKey,
          { ...requirements, payTo: 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U' },
          extensions,
        ),
      ),
      R.addressChecksum,
    );
    assert.equal(
      await reasonOf(
        signExactPermitTron(vector.privateKey, { ...requirements, network: 'eip155:97' }, extensions),
      ),
      'invalid_network',
    );
  });

  it('accepts a signer object (a wallet) and normalizes its signature to 0x', async () => {
    const signed = await signExactPermitTron(
      {
        address: p.buyer,
        signTypedData: async () => vector.signature.slice(2).toUpperCase(),
      },
      requirements,
      extensions,
    );
    assert.equal(signed.signature, vector.signature);
  });
});

describe('createExactPermitTronClient', () => {
  it("needs a node for approve: 'auto' and a well-formed key", () => {
    assert.throws(
      () => createExactPermitTronClient({ signer: vector.privateKey, approve: 'auto' }),
      ExactPermitTronConfigError,
    );
    assert.throws(() => createExactPermitTronClient({ signer: '0x1234' }), ExactPermitTronConfigError);
  });

  it('creates the payload without any node when approve is never', async () => {
    const client = createExactPermitTronClient({ signer: vector.privateKey });
    const result = await client.createPaymentPayload(requirements, { x402Version: 2, extensions });
    assert.deepEqual(result.payload, { signature: vector.signature, paymentPermit: p });
  });
});
