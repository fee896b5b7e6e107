import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  createX402Client,
  encodeBase64,
  encodePaymentResponseHeader,
  type PaymentPayload,
  type SchemeClient,
  type SettleResponse,
} from '@x402kit/core';
import axios from 'axios';
import { withPaymentInterceptor } from './axios.js';
import { wrapFetchWithPayment } from './fetch.js';

/**
 * A real HTTP server whose paid answers are scripted per payment round: the scheme client below signs
 * `{ round }` from the offer's `extra.round`, so a corrective 402 (an offer with the next round) shows
 * whether the wrapper signed against the NEW 402.
 */
const offer = (round: number) => ({
  scheme: 'test-scheme',
  network: 'eip155:1',
  amount: '1',
  asset: '0x0000000000000000000000000000000000000001',
  payTo: '0x0000000000000000000000000000000000000002',
  maxTimeoutSeconds: 60,
  extra: { round },
});
const required = (round: number, error?: string) =>
  encodeBase64(
    JSON.stringify({
      x402Version: 2,
      resource: { url: 'http://127.0.0.1/paid' },
      accepts: [offer(round)],
      ...(error ? { error } : {}),
    }),
  );

/** The two paying transports, as a GET answering its status (axios: default config, a 402 throws). */
const transports = {
  fetch: (client: ReturnType<typeof createX402Client>) => {
    const pay = wrapFetchWithPayment(fetch, client);
    return async (url: string) => (await pay(url)).status;
  },
  axios: (client: ReturnType<typeof createX402Client>) => {
    const instance = withPaymentInterceptor(axios.create(), client);
    return async (url: string) => {
      try {
        return (await instance.get(url)).status;
      } catch (error) {
        const status = (error as { response?: { status?: number } }).response?.status;
        if (status === undefined) throw error;
        return status;
      }
    };
  },
};

for (const [transport, wrap] of Object.entries(transports))
  describe(`${transport}: a retryable refusal is signed once more against the new 402`, () => {
    let server: Server;
    let base: string;
    let paidAt: number[] = [];
    before(async () => {
      server = createServer((req, res) => {
        const header = req.headers['payment-signature'];
        if (typeof header !== 'string') {
          res.writeHead(402, { 'PAYMENT-REQUIRED': required(1) }).end();
          return;
        }
        const round = JSON.parse(Buffer.from(header, 'base64').toString('utf8')).payload.round as number;
        paidAt.push(round);
        const path = req.url ?? '';
        const refuse = path === '/always' || (path === '/once' && round === 1);
        if (path === '/other' || refuse) {
          const reason = path === '/other' ? 'something_else' : 'test_busy';
          res.writeHead(402, { 'PAYMENT-REQUIRED': required(round + 1, reason), 'Retry-After': '0' }).end();
          return;
        }
        const settlement: SettleResponse = {
          success: true,
          transaction: '',
          network: 'eip155:1',
          extra: { round },
        };
        res.writeHead(200, { 'PAYMENT-RESPONSE': encodePaymentResponseHeader(settlement) }).end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    function payer() {
      const settled: Array<{ payload: PaymentPayload; settlement: SettleResponse }> = [];
      const scheme: SchemeClient = {
        scheme: 'test-scheme',
        retryableRefusals: ['test_busy'],
        async createPaymentPayload(requirements) {
          return { payload: { round: requirements.extra?.round } };
        },
        onSettlement(payload, settlement) {
          settled.push({ payload, settlement });
        },
      };
      const client = createX402Client({
        schemes: [{ network: 'eip155:*', client: scheme }],
        defaultMaxAmount: false,
      });
      return { pay: wrap(client), settled };
    }

    it('re-signs against the corrective 402 and hands the settlement to the scheme', async () => {
      paidAt = [];
      const { pay, settled } = payer();
      assert.equal(await pay(`${base}/once`), 200);
      assert.deepEqual(paidAt, [1, 2], 'the second payment was signed from the new offer');
      assert.equal(settled.length, 1);
      assert.deepEqual(settled[0]?.payload.payload, { round: 2 });
      assert.deepEqual(settled[0]?.settlement.extra, { round: 2 });
    });

    it('never signs more than once more, even when refused again', async () => {
      paidAt = [];
      assert.equal(await payer().pay(`${base}/always`), 402);
      assert.deepEqual(paidAt, [1, 2]);
    });

    it('does not retry a refusal the scheme does not list', async () => {
      paidAt = [];
      assert.equal(await payer().pay(`${base}/other`), 402);
      assert.deepEqual(paidAt, [1]);
    });
  });
