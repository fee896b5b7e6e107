import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCliToEnd } from '@x402kit/testing/spawn-cli';

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

describe('x402kit demo --scheme', () => {
  const txOf = (out: string): string => {
    const tx = /settled on-chain in transaction (0x[0-9a-f]{64})/.exec(out);
    assert.ok(tx?.[1], out);
    assert.match(out, new RegExp(`PAYMENT-RESPONSE: success, transaction ${tx[1]}`));
    return tx[1];
  };

  it('permit2: approves Permit2 once, pays exact through Permit2, moves exactly the price', async () => {
    const result = await runCliToEnd(['demo', '--scheme', 'permit2']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /extra \{"assetTransferMethod":"permit2"\}/);
    assert.match(out, /Permit2 \(0x000000000022D473030F116dDEE9F6B43aC78BA3\) may move 0 USDC/);
    assert.match(out, /approve\(Permit2, max\) once per token in transaction 0x[0-9a-f]{64}/);
    assert.match(out, /signed a Permit2 PermitWitnessTransferFrom for up to 0\.001 USDC/);
    txOf(out);
    assert.match(out, /Balances before: payer 1000 USDC, payee 0 USDC/);
    assert.match(out, /Balances after: {2}payer 999\.999 USDC \(-0\.001\), payee 0\.001 USDC \(\+0\.001\)/);
  });

  it('upto: authorizes the maximum, settles only what the handler charged', async () => {
    const result = await runCliToEnd(['demo', '--scheme', 'upto', '--price', '0.02', '--charge', '0.005']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /upto on eip155:84532: 20000 atomic units/);
    txOf(out);
    assert.match(out, /amount 5000/);
    assert.match(out, /upto: authorized at most 0\.02 USDC, charged 0\.005 USDC/);
    assert.match(out, /Balances after: {2}payer 999\.995 USDC \(-0\.005\), payee 0\.005 USDC \(\+0\.005\)/);
  });

  it('exact_permit on eip155:97: approves PaymentPermit, pays the payee and the fee recipient', async () => {
    const result = await runCliToEnd(['demo', '--network', 'eip155:97', '--scheme', 'exact_permit']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /USDT \(18 decimals\) at 0x337610d27c682E347C9cD60BD4b3b107C9d34dDd/);
    assert.match(out, /POST \/fee\/quote/);
    assert.match(out, /exact_permit on eip155:97: 10000000000000000 atomic units/);
    assert.match(out, /"feeAmount":"100000000000000"/);
    assert.match(out, /approve\(PaymentPermit, 0\.0101 USDT\) in transaction 0x[0-9a-f]{64}/);
    txOf(out);
    assert.match(out, /Balances before: payer 1000 USDT, payee 0 USDT, fee recipient 0 USDT/);
    assert.match(
      out,
      /Balances after: {2}payer 999\.9899 USDT \(-0\.0101\), payee 0\.01 USDT \(\+0\.01\), fee recipient 0\.0001 USDT \(\+0\.0001\)/,
    );
  });

  it('exact_permit on tron:nile: a TRON approval, then the payment settled in a TRON transaction', async () => {
    const result = await runCliToEnd(['demo', '--network', 'tron:nile']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /USDT \(no-bool TRC-20\) at TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf/);
    assert.match(out, /PaymentPermit at TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH/);
    assert.match(out, /exact_permit on tron:nile: 10000 atomic units \(0\.01 USDT\)/);
    assert.match(out, /approve\(PaymentPermit, unlimited\) in TRON transaction [0-9a-f]{64}/);
    const tx = /settled, TRON transaction ([0-9a-f]{64})/.exec(out);
    assert.ok(tx, out);
    assert.match(out, new RegExp(`PAYMENT-RESPONSE: success, TRON transaction ${tx[1]} on tron:nile`));
    assert.match(out, /Balances before: payer 1000 USDT, payee 1000 USDT/);
    assert.match(
      out,
      /Balances after: {2}payer 999\.9899 USDT \(-0\.0101\), payee 1000\.01 USDT \(\+0\.01\)/,
    );
  });

  it('exact_gasfree: a payer without TRX pays from its GasFree account, activation fee included', async () => {
    const result = await runCliToEnd(['demo', '--scheme', 'exact_gasfree']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /exact_gasfree on tron:nile: 10000 atomic units/);
    assert.match(out, /settled, TRON transaction [0-9a-f]{64}/);
    assert.match(out, /Balances before: payer GasFree account 5 USDT, payee 1000 USDT/);
    // 0.01 to the payee, 0.1 transfer fee and 1 activation fee to the provider
    assert.match(
      out,
      /Balances after: {2}payer GasFree account 3\.89 USDT \(-1\.11\), payee 1000\.01 USDT \(\+0\.01\)/,
    );
  });

  it('refuses bad combinations with exit code 2 and says what fits', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--scheme', 'foo'], /--scheme must be one of exact, permit2, upto, exact_permit, exact_gasfree/],
      [
        ['--network', 'tron:nile', '--scheme', 'upto'],
        /does not run on tron:nile; use --scheme exact_permit or exact_gasfree/,
      ],
      [['--network', 'tron:mainnet'], /the demo's TRON network is tron:nile/],
      [['--scheme', 'exact_permit', '--network', 'eip155:84532'], /exact_permit runs on eip155:97/],
      [['--network', 'eip155:97'], /--scheme exact runs on eip155:84532.*use --scheme exact_permit/],
      [['--scheme', 'upto', '--network', 'eip155:1'], /networks: eip155:84532, eip155:97, tron:nile/],
      [['--charge', '0.1'], /--charge only applies to --scheme upto/],
      [['--scheme', 'upto', '--price', '0.01', '--charge', '0.02'], /above the maximum/],
      [['--scheme', 'permit2', '--price', '1e-3'], /--price/],
    ];
    const runs = await Promise.all(cases.map(([args]) => runCliToEnd(['demo', ...args])));
    runs.forEach((run, i) => {
      assert.equal(run.code, 2, `${cases[i]?.[0].join(' ')}: ${run.stdout}`);
      assert.match(run.stderr, cases[i]?.[1] ?? /never/);
    });
  });
});
