/**
 * The ledger hooks on the core engine with a scripted scheme (no chain): who settles, what the
 * others answer, what is stored, and what happens when the ledger or the settlement fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  createFacilitator,
  type Facilitator,
  type PaymentPayload,
  type PaymentRequirements,
  type SchemeFacilitator,
  type SettleResponse,
} from '@x402kit/core';
import { identifyExactEvm } from './identify-exact-evm.js';
import { createLedgerHooks, type LedgerHooksOptions } from './ledger-hooks.js';
import type { PaymentLedger } from './payment-ledger.js';
import { createSqliteLedger } from './sqlite-ledger.js';

const NETWORK = 'eip155:84532';
const ASSET = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TX = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

let nonceCounter = 0;
function payment(overrides: Partial<PaymentRequirements> = {}): {
  payload: PaymentPayload;
  requirements: PaymentRequirements;
} {
  nonceCounter++;
  const requirements: PaymentRequirements = {
    scheme: 'exact',
    network: NETWORK,
    amount: '1000',
    asset: ASSET,
    payTo: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    maxTimeoutSeconds: 60,
    extra: { name: 'USDC', version: '2' },
    ...overrides,
  };
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: { url: 'https://api.example/a' },
    accepted: requirements,
    payload: {
      signature: '0x00',
      authorization: {
        from: PAYER,
        to: requirements.payTo,
        value: '1000',
        validAfter: '0',
        validBefore: '9999999999',
        nonce: TX(nonceCounter),
      },
    },
  };
  return { payload, requirements };
}

/** A scheme whose settlement is scripted per call; counts its calls. */
function scriptedScheme(script: (n: number) => Promise<SettleResponse>) {
  let calls = 0;
  const scheme: SchemeFacilitator = {
    scheme: 'exact',
    family: 'eip155:*',
    getSigners: () => [],
    verify: async () => ({ isValid: true, payer: PAYER }),
    settle: async () => script(++calls),
  };
  return { scheme, calls: () => calls };
}

const ok = (n: number): SettleResponse => ({
  success: true,
  transaction: TX(1000 + n),
  network: NETWORK,
  payer: PAYER,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function engine(
  scheme: SchemeFacilitator,
  ledger: PaymentLedger,
  extra: Partial<LedgerHooksOptions> = {},
): Facilitator {
  return createFacilitator({
    schemes: [{ networks: NETWORK, facilitator: scheme }],
    hooks: createLedgerHooks({
      ledger,
      identify: identifyExactEvm,
      instanceId: 'test-a',
      pollIntervalMs: 5,
      ...extra,
    }),
  });
}

describe('createLedgerHooks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'x402kit-hooks-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const fileLedger = () => createSqliteLedger({ path: join(dir, `l${++files}.db`) });

  it('settles a payment once when it is presented 20 times at once, and answers all with its hash', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const s = scriptedScheme(async (n) => {
      await sleep(30);
      return ok(n);
    });
    const f = engine(s.scheme, ledger);
    const p = payment();
    const answers = await Promise.all(Array.from({ length: 20 }, () => f.settle(p.payload, p.requirements)));
    assert.equal(s.calls(), 1);
    for (const a of answers) assert.deepEqual(a, ok(1));
    const record = await ledger.get(
      identifyExactEvm({ x402Version: 2, ...p, scheme: s.scheme }) ?? {
        network: '',
        asset: '',
        payer: '',
        nonce: '',
      },
    );
    assert.equal(record?.state, 'settled');
    assert.deepEqual(record?.outcome, ok(1));
    // a later replay is answered from the ledger, the scheme is not asked again
    assert.deepEqual(await f.settle(p.payload, p.requirements), ok(1));
    assert.equal(s.calls(), 1);
    await ledger.close();
  });

  it('makes two instances sharing one ledger file settle once (the other waits and reads the outcome)', async () => {
    const la = await fileLedger();
    const lb2 = await createSqliteLedger({ path: join(dir, `l${files}.db`) });
    const s = scriptedScheme(async (n) => {
      await sleep(50);
      return ok(n);
    });
    const a = engine(s.scheme, la, { instanceId: 'a' });
    const b = engine(s.scheme, lb2, { instanceId: 'b' });
    const p = payment();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).settle(p.payload, p.requirements)),
    );
    assert.equal(s.calls(), 1);
    for (const x of answers) assert.deepEqual(x, ok(1));
    await la.close();
    await lb2.close();
  });

  it('refuses the same authorization with other requirements as duplicate_settlement', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const s = scriptedScheme(async (n) => ok(n));
    const f = engine(s.scheme, ledger);
    const p = payment();
    assert.equal((await f.settle(p.payload, p.requirements)).success, true);
    const other = { ...p.requirements, maxTimeoutSeconds: 61 };
    const replay = await f.settle({ ...p.payload, accepted: other }, other);
    assert.equal(replay.success, false);
    assert.equal(replay.errorReason, 'duplicate_settlement');
    // another resource with identical requirements is a different presentation too
    const elsewhere = await f.settle(
      { ...p.payload, resource: { url: 'https://api.example/b' } },
      p.requirements,
    );
    assert.equal(elsewhere.errorReason, 'duplicate_settlement');
    assert.equal(s.calls(), 1);
    await ledger.close();
  });

  it('refuses to verify a payment the ledger holds a transaction for', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const f = engine(scriptedScheme(async (n) => ok(n)).scheme, ledger);
    const p = payment();
    assert.equal((await f.verify(p.payload, p.requirements)).isValid, true);
    await f.settle(p.payload, p.requirements);
    const verdict = await f.verify(p.payload, p.requirements);
    assert.equal(verdict.isValid, false);
    assert.equal(verdict.invalidReason, 'duplicate_settlement');
    assert.match(verdict.invalidMessage ?? '', /already settled in transaction 0x/);
    await ledger.close();
  });

  it('releases a claim when nothing was sent (or the scheme threw), so a retry settles', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const s = scriptedScheme(async (n) => {
      if (n === 1)
        return {
          success: false,
          errorReason: 'invalid_exact_evm_insufficient_balance',
          transaction: '',
          network: NETWORK,
        };
      if (n === 2) throw new Error('rpc down');
      return ok(n);
    });
    const f = engine(s.scheme, ledger);
    const p = payment();
    assert.equal(
      (await f.settle(p.payload, p.requirements)).errorReason,
      'invalid_exact_evm_insufficient_balance',
    );
    assert.equal((await f.settle(p.payload, p.requirements)).errorReason, 'unexpected_settle_error');
    assert.deepEqual(await f.settle(p.payload, p.requirements), ok(3));
    assert.equal(s.calls(), 3);
    await ledger.close();
  });

  it('stores a reverted settlement as failed and a receipt timeout as pending, never sending again', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const reverted: SettleResponse = {
      success: false,
      errorReason: 'invalid_exact_evm_transaction_failed',
      transaction: TX(7),
      network: NETWORK,
    };
    const pending: SettleResponse = {
      success: false,
      errorReason: 'settlement_pending',
      transaction: TX(8),
      network: NETWORK,
    };
    const s = scriptedScheme(async (n) => (n === 1 ? reverted : pending));
    const f = engine(s.scheme, ledger);
    const [p1, p2] = [payment(), payment()];
    assert.deepEqual(await f.settle(p1.payload, p1.requirements), reverted);
    assert.deepEqual(await f.settle(p1.payload, p1.requirements), reverted);
    assert.deepEqual(await f.settle(p2.payload, p2.requirements), pending);
    assert.deepEqual(await f.settle(p2.payload, p2.requirements), pending);
    assert.equal(s.calls(), 2);
    assert.equal((await ledger.findByTransaction(TX(7)))?.state, 'failed');
    assert.equal((await ledger.findByTransaction(TX(8)))?.state, 'pending');
    assert.equal((await f.verify(p2.payload, p2.requirements)).invalidReason, 'duplicate_settlement');
    await ledger.close();
  });

  it('refuses at once, without waiting, a payment held with another payload', async () => {
    const ledger = await fileLedger();
    const other = await createSqliteLedger({ path: join(dir, `l${files}.db`) });
    const p = payment();
    const key = identifyExactEvm({ x402Version: 2, ...p, scheme: scriptedScheme(async (n) => ok(n)).scheme });
    assert.ok(key);
    // another instance claimed and broadcast, and is still waiting for its receipt
    await other.claim(key, 'ignored', 'slow-instance');
    await other.recordBroadcast(key, 'slow-instance', TX(9));
    const s = scriptedScheme(async (n) => ok(n));
    const f = engine(s.scheme, ledger, { waitMs: 5000 });
    const started = performance.now();
    const answer = await f.settle(p.payload, p.requirements);
    // the stored payload hash differs ('ignored'), so this is refused, not waited for
    assert.equal(answer.errorReason, 'duplicate_settlement');
    assert.ok(performance.now() - started < 1000);
    assert.equal(s.calls(), 0);
    await other.release(key);
    await ledger.close();
    await other.close();
  });

  it('waits for the holder and answers pending with its transaction after waitMs', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const s = scriptedScheme(async (n) => {
      await gate;
      return ok(n);
    });
    // two engines on one ledger object: the second waits on the ledger, not on a shared flight
    const a = engine(s.scheme, ledger, { instanceId: 'a' });
    const b = engine(s.scheme, ledger, { instanceId: 'b', waitMs: 80 });
    const p = payment();
    const first = a.settle(p.payload, p.requirements);
    await sleep(10);
    const key = identifyExactEvm({ x402Version: 2, ...p, scheme: s.scheme });
    assert.ok(key);
    await ledger.recordBroadcast(key, 'a', TX(11));
    const waited = await b.settle(p.payload, p.requirements);
    assert.equal(waited.success, false);
    assert.equal(waited.errorReason, 'settlement_pending');
    assert.equal(waited.transaction, TX(11));
    release();
    assert.deepEqual(await first, ok(1));
    assert.deepEqual(await b.settle(p.payload, p.requirements), ok(1));
    assert.equal(s.calls(), 1);
    await ledger.close();
  });

  it('takes over a claim abandoned before broadcast once reclaimAfterMs passed', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const s = scriptedScheme(async (n) => ok(n));
    const p = payment();
    const key = identifyExactEvm({ x402Version: 2, ...p, scheme: s.scheme });
    assert.ok(key);
    const { hashPayment } = await import('./payment-hash.js');
    await ledger.claim(key, hashPayment(p.payload, p.requirements), 'crashed-instance');
    const f = engine(s.scheme, ledger, { reclaimAfterMs: 20 });
    await sleep(40);
    assert.deepEqual(await f.settle(p.payload, p.requirements), ok(1));
    assert.equal((await ledger.get(key))?.owner, 'test-a');
    await ledger.close();
  });

  it('reconciles: a pending payment, a dead holder and a used authorization end settled', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const onChain = new Map<string, SettleResponse>();
    const reconcile: LedgerHooksOptions['reconcile'] = async (_call, record) => onChain.get(record.key.nonce);
    const pending: SettleResponse = {
      success: false,
      errorReason: 'settlement_pending',
      transaction: TX(21),
      network: NETWORK,
    };
    const used: SettleResponse = {
      success: false,
      errorReason: 'invalid_exact_evm_nonce_already_used',
      transaction: '',
      network: NETWORK,
    };
    const s = scriptedScheme(async (n) => (n === 1 ? pending : used));
    const f = engine(s.scheme, ledger, { reconcile, reclaimAfterMs: 20 });
    const { hashPayment } = await import('./payment-hash.js');
    const keyOf = (p: ReturnType<typeof payment>) => {
      const k = identifyExactEvm({ x402Version: 2, ...p, scheme: s.scheme });
      assert.ok(k);
      return k;
    };

    // 1. the receipt timed out; later the transaction is found mined
    const p1 = payment();
    assert.deepEqual(await f.settle(p1.payload, p1.requirements), pending);
    assert.deepEqual(await f.settle(p1.payload, p1.requirements), pending, 'not mined yet');
    const mined = { success: true, transaction: TX(21), network: NETWORK, payer: PAYER };
    onChain.set(keyOf(p1).nonce, mined);
    assert.deepEqual(await f.settle(p1.payload, p1.requirements), mined);
    assert.equal((await ledger.get(keyOf(p1)))?.state, 'settled');

    // 2. an instance claimed, sent and died: its transaction is found, nothing is sent again
    const p2 = payment();
    await ledger.claim(keyOf(p2), hashPayment(p2.payload, p2.requirements), 'dead');
    const byDead = { success: true, transaction: TX(22), network: NETWORK, payer: PAYER };
    onChain.set(keyOf(p2).nonce, byDead);
    await sleep(40);
    assert.deepEqual(await f.settle(p2.payload, p2.requirements), byDead);
    assert.equal(s.calls(), 1);

    // 3. this instance's attempt finds the authorization used (front-run): stored as settled
    const p3 = payment();
    const frontRun = { success: true, transaction: TX(23), network: NETWORK, payer: PAYER };
    onChain.set(keyOf(p3).nonce, frontRun);
    assert.deepEqual(await f.settle(p3.payload, p3.requirements), used, 'the engine answers its own outcome');
    assert.deepEqual(
      await f.settle(p3.payload, p3.requirements),
      frontRun,
      'later presentations get the truth',
    );
    assert.equal(s.calls(), 2);
    await ledger.close();
  });

  it('fails closed when the ledger is unavailable: no settlement without a claim', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    await ledger.close();
    const s = scriptedScheme(async (n) => ok(n));
    const f = engine(s.scheme, ledger);
    const p = payment();
    const answer = await f.settle(p.payload, p.requirements);
    assert.equal(answer.success, false);
    assert.equal(answer.errorReason, 'unexpected_settle_error');
    assert.equal(s.calls(), 0);
  });

  it('leaves payments it cannot identify untracked', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const s = scriptedScheme(async (n) => ok(n));
    const f = engine(s.scheme, ledger);
    const p = payment();
    const permit2 = { ...p.payload, payload: { signature: '0x00', permit2Authorization: {} } };
    await f.settle(permit2, p.requirements);
    await f.settle(permit2, p.requirements);
    assert.equal(s.calls(), 2);
    assert.equal((await ledger.list()).length, 0);
    await ledger.close();
  });
});

describe('identifyExactEvm', () => {
  const scheme = scriptedScheme(async (n) => ok(n)).scheme;
  it('keys an EIP-3009 payment by network, asset, payer and nonce, normalized', () => {
    const p = payment();
    assert.deepEqual(identifyExactEvm({ x402Version: 2, ...p, scheme }), {
      network: NETWORK,
      asset: ASSET.toLowerCase(),
      payer: PAYER.toLowerCase(),
      nonce: TX(nonceCounter),
    });
  });
  it('ignores other schemes, other families and payloads without an authorization', () => {
    const p = payment();
    assert.equal(
      identifyExactEvm({ x402Version: 2, ...p, requirements: { ...p.requirements, scheme: 'upto' }, scheme }),
      undefined,
    );
    assert.equal(
      identifyExactEvm({
        x402Version: 2,
        ...p,
        requirements: { ...p.requirements, network: 'solana:x' },
        scheme,
      }),
      undefined,
    );
    assert.equal(
      identifyExactEvm({
        x402Version: 2,
        requirements: p.requirements,
        payload: { ...p.payload, payload: {} },
        scheme,
      }),
      undefined,
    );
  });
});
