import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Facilitator } from '@x402kit/core';
import { quoteFees, readFeeQuoteRequest } from './fee-quote.js';
import { createFacilitatorService } from './service.js';

const USDT = '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd';
const ME = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const quoter = (offer: { scheme: string; asset: string }) =>
  offer.scheme === 'exact_permit' && offer.asset === USDT
    ? { feeTo: ME, feeAmount: '100', caller: ME }
    : undefined;
const offer = { scheme: 'exact_permit', network: 'eip155:97', asset: USDT, amount: '1', payTo: ME };

describe('fee quote', () => {
  it('quotes the priced offers and drops the others, as BofAI does', () => {
    const read = readFeeQuoteRequest(JSON.stringify({ accepts: [offer, { ...offer, scheme: 'exact' }] }));
    assert.ok(read.ok);
    assert.deepEqual(quoteFees(read.accepts, quoter, 1000), [
      {
        fee: { feeTo: ME, feeAmount: '100', caller: ME },
        pricing: 'flat',
        scheme: 'exact_permit',
        network: 'eip155:97',
        asset: USDT,
        expiresAt: 1300,
      },
    ]);
  });

  it('is served at POST /fee/quote when enabled, 404 otherwise', async () => {
    const facilitator: Facilitator = {
      verify: () => Promise.reject(new Error('unused')),
      settle: () => Promise.reject(new Error('unused')),
      supported: async () => ({ kinds: [], extensions: [], signers: {} }),
    };
    const post = (body: string) =>
      new Request('http://f/fee/quote', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const on = createFacilitatorService({ facilitator, feeQuote: quoter });
    const res = await on.fetch(post(JSON.stringify({ accepts: [offer], paymentPermitContext: {} })));
    assert.equal(res.status, 200);
    const body: unknown = await res.json();
    assert.ok(Array.isArray(body));
    assert.equal(body.length, 1);
    assert.equal((await on.fetch(post('{"accepts": 3}'))).status, 400);
    const off = createFacilitatorService({ facilitator });
    assert.equal((await off.fetch(post(JSON.stringify({ accepts: [offer] })))).status, 404);
  });
});
