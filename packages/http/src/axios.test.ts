import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import { assertPaidOnce, usePayingClientApps } from '@x402kit/testing/paying-client-apps';
import { PAID_CONTENT } from '@x402kit/testing/test-stack';
import axios, { type AxiosError } from 'axios';
import { getAxiosPaymentResponse, withPaymentInterceptor } from './axios.js';

describe('withPaymentInterceptor', () => {
  const env = usePayingClientApps();

  it('pays a v2 402 once with PAYMENT-SIGNATURE and exposes the settlement', async () => {
    env.seen.length = 0;
    const api = withPaymentInterceptor(axios.create(), env.stack.client);
    const res = await api.get(`${env.app.url}/paid`);
    assert.equal(res.status, 200);
    assert.match(JSON.stringify(res.data), new RegExp(PAID_CONTENT));
    assertPaidOnce(env.seen, getAxiosPaymentResponse(res));
  });

  it('pays a v1 402 from its JSON body with X-PAYMENT, whatever responseType read it', async () => {
    for (const responseType of ['json', 'text', 'arraybuffer'] as const) {
      const api = withPaymentInterceptor(axios.create({ responseType }), env.stack.client);
      const res = await api.get(`${env.legacy.url}/paid`);
      assert.equal(res.status, 200, responseType);
      const settlement = getAxiosPaymentResponse(res);
      assert.equal(settlement?.success, true, responseType);
      assert.equal(settlement?.network, 'test-ledger');
    }
  });

  it('re-sends a POST body with the payment', async () => {
    const api = withPaymentInterceptor(axios.create(), env.stack.client);
    const res = await api.post(`${env.app.url}/echo`, 'hello body', {
      headers: { 'content-type': 'text/plain' },
    });
    assert.deepEqual(res.data, { content: PAID_CONTENT, echo: 'hello body' });
  });

  it('leaves a 402 that is not x402 as axios rejects it, unpaid', async () => {
    const settles = env.stack.ledger.calls.settle;
    const api = withPaymentInterceptor(axios.create(), env.stack.client);
    await assert.rejects(api.get(`${env.app.url}/not-x402`), (error: AxiosError) => {
      assert.equal(error.response?.status, 402);
      assert.equal(error.response?.data, 'upgrade your plan');
      return true;
    });
    assert.equal(env.stack.ledger.calls.settle, settles);
  });

  it('never pays a request that already carried a payment header', async () => {
    env.seen.length = 0;
    const api = withPaymentInterceptor(axios.create(), env.stack.client);
    await assert.rejects(
      api.get(`${env.app.url}/paid`, { headers: { 'PAYMENT-SIGNATURE': 'bm90IGEgcGF5bWVudA==' } }),
      (error: AxiosError) => error.response?.status === 402,
    );
    assert.equal(env.seen.length, 1);
  });

  it('refuses past maxPayments before signing, with X402Error', async () => {
    const api = withPaymentInterceptor(axios.create(), env.stack.client, { maxPayments: 1 });
    assert.equal((await api.get(`${env.app.url}/paid`)).status, 200);
    const settles = env.stack.ledger.calls.settle;
    await assert.rejects(api.get(`${env.app.url}/paid`), (error: unknown) => {
      assert.ok(error instanceof X402Error);
      assert.equal(error.reason, 'no_acceptable_payment_option');
      return true;
    });
    assert.equal(env.stack.ledger.calls.settle, settles);
  });
});
