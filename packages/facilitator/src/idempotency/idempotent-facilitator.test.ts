import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  createFacilitator,
  PAYMENT_IDENTIFIER,
  PaymentIdentifierReasons,
  type PaymentPayload,
  type SchemeFacilitator,
  SettleResponse,
  VerifyResponse,
} from '@x402kit/core';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import { baseSepoliaUsdcRequirements } from '@x402kit/testing/signature-scheme';
import { createFacilitatorService } from '../service.js';
import type { IdempotencyStore } from './idempotency-store.js';
import { createIdempotentFacilitator } from './idempotent-facilitator.js';
import { createMemoryIdempotencyStore } from './memory-idempotency-store.js';
import { withPaymentIdentifierStatus } from './payment-identifier-status.js';
import { createPostgresIdempotencyStore } from './postgres-idempotency-store.js';
import { createSqliteIdempotencyStore } from './sqlite-idempotency-store.js';

const requirements = baseSepoliaUsdcRequirements({ maxTimeoutSeconds: 60, extra: {} });

function payment(nonce: string, id?: string): PaymentPayload {
  return {
    x402Version: 2,
    accepted: requirements,
    payload: { nonce },
    ...(id === undefined ? {} : { extensions: { [PAYMENT_IDENTIFIER]: { info: { required: true, id } } } }),
  };
}

/** The real core engine with a scheme that counts its work and can be told to answer pending. */
function engine() {
  const work = { verify: 0, settle: 0 };
  const state = { pending: false };
  const scheme: SchemeFacilitator = {
    scheme: 'exact',
    family: 'eip155:*',
    getSigners: () => ['0xFac'],
    async verify(p) {
      work.verify++;
      return { isValid: true, payer: String(p.payload.nonce) };
    },
    async settle(p, r) {
      work.settle++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      const transaction = `0xtx${String(p.payload.nonce)}${work.settle}`;
      return state.pending
        ? { success: false, errorReason: 'settlement_pending', transaction, network: r.network }
        : { success: true, transaction, network: r.network, payer: '0xP' };
    },
  };
  return {
    work,
    state,
    facilitator: createFacilitator({ schemes: [{ networks: requirements.network, facilitator: scheme }] }),
  };
}

function suite(name: string, open: () => Promise<IdempotencyStore>) {
  describe(`idempotent facilitator over ${name}`, () => {
    /** A fresh store, the counting engine and the idempotent facilitator over both (instance `a`). */
    const setup = async () => {
      const store = await open();
      const { work, state, facilitator: inner } = engine();
      const facilitator = createIdempotentFacilitator({ facilitator: inner, store, instanceId: 'a' });
      return { store, work, state, facilitator };
    };
    it('lets the same id and payload through to the engine, whose ledger decides; hands out no stored answer', async () => {
      const { store, work, facilitator } = await setup();
      const id = `pay_${name}_replay_0123456789`;
      assert.equal((await facilitator.verify(payment('1', id), requirements)).isValid, true);
      assert.equal((await facilitator.verify(payment('1', id), requirements)).isValid, true);
      await Promise.all([
        facilitator.settle(payment('1', id), requirements),
        facilitator.settle(payment('1', id), requirements),
      ]);
      // without a ledger nothing dedupes here: the wrapper itself never replays a success
      assert.deepEqual(work, { verify: 2, settle: 2 });
      assert.ok((await facilitator.supported()).extensions.includes(PAYMENT_IDENTIFIER));
      await store.close();
    });

    it('refuses the same id with another payload as payment_identifier_conflict', async () => {
      const { store, work, facilitator } = await setup();
      const id = `pay_${name}_conflict_0123456789`;
      assert.equal((await facilitator.settle(payment('1', id), requirements)).success, true);
      const other = await facilitator.settle(payment('2', id), requirements);
      assert.equal(other.success, false);
      assert.equal(other.errorReason, PaymentIdentifierReasons.conflict);
      const verify = await facilitator.verify(payment('2', id), requirements);
      assert.equal(verify.invalidReason, PaymentIdentifierReasons.conflict);
      const invalid = await facilitator.verify(payment('3', 'bad id'), requirements);
      assert.equal(invalid.invalidReason, PaymentIdentifierReasons.invalid);
      assert.deepEqual(work, { verify: 0, settle: 1 });
      await store.close();
    });

    it('keeps the binding once a settlement is pending with a transaction; frees it when nothing moved', async () => {
      const { store, state, facilitator } = await setup();
      const id = `pay_${name}_pending_0123456789`;
      state.pending = true;
      assert.equal(
        (await facilitator.settle(payment('1', id), requirements)).errorReason,
        'settlement_pending',
      );
      state.pending = false;
      const other = await facilitator.settle(payment('2', id), requirements);
      assert.equal(other.errorReason, PaymentIdentifierReasons.conflict, 'money may have moved under the id');
      const plain = await facilitator.settle(payment('9'), requirements);
      assert.equal(plain.success, true, 'no id: untouched');
      await store.close();
    });
  });
}

suite('memory', async () => createMemoryIdempotencyStore());
suite('sqlite', async () => createSqliteIdempotencyStore({ path: ':memory:' }));
const schema = freshSchemaName('idempotency');
let pgUrl = '';
suite('postgres', async () => {
  pgUrl = await testPostgresUrl();
  return createPostgresIdempotencyStore({ url: pgUrl, schema });
});
after(async () => {
  if (pgUrl) await dropSchema(pgUrl, schema);
});

describe('withPaymentIdentifierStatus', () => {
  it('answers 409 for a conflicting /settle and /verify, 200 otherwise', async () => {
    const { facilitator: inner } = engine();
    const facilitator = createIdempotentFacilitator({
      facilitator: inner,
      store: createMemoryIdempotencyStore(),
    });
    const service = withPaymentIdentifierStatus(createFacilitatorService({ facilitator }));
    const post = (path: string, p: PaymentPayload) =>
      service.fetch(
        new Request(`http://f.local${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ x402Version: 2, paymentPayload: p, paymentRequirements: requirements }),
        }),
      );
    const id = 'pay_service_conflict_0123456789';
    assert.equal((await post('/settle', payment('1', id))).status, 200);
    const settle = await post('/settle', payment('2', id));
    assert.equal(settle.status, 409);
    assert.equal(SettleResponse.parse(await settle.json()).errorReason, PaymentIdentifierReasons.conflict);
    const verify = await post('/verify', payment('2', id));
    assert.equal(verify.status, 409);
    assert.equal(VerifyResponse.parse(await verify.json()).invalidReason, PaymentIdentifierReasons.conflict);
    const reply = await service.handle({
      method: 'POST',
      path: '/settle',
      headers: new Headers({ 'content-type': 'application/json' }),
      readBody: async () =>
        new TextEncoder().encode(
          JSON.stringify({
            x402Version: 2,
            paymentPayload: payment('3', id),
            paymentRequirements: requirements,
          }),
        ),
    });
    assert.equal(reply.status, 409);
    assert.equal((await post('/settle', payment('4'))).status, 200);
  });
});
