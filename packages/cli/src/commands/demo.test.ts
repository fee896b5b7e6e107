import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCliToEnd } from '../testing/spawn-cli.js';

describe('x402kit demo', () => {
  it('narrates one real payment, shows moved balances, and exits 0', async () => {
    const result = await runCliToEnd(['demo']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /answered 402 Payment Required/);
    assert.match(out, /signed an EIP-3009 authorization for 0\.001 USDC/);
    assert.match(out, /facilitator: verified, isValid=true/);
    const tx = /settled on-chain in transaction (0x[0-9a-f]{64})/.exec(out);
    assert.ok(tx, out);
    assert.match(out, new RegExp(`PAYMENT-RESPONSE: success, transaction ${tx[1]}`));
    assert.match(out, /Balances before: payer 1000 USDC, payee 0 USDC/);
    assert.match(out, /Balances after: {2}payer 999\.999 USDC \(-0\.001\), payee 0\.001 USDC \(\+0\.001\)/);
  });

  it('takes another price and rejects a malformed one with exit code 2', async () => {
    const ok = await runCliToEnd(['demo', '--price', '0.25']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /payee 0\.25 USDC \(\+0\.25\)/);
    const bad = await runCliToEnd(['demo', '--price', '1e-3']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--price/);
  });
});
