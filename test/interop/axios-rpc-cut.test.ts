/**
 * Our axios interceptor against a real paid server (our Fastify plugin) whose facilitator's RPC is
 * cut after the settlement is sent. Left to retry (its default `pendingSettlement`), it is told 202
 * `settlement_pending`, waits `Retry-After`, re-sends the SAME payment once the RPC heals and
 * resolves with the answer: one signature, one handler run, one transfer. With
 * `pendingSettlement: false` the pending answer comes back as it is, naming the hash that landed;
 * a request that carried its own payment header is waited out the same way, never paid again.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createX402Client, HeaderNames } from '@x402kit/core';
import { createExactEvmClient } from '@x402kit/evm';
import { getAxiosPaymentResponse, withPaymentInterceptor } from '@x402kit/http/axios';
import { signPaymentHeader } from '@x402kit/testing/replay';
import {
  assertPaidOnce,
  assertPendingAnswer,
  assertRetryingClientSettles,
  type CutPaidRoute,
  cutStart,
} from '@x402kit/testing/rpc-cut-paid-route';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { PRICE, WEATHER } from './adapter-stack.js';
import { type CutFastify, startCutFastify } from './cut-fastify.js';

let stack: CutFastify;
const route = (): CutPaidRoute => stack.route;

/** Our axios paying with the devnet payer, recording every paid request's header and status. */
function observedAxios(options: Parameters<typeof withPaymentInterceptor>[2] = {}) {
  const { devnet, facilitator } = stack;
  const signatures: string[] = [];
  const statuses: number[] = [];
  const instance: AxiosInstance = axios.create();
  // registered before ours: it sees every answer first, the 202s of the re-sends included
  instance.interceptors.response.use(
    (response) => {
      const signature = response.config.headers.get(HeaderNames.paymentSignature);
      if (typeof signature === 'string') {
        signatures.push(signature);
        statuses.push(response.status);
        // told pending: the RPC heals while the client waits to send the same payment again
        if (response.status === 202) facilitator.proxy.heal();
      }
      return response;
    },
    (error: unknown) => {
      const response = axios.isAxiosError(error) ? error.response : undefined;
      const signature = response?.config.headers.get(HeaderNames.paymentSignature);
      if (response && typeof signature === 'string') {
        signatures.push(signature);
        statuses.push(response.status);
      }
      throw error;
    },
  );
  const client = createX402Client({
    schemes: [
      {
        network: 'eip155:*',
        client: createExactEvmClient({
          signer: privateKeyToAccount(devnet.accounts.payer.privateKey as Hex),
        }),
      },
    ],
  });
  return { api: withPaymentInterceptor(instance, client, options), signatures, statuses };
}

describe('our axios interceptor, RPC cut after the settlement is sent: the same payment until settled', () => {
  before(async () => {
    stack = await startCutFastify('axios-rpc-cut');
  });
  after(async () => {
    await stack?.close();
  });

  it('told pending, it waits Retry-After and re-sends the same payment: one signature, one run, one transfer', async () => {
    const { api, signatures, statuses } = observedAxios();
    const { url } = stack;
    const started = performance.now();
    await assertRetryingClientSettles(route(), PRICE, async () => {
      const res = await api.get(`${url}/weather`, { responseType: 'text' });
      return {
        status: res.status,
        body: String(res.data),
        paymentResponse: res.headers['payment-response'],
        signatures,
        statuses,
      };
    });
    assert.deepEqual(statuses, [202, 200], 'one pending answer, then the same payment settled');
    assert.ok(performance.now() - started >= 1_000, 'it waited the Retry-After (1 s) before re-sending');
  });

  it('with pendingSettlement: false the pending answer comes back as it is, with the hash that landed', async () => {
    const { facilitator, url } = stack;
    const start = await cutStart(route());
    const { api, signatures } = observedAxios({ pendingSettlement: false });
    facilitator.cutAfterSend();
    let hash: string;
    try {
      const pending = await api.get(`${url}/weather`, { responseType: 'text' });
      hash = assertPendingAnswer(
        pending.status,
        { get: (name) => pending.headers[name.toLowerCase()] },
        String(pending.data),
      ).transaction;
      assert.equal(getAxiosPaymentResponse(pending)?.transaction, hash);
      assert.equal(signatures.length, 1, 'not re-sent');
    } finally {
      facilitator.proxy.heal();
    }
    // the caller re-sends the same payment itself: settled, no second run
    const again = await axios.get(`${url}/weather`, {
      headers: { [HeaderNames.paymentSignature]: signatures[0] },
    });
    assert.equal(again.status, 200);
    assert.equal(getAxiosPaymentResponse(again)?.transaction, hash);
    await assertPaidOnce(route(), start, hash, PRICE);
  });

  it('a request that carried its own payment header is waited out too, never paid again', async () => {
    const { devnet, facilitator, url } = stack;
    const start = await cutStart(route());
    const header = await signPaymentHeader(devnet, `${url}/weather`);
    const { api, signatures, statuses } = observedAxios();
    facilitator.cutAfterSend();
    let res: AxiosResponse;
    try {
      res = await api.get(`${url}/weather`, { headers: { [HeaderNames.paymentSignature]: header } });
    } finally {
      facilitator.proxy.heal();
    }
    assert.equal(res.status, 200);
    assert.deepEqual(res.data, WEATHER);
    assert.deepEqual(statuses, [202, 200]);
    assert.deepEqual(signatures, [header, header], "the caller's payment, re-sent as it was");
    const settlement = getAxiosPaymentResponse(res);
    assert.equal(settlement?.success, true);
    await assertPaidOnce(route(), start, settlement?.transaction ?? '', PRICE);
  });
});
