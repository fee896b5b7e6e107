import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SettleResponse } from './protocol/schemas.js';
import { createSchemeLifetime } from './scheme-lifetime.js';

const settled = (transaction: string): SettleResponse => ({
  success: true,
  transaction,
  network: 'eip155:1',
  payer: '0xpayer',
});
const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

describe('createSchemeLifetime', () => {
  it('turns a thrown run into unexpected_*_error with the payer and network', async () => {
    const lifetime = createSchemeLifetime(describeError);
    assert.deepEqual(
      await lifetime.verify('0xpayer', async () => {
        throw new Error('node down');
      }),
      {
        isValid: false,
        invalidReason: 'unexpected_verify_error',
        invalidMessage: 'node down',
        payer: '0xpayer',
      },
    );
    assert.deepEqual(
      await lifetime.settle({ network: 'eip155:1', key: 'k', signal: undefined }, async () => {
        throw new Error('reverted');
      }),
      {
        success: false,
        errorReason: 'unexpected_settle_error',
        errorMessage: 'reverted',
        transaction: '',
        network: 'eip155:1',
      },
    );
  });

  it('shares one run between concurrent settles of one key, runs keyless ones alone', async () => {
    const lifetime = createSchemeLifetime(describeError);
    let runs = 0;
    const run = async () => settled(`0x${++runs}`);
    const call = { network: 'eip155:1', key: 'payment-1', signal: undefined };
    const [a, b] = await Promise.all([lifetime.settle(call, run), lifetime.settle(call, run)]);
    assert.equal(runs, 1);
    assert.deepEqual(a, b);
    await Promise.all([
      lifetime.settle({ ...call, key: undefined }, run),
      lifetime.settle({ ...call, key: undefined }, run),
    ]);
    assert.equal(runs, 3);
  });

  it('aborts running settlements on close and refuses later calls', async () => {
    const lifetime = createSchemeLifetime(describeError);
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const running = lifetime.settle({ network: 'eip155:1', key: 'k', signal: caller.signal }, (signal) => {
      seen = signal;
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    });
    lifetime.close();
    assert.equal(seen?.aborted, true);
    assert.equal((await running).errorMessage, 'aborted');
    assert.deepEqual(await lifetime.verify(undefined, async () => ({ isValid: true, payer: '0xpayer' })), {
      isValid: false,
      invalidReason: 'unexpected_verify_error',
      invalidMessage: 'the facilitator is closed',
    });
    let ran = false;
    const refused = await lifetime.settle(
      { network: 'eip155:1', payer: '0xp', key: 'k', signal: undefined },
      async () => {
        ran = true;
        return settled('0x1');
      },
    );
    assert.equal(ran, false);
    assert.deepEqual(
      [refused.success, refused.errorReason, refused.errorMessage, refused.payer],
      [false, 'unexpected_settle_error', 'the facilitator is closed', '0xp'],
    );
  });

  it("aborts a run's signal when the caller's aborts", async () => {
    const lifetime = createSchemeLifetime(describeError);
    const caller = new AbortController();
    let seen: AbortSignal | undefined;
    const running = lifetime.settle(
      { network: 'eip155:1', key: undefined, signal: caller.signal },
      (signal) => {
        seen = signal;
        return new Promise((resolve) => signal.addEventListener('abort', () => resolve(settled('0xlate'))));
      },
    );
    caller.abort();
    assert.equal((await running).transaction, '0xlate');
    assert.equal(seen?.aborted, true);
  });

  it("guard: a facilitator's verify and settle over its runs, with their payer, key and signal", async () => {
    const lifetime = createSchemeLifetime(describeError);
    const keys: Array<string | undefined> = [];
    const facilitator = lifetime.guard({
      payer: (payload) => String(payload.payload.from),
      settlementKey: (payload, requirements) => {
        const key = `${requirements.network}|${String(payload.payload.nonce)}`;
        keys.push(key);
        return key;
      },
      verify: async (payload) => ({ isValid: true, payer: String(payload.payload.from) }),
      settle: async (_payload, _requirements, ctx) =>
        settled(ctx.signal.aborted ? 'aborted' : `v${ctx.x402Version}`),
    });
    const payload = { x402Version: 2, accepted: {}, payload: { from: '0xpayer', nonce: 7 } } as never;
    const requirements = { network: 'eip155:1' } as never;
    assert.deepEqual(await facilitator.verify(payload, requirements, { x402Version: 2 }), {
      isValid: true,
      payer: '0xpayer',
    });
    assert.equal((await facilitator.settle(payload, requirements, { x402Version: 2 })).transaction, 'v2');
    assert.deepEqual(keys, ['eip155:1|7']);
    lifetime.close();
    const refused = await facilitator.settle(payload, requirements, { x402Version: 2 });
    assert.deepEqual([refused.errorMessage, refused.payer], ['the facilitator is closed', '0xpayer']);
  });
});
