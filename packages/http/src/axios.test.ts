import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import { startPayingClientApps } from '@x402kit/testing/paying-client-apps';
import { TEST_NETWORK } from '@x402kit/testing/test-ledger';
import { PAID_CONTENT, type TestStack } from '@x402kit/testing/test-stack';
import axios, { type AxiosError } from 'axios';
import { getAxiosPaymentResponse, withPaymentInterceptor } from './axios.js';
import type { Served } from './node.js';

describe('withPaymentInterceptor', () => {
  let stack: TestStack;
  let app: Served;
  let legacy: Served;
  let seen: Request[];
  let close: () => Promise<void>;

  before(async () => {
    ({ stack, app, legacy, seen, close } = await startPayingClientApps());
  });
  after(() => close());

  it('pays a v2 402 once with PAYMENT-SIGNATURE and exposes the settlement', async () => {
    seen.length = 0;
    const api = withPaymentInterceptor(axios.create(), stack.client);
    const res = await api.get(`${app.url}/paid`);
    assert.equal(res.status, 200);
    assert.match(JSON.stringify(res.data), new RegExp(PAID_CONTENT));
    assert.equal(seen.length, 2);
    assert.equal(seen[0]?.headers.get('PAYMENT-SIGNATURE'), null);
    assert.ok(seen[1]?.headers.get('PAYMENT-SIGNATURE'));
    const settlement = getAxiosPaymentResponse(res);
    assert.equal(settlement?.success, true);
    assert.equal(settlement?.network, TEST_NETWORK);
  });

  it('pays a v1 402 from its JSON body with X-PAYMENT, whatever responseType read it', async () => {
    for (const responseType of ['json', 'text', 'arraybuffer'] as const) {
      const api = withPaymentInterceptor(axios.create({ responseType }), stack.client);
      const res = await api.get(`${legacy.url}/paid`);
      assert.equal(res.status, 200, responseType);
      const settlement = getAxiosPaymentResponse(res);
      assert.equal(settlement?.success, true, responseType);
      assert.equal(settlement?.network, 'test-ledger');
    }
  });

  it('re-sends a POST body with the payment', async () => {
    const api = withPaymentInterceptor(axios.create(), stack.client);
    const res = await api.post(`${app.url}/echo`, 'hello body', {
      headers: { 'content-type': 'text/plain' },
    });
    assert.deepEqual(res.data, { content: PAID_CONTENT, echo: 'hello body' });
  });

  it('leaves a 402 that is not x402 as axios rejects it, unpaid', async () => {
    const settles = stack.ledger.calls.settle;
    const api = withPaymentInterceptor(axios.create(), stack.client);
    await assert.rejects(api.get(`${app.url}/not-x402`), (error: AxiosError) => {
      assert.equal(error.response?.status, 402);
      assert.equal(error.response?.data, 'upgrade your plan');
      return true;
    });
    assert.equal(stack.ledger.calls.settle, settles);
  });

  it('never pays a request that already carried a payment header', async () => {
    seen.length = 0;
    const api = withPaymentInterceptor(axios.create(), stack.client);
    await assert.rejects(
      api.get(`${app.url}/paid`, { headers: { 'PAYMENT-SIGNATURE': 'bm90IGEgcGF5bWVudA==' } }),
      (error: AxiosError) => error.response?.status === 402,
    );
    assert.equal(seen.length, 1);
  });

  it('refuses past maxPayments before signing, with X402Error', async () => {
    const api = withPaymentInterceptor(axios.create(), stack.client, { maxPayments: 1 });
    assert.equal((await api.get(`${app.url}/paid`)).status, 200);
    const settles = stack.ledger.calls.settle;
    await assert.rejects(api.get(`${app.url}/paid`), (error: unknown) => {
      assert.ok(error instanceof X402Error);
      assert.equal(error.reason, 'no_acceptable_payment_option');
      return true;
    });
    assert.equal(stack.ledger.calls.settle, settles);
  });
});
