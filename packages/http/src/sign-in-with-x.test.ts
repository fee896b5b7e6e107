import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createMemorySiwxStore,
  createSiwxProof,
  decodePaymentRequiredHeader,
  encodeSiwxHeader,
  type LogEvent,
  SIGN_IN_WITH_X,
  SIWX_HEADER,
  type SiwxDeclaration,
  solanaSiwxSigner,
  verifySolanaSiwx,
} from '@x402kit/core';
import { TEST_NETWORK, TEST_SCHEME } from '@x402kit/testing/test-ledger';
import { createTestStack, PAID_CONTENT, PAY_TO } from '@x402kit/testing/test-stack';
import { getPaymentResponse, wrapFetchWithPayment } from './fetch.js';
import { createPaymentHandler } from './server.js';

const SOLANA = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
const accepts = { scheme: TEST_SCHEME, network: TEST_NETWORK, payTo: PAY_TO, price: '$0.01' };

describe('signInWithX on the payment core', () => {
  it('challenges, records payers on settlement, and lets a payer in without paying', async () => {
    const stack = createTestStack();
    const store = createMemorySiwxStore();
    let runs = 0;
    const payments = createPaymentHandler({
      server: stack.server,
      routes: {
        'GET /paid': { accepts, signInWithX: { networks: [SOLANA], statement: 'Welcome back' } },
        'GET /plain': { accepts },
      },
      signInWithX: { verifiers: { solana: verifySolanaSiwx }, store, origin: 'https://shop.example' },
    });
    const call = (input: RequestInfo | URL, init?: RequestInit) =>
      payments.handle(new Request(input, init), async () => {
        runs++;
        return new Response(PAID_CONTENT);
      });
    const url = 'https://shop.example/paid';
    const declared = async (target: string) => {
      const pr = decodePaymentRequiredHeader((await call(target)).headers.get('payment-required') ?? '');
      return pr.x402Version === 2
        ? (pr.extensions?.[SIGN_IN_WITH_X] as SiwxDeclaration | undefined)
        : undefined;
    };
    const challenge = await declared(url);
    assert.equal(challenge?.info.domain, 'shop.example');
    assert.equal(challenge?.info.statement, 'Welcome back');
    assert.deepEqual(challenge?.supportedChains, [{ chainId: SOLANA, type: 'ed25519' }]);
    assert.equal(await declared('https://shop.example/plain'), undefined);

    // a paid request records its payer
    const paid = await wrapFetchWithPayment(call, stack.client)(url);
    const payer = getPaymentResponse(paid)?.payer;
    assert.ok(payer);
    assert.equal(await store.hasPaid('/paid', payer), true);

    // a wallet that paid before signs in: the handler runs, nothing is paid
    const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const signer = await solanaSiwxSigner(keys);
    store.recordPayment('/paid', signer.address);
    assert.ok(challenge);
    const proof = await createSiwxProof(challenge, signer, url);
    assert.ok(proof);
    const before = runs;
    const settled = stack.ledger.settlements.length;
    const entered = await call(url, { headers: { [SIWX_HEADER]: encodeSiwxHeader(proof) } });
    assert.equal(entered.status, 200);
    assert.equal(await entered.text(), PAID_CONTENT);
    assert.equal(entered.headers.get('payment-response'), null);
    assert.equal(runs, before + 1);
    assert.equal(stack.ledger.settlements.length, settled);
  });

  it('warns when routes set signInWithX without the handler option', () => {
    const events: LogEvent[] = [];
    createPaymentHandler({
      server: createTestStack().server,
      routes: { 'GET /paid': { accepts, signInWithX: true } },
      initialize: false,
      log: (event) => events.push(event),
    });
    assert.ok(events.some((e) => e.level === 'warn' && e.message.includes('"GET /paid" set signInWithX')));
  });
});
