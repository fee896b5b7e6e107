/**
 * The ledger hooks on the core engine with a scripted scheme (no chain): who settles, what the
 * others answer, what is stored, and what happens when the ledger or the settlement fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createFacilitator,
  type Facilitator,
  type PaymentPayload,
  type PaymentRequirements,
  type SchemeFacilitator,
  type SettleResponse,
} from '@x402kit/core';
import { identifyExactEvm } from '@x402kit/evm/chain-module';
import { createLedgerHooks, type LedgerHooksOptions } from './ledger-hooks.js';
import { hashPayment } from './payment-hash.js';
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

/** A scheme whose settles wait until `release()`, then settle (`ok`). */
function gatedScheme() {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const s = scriptedScheme(async (n) => {
    await gate;
    return ok(n);
  });
  return { ...s, release: () => release() };
}

const ok = (n: number): SettleResponse => ({
  success: true,
  transaction: TX(1000 + n),
  network: NETWORK,
  payer: PAYER,
});
/** A settlement that failed with `errorReason` (after sending `transaction`, when given). */
const failed = (errorReason: string, transaction = ''): SettleResponse => ({
  success: false,
  errorReason,
  transaction,
  network: NETWORK,
});
/** One resource-server request: its verify, settle and own retries carry this id. */
const A = { attempt: 'att_request_a' };
const B = { attempt: 'att_request_b' };

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

/**
 * An in-memory ledger, a scheme that settles every call (`ok`, after `delayMs` when given), the
 * engine over both, and a payment.
 */
async function okStack(delayMs = 0) {
  const ledger = await createSqliteLedger({ path: ':memory:' });
  const s = scriptedScheme(async (n) => {
    if (delayMs > 0) await sleep(delayMs);
    return ok(n);
  });
  return { ledger, s, f: engine(s.scheme, ledger), p: payment() };
}

/** Leave a claim of `p` in the ledger as an instance that died holding it would (attempt A). */
async function deadClaim(ledger: PaymentLedger, p: ReturnType<typeof payment>, owner: string) {
  const key = identifyExactEvm({ x402Version: 2, ...p, scheme: scriptedScheme(async (n) => ok(n)).scheme });
  assert.ok(key);
  await ledger.claim(key, { payloadHash: hashPayment(p.payload, p.requirements), owner, attempt: A.attempt });
  return key;
}

describe('createLedgerHooks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'x402kit-hooks-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const fileLedger = () => createSqliteLedger({ path: join(dir, `l${++files}.db`) });

  it('settles a payment once when one attempt presents it 20 times at once, and answers all with its hash', async () => {
    const { ledger, s, f, p } = await okStack(30);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => f.settle(p.payload, p.requirements, A)),
    );
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
    assert.equal(record?.attempt, A.attempt);
    assert.deepEqual(record?.outcome, ok(1));
    // a later retry of the same attempt is answered from the ledger, the scheme is not asked again
    assert.deepEqual(await f.settle(p.payload, p.requirements, A), ok(1));
    assert.equal(s.calls(), 1);
    await ledger.close();
  });

  it('gives one of 20 concurrent anonymous settles the success, the 19 others duplicate_settlement', async () => {
    const { ledger, s, f, p } = await okStack(30);
    const answers = await Promise.all(Array.from({ length: 20 }, () => f.settle(p.payload, p.requirements)));
    assert.equal(s.calls(), 1);
    assert.deepEqual(
      answers.filter((a) => a.success),
      [ok(1)],
    );
    for (const a of answers.filter((x) => !x.success)) {
      assert.equal(a.errorReason, 'duplicate_settlement');
      assert.ok(a.transaction === '' || a.transaction === ok(1).transaction, a.transaction);
      assert.equal(a.payer?.toLowerCase(), PAYER.toLowerCase());
    }
    // afterwards the official answer carries the first transaction
    const late = await f.settle(p.payload, p.requirements);
    assert.equal(late.errorReason, 'duplicate_settlement');
    assert.equal(late.transaction, ok(1).transaction);
    assert.match(late.errorMessage ?? '', /already settled in transaction 0x/);
    // another attempt is no retry of the one that holds the payment either
    assert.equal((await f.settle(p.payload, p.requirements, B)).errorReason, 'duplicate_settlement');
    assert.equal(s.calls(), 1);
    await ledger.close();
  });

  it('makes two instances sharing one ledger file settle once (retries of the attempt read the outcome)', async () => {
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
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).settle(p.payload, p.requirements, A)),
    );
    assert.equal(s.calls(), 1);
    for (const x of answers) assert.deepEqual(x, ok(1));
    const q = payment();
    const anonymous = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).settle(q.payload, q.requirements)),
    );
    assert.equal(s.calls(), 2);
    assert.equal(anonymous.filter((x) => x.success).length, 1);
    assert.equal(anonymous.filter((x) => x.errorReason === 'duplicate_settlement').length, 9);
    await la.close();
    await lb2.close();
  });

  it('reserves a verified payment for its attempt: every other request is refused, the holder settles', async () => {
    const { ledger, s, f, p } = await okStack();
    const verdicts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => f.verify(p.payload, p.requirements, { attempt: `att_copy_${i}` })),
    );
    const valid = verdicts.filter((v) => v.isValid);
    assert.equal(valid.length, 1, 'one of 20 concurrent copies verifies');
    for (const v of verdicts.filter((x) => !x.isValid)) {
      assert.equal(v.invalidReason, 'duplicate_settlement');
      assert.match(v.invalidMessage ?? '', /being used by another request/);
      assert.doesNotMatch(v.invalidMessage ?? '', /test-a/, 'no instance id in answers');
    }
    const holder = { attempt: `att_copy_${verdicts.findIndex((v) => v.isValid)}` };
    assert.equal(
      (await f.verify(p.payload, p.requirements, holder)).isValid,
      true,
      'the holder may verify again',
    );
    assert.equal(
      (await f.verify(p.payload, p.requirements)).invalidReason,
      'duplicate_settlement',
      'anonymous too',
    );
    // another attempt cannot settle it; the holder can
    const stolen = await f.settle(p.payload, p.requirements, B);
    assert.equal(stolen.errorReason, 'duplicate_settlement');
    assert.equal((await f.settle(p.payload, p.requirements)).errorReason, 'duplicate_settlement');
    assert.equal(s.calls(), 0);
    assert.deepEqual(await f.settle(p.payload, p.requirements, holder), ok(1));
    const after = await f.verify(p.payload, p.requirements, holder);
    assert.equal(after.invalidReason, 'duplicate_settlement');
    assert.match(after.invalidMessage ?? '', /already settled in transaction 0x/);
    await ledger.close();
  });

  it('an anonymous verify reserves exclusively; an anonymous settle takes the reservation', async () => {
    const { ledger, s, f, p } = await okStack();
    assert.equal((await f.verify(p.payload, p.requirements)).isValid, true);
    assert.equal((await f.verify(p.payload, p.requirements)).invalidReason, 'duplicate_settlement');
    assert.equal((await f.settle(p.payload, p.requirements, A)).errorReason, 'duplicate_settlement');
    assert.deepEqual(await f.settle(p.payload, p.requirements), ok(1));
    assert.equal(s.calls(), 1);

    // behind API keys, an anonymous reservation is the key's: another key cannot settle it first
    const q = payment();
    assert.equal((await f.verify(q.payload, q.requirements, { principal: 'shop' })).isValid, true);
    const other = await f.settle(q.payload, q.requirements, { principal: 'mallory' });
    assert.equal(other.errorReason, 'duplicate_settlement');
    assert.equal((await f.settle(q.payload, q.requirements)).errorReason, 'duplicate_settlement');
    assert.deepEqual(await f.settle(q.payload, q.requirements, { principal: 'shop' }), ok(2));
    await ledger.close();
  });

  it('releases a reservation for its attempt only, and lets a lapsed one be reserved again', async () => {
    let clock = 1_000_000;
    const ledger = await createSqliteLedger({ path: ':memory:', now: () => clock });
    const s = scriptedScheme(async (n) => ok(n));
    const f = engine(s.scheme, ledger, { now: () => clock, reservationSkewMs: 1000 });
    const p = payment({ maxTimeoutSeconds: 5 });
    assert.equal((await f.verify(p.payload, p.requirements, A)).isValid, true);
    assert.deepEqual(await f.release?.(p.payload, p.requirements, B), { released: false });
    assert.deepEqual(await f.release?.(p.payload, p.requirements), { released: false });
    assert.equal((await f.verify(p.payload, p.requirements, B)).isValid, false);
    assert.deepEqual(await f.release?.(p.payload, p.requirements, A), { released: true });
    assert.equal((await f.verify(p.payload, p.requirements, B)).isValid, true, 'free again');
    clock += 5_000;
    assert.equal((await f.verify(p.payload, p.requirements, A)).isValid, false, 'B holds it for 5 s + 1 s');
    clock += 1_001;
    assert.equal((await f.verify(p.payload, p.requirements, A)).isValid, true, 'lapsed: A may take it');
    assert.equal((await f.settle(p.payload, p.requirements, B)).errorReason, 'duplicate_settlement');
    assert.deepEqual(await f.settle(p.payload, p.requirements, A), ok(1));
    await ledger.close();
  });

  it('refuses the same authorization with other requirements as duplicate_settlement', async () => {
    const { ledger, s, f, p } = await okStack();
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
    assert.equal((await f.verify(p.payload, p.requirements, A)).isValid, true);
    await f.settle(p.payload, p.requirements, A);
    const verdict = await f.verify(p.payload, p.requirements, A);
    assert.equal(verdict.isValid, false);
    assert.equal(verdict.invalidReason, 'duplicate_settlement');
    assert.match(verdict.invalidMessage ?? '', /already settled in transaction 0x/);
    await ledger.close();
  });

  it('releases a claim when nothing was sent (or the scheme threw), so a retry settles', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const s = scriptedScheme(async (n) => {
      if (n === 1) return failed('invalid_exact_evm_insufficient_balance');
      if (n === 2) throw new Error('rpc down');
      return ok(n);
    });
    const f = engine(s.scheme, ledger);
    const p = payment();
    assert.equal(
      (await f.settle(p.payload, p.requirements, A)).errorReason,
      'invalid_exact_evm_insufficient_balance',
    );
    assert.equal((await f.settle(p.payload, p.requirements, B)).errorReason, 'unexpected_settle_error');
    assert.deepEqual(await f.settle(p.payload, p.requirements), ok(3));
    assert.equal(s.calls(), 3);
    await ledger.close();
  });

  it('stores a reverted settlement as failed and a receipt timeout as pending, never sending again', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const reverted = failed('invalid_exact_evm_transaction_failed', TX(7));
    const pending = failed('settlement_pending', TX(8));
    const s = scriptedScheme(async (n) => (n === 1 ? reverted : pending));
    const f = engine(s.scheme, ledger);
    const [p1, p2] = [payment(), payment()];
    assert.deepEqual(await f.settle(p1.payload, p1.requirements, A), reverted);
    assert.deepEqual(await f.settle(p1.payload, p1.requirements, A), reverted);
    assert.deepEqual(await f.settle(p2.payload, p2.requirements, A), pending);
    assert.deepEqual(await f.settle(p2.payload, p2.requirements, A), pending);
    const other = await f.settle(p2.payload, p2.requirements, B);
    assert.equal(other.errorReason, 'duplicate_settlement', 'another request never gets the pending outcome');
    assert.equal(other.transaction, TX(8));
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
    await other.claim(key, { payloadHash: 'ignored', owner: 'slow-instance' });
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
    const s = gatedScheme();
    // two engines on one ledger object: the second waits on the ledger, not on a shared flight
    const a = engine(s.scheme, ledger, { instanceId: 'a' });
    const b = engine(s.scheme, ledger, { instanceId: 'b', waitMs: 80 });
    const p = payment();
    const first = a.settle(p.payload, p.requirements, A);
    await sleep(10);
    const key = identifyExactEvm({ x402Version: 2, ...p, scheme: s.scheme });
    assert.ok(key);
    await ledger.recordBroadcast(key, 'a', TX(11));
    const waited = await b.settle(p.payload, p.requirements, A);
    assert.equal(waited.success, false);
    assert.equal(waited.errorReason, 'settlement_pending');
    assert.equal(waited.transaction, TX(11));
    assert.doesNotMatch(waited.errorMessage ?? '', /\ba\b.*instance|on a\b/, 'no instance id in answers');
    s.release();
    assert.deepEqual(await first, ok(1));
    assert.deepEqual(await b.settle(p.payload, p.requirements, A), ok(1));
    assert.equal(s.calls(), 1);
    await ledger.close();
  });

  it('takes over a claim whose instance stopped heart-beating, for a retry of the same attempt only', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const s = scriptedScheme(async (n) => ok(n));
    const p = payment();
    const key = await deadClaim(ledger, p, 'crashed-instance');
    const f = engine(s.scheme, ledger, { claimLeaseMs: 20 });
    await sleep(40);
    assert.equal((await f.settle(p.payload, p.requirements, B)).errorReason, 'duplicate_settlement');
    assert.deepEqual(await f.settle(p.payload, p.requirements, A), ok(1));
    assert.equal((await ledger.get(key))?.owner, 'test-a');
    await ledger.close();
  });

  it('answers pending, never failed, when a taken-over claim finds its authorization used and no transfer', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const used = failed('invalid_exact_permit_nonce_already_used');
    const s = scriptedScheme(async () => used);
    const p = payment();
    const key = await deadClaim(ledger, p, 'crashed-instance');
    // the chain says nothing about where the nonce went (a TRON node cannot search logs)
    const f = engine(s.scheme, ledger, { claimLeaseMs: 20, reconcile: async () => undefined });
    await sleep(40);
    const answer = await f.settle(p.payload, p.requirements, A);
    assert.equal(answer.success, false);
    assert.equal(answer.errorReason, 'settlement_pending', 'the dead holder may have paid');
    assert.equal((await ledger.get(key))?.state, 'pending', 'kept for the reconciler');
    // a fresh claim meeting a used nonce (no earlier holder) is the scheme's refusal, as before
    const q = payment();
    const g = engine(s.scheme, ledger, { reconcile: async () => undefined });
    assert.equal((await g.settle(q.payload, q.requirements, A)).errorReason, used.errorReason);
    await ledger.close();
  });

  it('keeps a live claim alive by its heartbeat: a retry waits instead of taking it over', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const s = gatedScheme();
    // generous clocks: a loaded CI machine may delay a timer by a lease's third, not by a whole lease
    const a = engine(s.scheme, ledger, { instanceId: 'a', claimLeaseMs: 400 });
    const b = engine(s.scheme, ledger, { instanceId: 'b', claimLeaseMs: 400, waitMs: 1600 });
    const p = payment();
    const first = a.settle(p.payload, p.requirements, A);
    await sleep(10);
    const waited = await b.settle(p.payload, p.requirements, A);
    assert.equal(waited.errorReason, 'settlement_pending', 'the holder is alive after 4 leases');
    assert.equal(s.calls(), 1);
    s.release();
    assert.deepEqual(await first, ok(1));
    await ledger.close();
  });

  it('reconciles: a pending payment, a dead holder and a used authorization end settled', async () => {
    const ledger = await createSqliteLedger({ path: ':memory:' });
    const onChain = new Map<string, SettleResponse>();
    const reconcile: LedgerHooksOptions['reconcile'] = async (_call, record) => onChain.get(record.key.nonce);
    const pending = failed('settlement_pending', TX(21));
    const used = failed('invalid_exact_evm_nonce_already_used');
    const s = scriptedScheme(async (n) => (n === 1 ? pending : used));
    const f = engine(s.scheme, ledger, { reconcile, claimLeaseMs: 20 });
    const keyOf = (p: ReturnType<typeof payment>) => {
      const k = identifyExactEvm({ x402Version: 2, ...p, scheme: s.scheme });
      assert.ok(k);
      return k;
    };

    // 1. the receipt timed out; later the transaction is found mined
    const p1 = payment();
    assert.deepEqual(await f.settle(p1.payload, p1.requirements, A), pending);
    assert.deepEqual(await f.settle(p1.payload, p1.requirements, A), pending, 'not mined yet');
    const mined = { success: true, transaction: TX(21), network: NETWORK, payer: PAYER };
    onChain.set(keyOf(p1).nonce, mined);
    assert.deepEqual(await f.settle(p1.payload, p1.requirements, A), mined);
    assert.equal((await ledger.get(keyOf(p1)))?.state, 'settled');

    // 2. an instance claimed, sent and died: its transaction is found, nothing is sent again
    const p2 = payment();
    await deadClaim(ledger, p2, 'dead');
    const byDead = { success: true, transaction: TX(22), network: NETWORK, payer: PAYER };
    onChain.set(keyOf(p2).nonce, byDead);
    await sleep(40);
    assert.deepEqual(await f.settle(p2.payload, p2.requirements, A), byDead);
    assert.equal(s.calls(), 1);

    // 3. this instance's attempt finds the authorization used (front-run): stored as settled
    const p3 = payment();
    const frontRun = { success: true, transaction: TX(23), network: NETWORK, payer: PAYER };
    onChain.set(keyOf(p3).nonce, frontRun);
    assert.deepEqual(
      await f.settle(p3.payload, p3.requirements, A),
      frontRun,
      'the money moved: the answer is the front-run transaction, not our refusal',
    );
    assert.deepEqual(await f.settle(p3.payload, p3.requirements, A), frontRun, 'and so is every later try');
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
    const { ledger, s, f, p } = await okStack();
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
