import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFacilitator } from '@x402kit/core';
import { baseSepoliaUsdcRequirements, signatureScheme } from '@x402kit/testing/signature-scheme';
import { createMetrics } from './metrics.js';
import { createFacilitatorService } from './service.js';

const requirements = baseSepoliaUsdcRequirements();

const verify = (signature: string) =>
  new Request('http://facilitator.test/verify', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      x402Version: 2,
      paymentPayload: { x402Version: 2, accepted: requirements, payload: { signature } },
      paymentRequirements: requirements,
    }),
  });

describe('createMetrics', () => {
  it('counts verifications by result and reason, times them, and counts HTTP requests', async () => {
    const metrics = createMetrics();
    const facilitator = createFacilitator({
      schemes: [{ networks: 'eip155:84532', facilitator: signatureScheme() }],
    });
    const service = createFacilitatorService({ facilitator, observe: metrics.observe });
    assert.doesNotMatch(await metrics.render(), /x402kit_verify_total\{/);

    await service.fetch(verify('0x01'));
    await service.fetch(verify('0x01'));
    await service.fetch(verify('0x02'));
    await service.fetch(new Request('http://facilitator.test/nowhere'));
    const text = await metrics.render();

    assert.match(
      text,
      /^x402kit_verify_total\{scheme="exact",network="eip155:84532",result="valid",reason=""\} 2$/m,
    );
    assert.match(
      text,
      /^x402kit_verify_total\{scheme="exact",network="eip155:84532",result="invalid",reason="invalid_exact_evm_signature"\} 1$/m,
    );
    assert.match(
      text,
      /^x402kit_verify_seconds_bucket\{le="\+Inf",scheme="exact",network="eip155:84532"\} 3$/m,
    );
    assert.match(text, /^x402kit_verify_seconds_count\{scheme="exact",network="eip155:84532"\} 3$/m);
    assert.match(text, /^# TYPE x402kit_settle_seconds histogram$/m);
    assert.match(text, /^x402kit_http_requests_total\{endpoint="verify",status="200"\} 3$/m);
    assert.match(text, /^x402kit_http_requests_total\{endpoint="unknown",status="404"\} 1$/m);
  });

  it('escapes label values', async () => {
    const metrics = createMetrics();
    metrics.observe({
      endpoint: 'settle',
      method: 'POST',
      path: '/settle',
      status: 200,
      durationMs: 12,
      scheme: 'ex"act',
      network: 'a\\b',
      outcome: 'failed',
      reason: 'line\nbreak',
    });
    assert.match(
      await metrics.render(),
      /x402kit_settle_total\{scheme="ex\\"act",network="a\\\\b",result="failed",reason="line\\nbreak"\} 1/,
    );
  });

  it('creates the gauges on first use, one balance gauge per unit, and counts reconciler and sponsored gas', async () => {
    const metrics = createMetrics();
    assert.doesNotMatch(await metrics.render(), /x402kit_relayer_balance_|x402kit_pending_settlements/);
    const relayer = { network: 'eip155:84532', address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906' };
    metrics.setGauge('x402kit_relayer_balance_wei', relayer, 5_000_000_000_000_000n);
    metrics.setGauge('x402kit_relayer_balance_sun', { network: 'tron:nile', address: 'TXYZ' }, 7n);
    metrics.setGauge('x402kit_relayer_nonce_lag', relayer, 2);
    metrics.setGauge('x402kit_pending_settlements', {}, 3);
    metrics.setGauge('x402kit_pending_settlements', {}, 0);
    metrics.countReconciled('settled', 2);
    metrics.countReconciled('failed', 0);
    metrics.countSponsoredGas({ network: 'eip155:84532', kind: 'erc6492_deployment' }, 21_000n);
    metrics.countSponsoredGas({ network: 'eip155:84532', kind: 'erc6492_deployment' }, 0n);
    metrics.observe({ endpoint: 'verify', method: 'POST', path: '/verify', status: 200, durationMs: 7 });
    const text = await metrics.render();
    assert.match(
      text,
      /^# HELP x402kit_relayer_balance_wei Native balance of each settlement key \(it pays the fees\), in wei\.$/m,
    );
    assert.match(text, /^# TYPE x402kit_relayer_balance_wei gauge$/m);
    assert.match(
      text,
      /^x402kit_relayer_balance_wei\{network="eip155:84532",address="0x90F79bf6EB2c4f870365E785982E1f101E93b906"\} 5000000000000000$/m,
    );
    assert.match(text, /^x402kit_relayer_balance_sun\{network="tron:nile",address="TXYZ"\} 7$/m);
    assert.match(
      text,
      /^# HELP x402kit_relayer_nonce_lag Transactions of each relayer key sent but not yet mined/m,
    );
    assert.match(text, /^x402kit_relayer_nonce_lag\{network="eip155:84532",address="0x90F7.*"\} 2$/m);
    assert.match(text, /^x402kit_pending_settlements 0$/m);
    assert.match(text, /^x402kit_reconciled_total\{result="settled"\} 2$/m);
    assert.doesNotMatch(text, /x402kit_reconciled_total\{result="failed"\}/);
    assert.match(
      text,
      /^x402kit_gas_sponsored_wei_total\{network="eip155:84532",kind="erc6492_deployment"\} 21000$/m,
    );
    // a verify without a well-formed body still counts, under empty scheme and network: 7 ms is in every bucket from 10 ms
    const buckets = [
      ...text.matchAll(/^x402kit_verify_seconds_bucket\{le="([^"]+)",scheme="",network=""\} 1$/gm),
    ];
    assert.deepEqual(
      buckets.map((m) => m[1]),
      ['0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '+Inf'],
    );
    assert.match(text, /^x402kit_verify_total\{scheme="",network="",result="error",reason=""\} 1$/m);
  });
});
