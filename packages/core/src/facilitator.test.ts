import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFacilitator } from './facilitator.js';
import type { PaymentPayload, PaymentRequirements } from './protocol/schemas.js';
import type { SchemeFacilitator, SchemeFacilitatorContext } from './scheme.js';

/** A scheme that records what the engine hands it, to test dispatch and normalization. */
function recordingScheme(scheme = 'exact') {
  const calls: Array<{
    op: string;
    payload: PaymentPayload;
    requirements: PaymentRequirements;
    ctx: SchemeFacilitatorContext;
  }> = [];
  const facilitator: SchemeFacilitator = {
    scheme,
    family: 'eip155:*',
    getSigners: () => ['0xFac'],
    getExtra: (network) => (network === 'eip155:84532' ? { hint: 1 } : undefined),
    async verify(payload, requirements, ctx) {
      calls.push({ op: 'verify', payload, requirements, ctx });
      if (payload.payload.boom) throw new Error('node down');
      return { isValid: true, payer: '0xPayer' };
    },
    async settle(payload, requirements, ctx) {
      calls.push({ op: 'settle', payload, requirements, ctx });
      return { success: true, transaction: '0xtx', network: requirements.network, payer: '0xPayer' };
    },
  };
  return { facilitator, calls };
}

const requirements: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1000',
  asset: '0xA',
  payTo: '0xB',
  maxTimeoutSeconds: 60,
  extra: { name: 'USDC', version: '2' },
};
const payload: PaymentPayload = { x402Version: 2, accepted: requirements, payload: { signature: '0x' } };

describe('createFacilitator', () => {
  it('dispatches v2 by scheme and network', async () => {
    const s = recordingScheme();
    const f = createFacilitator({
      schemes: [{ networks: ['eip155:84532', 'eip155:8453'], facilitator: s.facilitator }],
    });
    assert.deepEqual(await f.verify(payload, requirements), { isValid: true, payer: '0xPayer' });
    assert.equal(s.calls[0]?.ctx.x402Version, 2);
  });

  it('normalizes v1 documents and answers with v1 network names', async () => {
    const s = recordingScheme();
    const f = createFacilitator({ schemes: [{ networks: 'base-sepolia', facilitator: s.facilitator }] });
    const v1Req = {
      scheme: 'exact',
      network: 'base-sepolia',
      maxAmountRequired: '1000',
      resource: 'http://x/y',
      description: '',
      mimeType: '',
      payTo: '0xB',
      maxTimeoutSeconds: 60,
      asset: '0xA',
      extra: { name: 'USDC', version: '2' },
    };
    const v1Payload = {
      x402Version: 1,
      scheme: 'exact',
      network: 'base-sepolia',
      payload: { signature: '0x' },
    };
    const result = await f.settle(v1Payload, v1Req);
    assert.equal(result.network, 'base-sepolia');
    const call = s.calls[0]!;
    assert.equal(call.ctx.x402Version, 1);
    assert.equal(call.requirements.network, 'eip155:84532');
    assert.equal(call.requirements.amount, '1000');
    assert.equal(call.payload.accepted.network, 'eip155:84532');
  });

  it('answers unsupported schemes and networks with a reason instead of throwing', async () => {
    const s = recordingScheme();
    const f = createFacilitator({ schemes: [{ networks: 'eip155:84532', facilitator: s.facilitator }] });
    const upto = { ...requirements, scheme: 'upto' };
    assert.equal((await f.verify({ ...payload, accepted: upto }, upto)).invalidReason, 'unsupported_scheme');
    const base = { ...requirements, network: 'eip155:8453' };
    assert.equal((await f.verify({ ...payload, accepted: base }, base)).invalidReason, 'invalid_network');
    const settled = await f.settle({ ...payload, accepted: base }, base);
    assert.deepEqual(
      [settled.success, settled.errorReason, settled.transaction],
      [false, 'invalid_network', ''],
    );
    assert.equal(s.calls.length, 0);
  });

  it('rejects malformed documents with the field named', async () => {
    const f = createFacilitator({
      schemes: [{ networks: 'eip155:84532', facilitator: recordingScheme().facilitator }],
    });
    const r1 = await f.verify({ x402Version: 2, accepted: requirements }, requirements);
    assert.equal(r1.invalidReason, 'invalid_payload');
    assert.match(r1.invalidMessage ?? '', /payload/);
    const r2 = await f.verify(payload, { ...requirements, amount: 'ten' });
    assert.equal(r2.invalidReason, 'invalid_payment_requirements');
    assert.match(r2.invalidMessage ?? '', /amount/);
    // v1 documents: the same refusals, the requirements one on the payload's (v1) network
    const v1Payload = { x402Version: 1, scheme: 'exact', network: 'base-sepolia', payload: {} };
    const r3 = await f.verify({ ...v1Payload, network: 7 }, {});
    assert.deepEqual([r3.invalidReason, /network/.test(r3.invalidMessage ?? '')], ['invalid_payload', true]);
    const r4 = await f.settle(v1Payload, { scheme: 'exact', network: 'base-sepolia' });
    assert.deepEqual([r4.errorReason, r4.network], ['invalid_payment_requirements', 'base-sepolia']);
    assert.equal((await f.verify({ x402Version: 7 }, requirements)).invalidReason, 'invalid_x402_version');
    assert.equal((await f.verify(null, null)).invalidReason, 'invalid_x402_version');
  });

  it('turns a scheme exception into unexpected_verify_error', async () => {
    const f = createFacilitator({
      schemes: [{ networks: 'eip155:84532', facilitator: recordingScheme().facilitator }],
    });
    const r = await f.verify({ ...payload, payload: { boom: true } }, requirements);
    assert.deepEqual(r, {
      isValid: false,
      invalidReason: 'unexpected_verify_error',
      invalidMessage: 'node down',
    });
  });

  it('lets a beforeSettle hook answer with a recorded outcome', async () => {
    const s = recordingScheme();
    const recorded = { success: true, transaction: '0xfirst', network: 'eip155:84532' };
    const f = createFacilitator({
      schemes: [{ networks: 'eip155:84532', facilitator: s.facilitator }],
      hooks: { beforeSettle: () => ({ result: recorded }) },
    });
    assert.deepEqual(await f.settle(payload, requirements), recorded);
    assert.equal(s.calls.length, 0);
  });

  it('lists concrete kinds for both versions, extras and signers', async () => {
    const f = createFacilitator({
      schemes: [{ networks: ['eip155:84532', 'eip155:31337'], facilitator: recordingScheme().facilitator }],
      extensions: ['payment-identifier'],
    });
    const supported = await f.supported();
    assert.deepEqual(supported.kinds, [
      { x402Version: 2, scheme: 'exact', network: 'eip155:84532', extra: { hint: 1 } },
      { x402Version: 1, scheme: 'exact', network: 'base-sepolia', extra: { hint: 1 } },
      { x402Version: 2, scheme: 'exact', network: 'eip155:31337' },
    ]);
    assert.deepEqual(supported.signers, { 'eip155:*': ['0xFac'] });
    assert.deepEqual(supported.extensions, ['payment-identifier']);
  });
});

describe('createFacilitator afterSettle', () => {
  it('sees the outcome of a settle that threw', async () => {
    const seen: string[] = [];
    const throwing: SchemeFacilitator = {
      ...recordingScheme().facilitator,
      settle: async () => {
        throw new Error('rpc exploded');
      },
    };
    const f = createFacilitator({
      schemes: [{ networks: 'eip155:84532', facilitator: throwing }],
      hooks: { afterSettle: (_call, r) => void seen.push(`${r.success}:${r.errorReason}`) },
    });
    const r = await f.settle(payload, requirements);
    assert.equal(r.errorReason, 'unexpected_settle_error');
    assert.deepEqual(seen, ['false:unexpected_settle_error']);
  });
});

describe('createFacilitator broadcast and replacement hooks', () => {
  it('forwards onBroadcast and lets afterSettle replace the answer', async () => {
    const seen: string[] = [];
    const broadcasting: SchemeFacilitator = {
      ...recordingScheme().facilitator,
      settle: async (_p, r, ctx) => {
        await ctx.onBroadcast?.('0xsent');
        return {
          success: false,
          errorReason: 'invalid_exact_evm_nonce_already_used',
          transaction: '0xsent',
          network: r.network,
        };
      },
    };
    const f = createFacilitator({
      schemes: [{ networks: 'eip155:84532', facilitator: broadcasting }],
      hooks: {
        onBroadcast: (_call, tx) => void seen.push(tx),
        afterSettle: (_call, r) => ({
          result: { ...r, success: true, errorReason: undefined, transaction: '0xfirst' },
        }),
      },
    });
    const r = await f.settle(payload, requirements);
    assert.deepEqual(seen, ['0xsent']);
    assert.equal(r.success, true);
    assert.equal(r.transaction, '0xfirst');
  });
});
