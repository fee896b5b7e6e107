/** `x402kit demo --network solana:devnet`, spawned as a user runs it: one real payment on the local Solana devnet. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCliToEnd } from '@x402kit/testing/spawn-cli';

describe('x402kit demo --network solana:devnet', () => {
  it('narrates one real payment: the signature, payer -0.01 USDC, payee +0.01 USDC, exit 0', async () => {
    const result = await runCliToEnd(['demo', '--network', 'solana:devnet']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /answered 402 Payment Required/);
    assert.match(out, /exact on solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1: 10000 atomic units \(0\.01 USDC\)/);
    assert.match(out, /extra \{"feePayer":"[1-9A-HJ-NP-Za-km-z]{32,44}"\}/);
    assert.match(out, /facilitator: verified, isValid=true/);
    const signature = /co-signed, sent and confirmed; signature ([1-9A-HJ-NP-Za-km-z]{64,88})\n/.exec(out);
    assert.ok(signature?.[1], out);
    assert.match(out, new RegExp(`PAYMENT-RESPONSE: success, signature ${signature[1]} on solana:`));
    assert.match(out, /Balances before: payer 1000 USDC, payee 0 USDC/);
    assert.match(out, /Balances after: {2}payer 999\.99 USDC \(-0\.01\), payee 0\.01 USDC \(\+0\.01\)/);
    assert.match(out, /payer 0 SOL/);
  });

  it('takes --price, and refuses another scheme, another Solana network or a bad price (exit 2)', async () => {
    const ok = await runCliToEnd(['demo', '--network', 'solana:devnet', '--price', '0.25']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /payer 999\.75 USDC \(-0\.25\), payee 0\.25 USDC \(\+0\.25\)/);
    for (const [args, message] of [
      [['--network', 'solana:devnet', '--scheme', 'upto'], /--scheme upto does not run on solana:devnet/],
      [['--network', 'solana:mainnet'], /the demo's Solana network is solana:devnet/],
      [['--network', 'solana:devnet', '--price', '1e-3'], /--price/],
    ] as const) {
      const bad = await runCliToEnd(['demo', ...args]);
      assert.equal(bad.code, 2, bad.stdout);
      assert.match(bad.stderr, message);
    }
  });
});
