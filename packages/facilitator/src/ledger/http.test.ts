import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLedgerHttpHandler } from './http.js';
import type { PaymentLedger } from './payment-ledger.js';
import { createSqliteLedger } from './sqlite-ledger.js';

const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TX = `0x${'ab'.repeat(32)}`;
const key = (n: number) => ({
  network: 'eip155:84532',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payer: PAYER,
  nonce: `0x${n.toString(16).padStart(64, '0')}`,
});

describe('createLedgerHttpHandler', () => {
  let ledger: PaymentLedger;
  let handle: ReturnType<typeof createLedgerHttpHandler>;
  const get = async (path: string, method = 'GET') => {
    const response = await handle(new Request(`http://facilitator.test${path}`, { method }));
    assert.ok(response, `${path} is a ledger route`);
    return { status: response.status, body: await response.json() };
  };

  before(async () => {
    ledger = await createSqliteLedger({ path: ':memory:' });
    handle = createLedgerHttpHandler({ ledger });
    await ledger.claim(key(1), { payloadHash: 'h1', owner: 'instance-a' });
    await ledger.complete(key(1), 'settled', {
      success: true,
      transaction: TX,
      network: 'eip155:84532',
      payer: PAYER,
    });
    await ledger.claim(key(2), { payloadHash: 'h2', owner: 'instance-a' });
  });
  after(() => ledger.close());

  it('finds the payment of a transaction, without disclosing the owner instance', async () => {
    const { status, body } = await get(`/payments/tx/${TX.toUpperCase().replace('0X', '0x')}`);
    assert.equal(status, 200);
    assert.equal(body.payment.state, 'settled');
    assert.equal(body.payment.transaction, TX);
    assert.equal(body.payment.payer, PAYER.toLowerCase());
    assert.equal(body.payment.outcome.success, true);
    assert.equal(body.payment.owner, undefined);
    assert.match(body.payment.createdAt, /^\d{4}-\d\d-\d\dT/);
  });

  it('answers 404 for an unknown transaction', async () => {
    const { status, body } = await get(`/payments/tx/0x${'cd'.repeat(32)}`);
    assert.equal(status, 404);
    assert.equal(body.error, 'payment_not_found');
  });

  it('lists payments by payer, network and nonce', async () => {
    assert.equal((await get(`/payments?payer=${PAYER}`)).body.payments.length, 2);
    assert.equal((await get(`/payments?payer=${PAYER}&limit=1`)).body.payments.length, 1);
    const one = await get(`/payments?network=eip155:84532&nonce=${key(2).nonce}`);
    assert.equal(one.body.payments.length, 1);
    assert.equal(one.body.payments[0].state, 'claimed');
  });

  it('refuses a list without a filter, a bad limit and other methods', async () => {
    assert.equal((await get('/payments')).status, 400);
    assert.equal((await get(`/payments?payer=${PAYER}&limit=-1`)).status, 400);
    assert.equal((await get('/payments/tx/%E0%A4%A')).status, 400);
    assert.equal((await get('/payments', 'POST')).status, 405);
  });

  it('leaves other paths to the service', async () => {
    assert.equal(await handle(new Request('http://facilitator.test/settle', { method: 'POST' })), undefined);
    assert.equal(await handle(new Request('http://facilitator.test/paymentsx')), undefined);
  });

  it('answers 503 when the ledger cannot be read', async () => {
    const closed = await createSqliteLedger({ path: ':memory:' });
    await closed.close();
    const response = await createLedgerHttpHandler({ ledger: closed })(
      new Request(`http://facilitator.test/payments?payer=${PAYER}`),
    );
    assert.equal(response?.status, 503);
  });
});
