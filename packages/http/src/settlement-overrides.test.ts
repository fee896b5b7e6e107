import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import {
  parseSettlementOverrides,
  resolveSettlementAmount,
  setSettlementOverrides,
} from './settlement-overrides.js';

const invalid = (fn: () => unknown, message: RegExp) =>
  assert.throws(
    fn,
    (e: unknown) => e instanceof X402Error && e.reason === 'invalid_price' && message.test(e.message),
  );

describe('settlement overrides', () => {
  it('resolves atomic amounts', () => {
    assert.equal(resolveSettlementAmount('1500', '2000', 6), '1500');
    assert.equal(resolveSettlementAmount('0', '2000', undefined), '0');
    assert.equal(resolveSettlementAmount('0002000', '2000', undefined), '2000');
    invalid(() => resolveSettlementAmount('2001', '2000', 6), /more than the authorized/);
  });

  it('resolves percentages of the authorized amount, rounded down, at most two decimals', () => {
    assert.equal(resolveSettlementAmount('50%', '2001', undefined), '1000');
    assert.equal(resolveSettlementAmount('100%', '2001', undefined), '2001');
    assert.equal(resolveSettlementAmount('0.5%', '1000', undefined), '5');
    assert.equal(resolveSettlementAmount('33.33%', '10000', undefined), '3333');
    assert.equal(resolveSettlementAmount('0%', '10000', undefined), '0');
    invalid(() => resolveSettlementAmount('100.01%', '100', 6), /more than 100%/);
    invalid(() => resolveSettlementAmount('1.234%', '100', 6), /not understood/);
  });

  it('resolves dollars scaled by the asset decimals, rounded half up', () => {
    assert.equal(resolveSettlementAmount('$0.05', '100000', 6), '50000');
    assert.equal(resolveSettlementAmount('$0.0000005', '100000', 6), '1');
    assert.equal(resolveSettlementAmount('$0.0000004', '100000', 6), '0');
    assert.equal(resolveSettlementAmount('$1', '10000000000000000000', 18), '1000000000000000000');
    invalid(() => resolveSettlementAmount('$0.05', '100000', undefined), /decimals are unknown/);
    invalid(() => resolveSettlementAmount('$1', '100000', 6), /more than the authorized/);
  });

  it('rejects anything else', () => {
    for (const raw of ['-1', '1e3', '0x10', '1,000', '$-1', '$.5', 'ten', '', '%']) {
      invalid(() => resolveSettlementAmount(raw, '1000', 6), /not understood/);
    }
  });

  it('parses the header and rejects malformed ones', () => {
    assert.deepEqual(parseSettlementOverrides('{"amount":"50%"}'), { amount: '50%' });
    assert.deepEqual(parseSettlementOverrides('{}'), {});
    invalid(() => parseSettlementOverrides('amount=1'), /not JSON/);
    invalid(() => parseSettlementOverrides('[1]'), /JSON object/);
    invalid(() => parseSettlementOverrides('{"amount":5}'), /must be a string/);
  });

  it('sets the header on a Response, Headers, a Node response or a Hono-style context', () => {
    const response = new Response('x');
    setSettlementOverrides(response, { amount: '1' });
    assert.equal(response.headers.get('settlement-overrides'), '{"amount":"1"}');
    const headers = new Headers();
    setSettlementOverrides(headers, { amount: '2' });
    assert.equal(headers.get('Settlement-Overrides'), '{"amount":"2"}');
    const node: Record<string, string> = {};
    setSettlementOverrides({ setHeader: (n: string, v: string) => (node[n] = v) }, { amount: '3' });
    assert.deepEqual(node, { 'Settlement-Overrides': '{"amount":"3"}' });
    const ctx: Record<string, string> = {};
    setSettlementOverrides({ header: (n: string, v: string) => (ctx[n] = v) }, { amount: '4' });
    assert.deepEqual(ctx, { 'Settlement-Overrides': '{"amount":"4"}' });
  });
});
