/** `x402kit demo --scheme batch-settlement`, run in-process: one deposit, vouchers without a transaction, one claim. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExitCode } from '../../command.js';
import { demoCommand } from '../demo.js';

/** `x402kit demo <args>` in this process: its exit code (a thrown CliError's too), stdout and stderr. */
async function runCommand(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const context = {
    env: {},
    stdout: (text: string) => {
      out += text;
    },
    stderr: (text: string) => {
      err += text;
    },
    signal: new AbortController().signal,
  };
  const code = await demoCommand.run(args, context).catch((error: { exitCode?: number; message: string }) => {
    err += error.message;
    return error.exitCode ?? -1;
  });
  return { code, out, err };
}

const runDemo = (args: string[]) => runCommand(['--scheme', 'batch-settlement', ...args]);

const hashes = (out: string, pattern: RegExp) => [...out.matchAll(pattern)].map((m) => m[1]);

describe('x402kit demo --scheme batch-settlement', () => {
  it('one deposit, then 100 paid requests with no transaction, one claim and a sweep: receiver + 101 x price, refund of the rest', async () => {
    const { code, out, err } = await runDemo([]);
    assert.equal(code, ExitCode.ok, `${err}\n${out}`);
    assert.match(out, /batch-settlement on eip155:84532: 1000 atomic units \(0\.001 USDC\)/);
    assert.match(out, /"receiverAuthorizer":"0x[0-9a-fA-F]{40}","withdrawDelay":900/);
    assert.match(out, /Balances before: payer 1000 USDC, escrow 0 USDC, receiver 0 USDC/);
    assert.match(
      out,
      /6\. Client: 100 more paid requests, each a cumulative voucher signed off-chain, no transaction/,
    );
    const deposits = hashes(out, /ONE deposit transaction, relayed by the facilitator: (0x[0-9a-f]{64})/g);
    assert.equal(deposits.length, 1, out);
    assert.match(out, /the escrow holds 0\.122 USDC for the channel; charged so far 0\.001 USDC/);
    assert.match(
      out,
      /request 101: 200, PAYMENT-RESPONSE transaction "" \(a voucher\), charged so far 0\.101 USDC/,
    );
    const chain =
      /chain during them: block (\d+) -> (\d+), transactions sent: (\d+), payer nonce (\d+) -> (\d+), facilitator nonce (\d+) -> (\d+), escrow events: (\d+)/.exec(
        out,
      );
    assert.ok(chain, out);
    const [, b0, b1, sent, p0, p1, f0, f1, events] = chain;
    assert.equal(b1, b0, 'no block during the vouchers');
    assert.equal(sent, '0');
    assert.equal(p1, p0);
    assert.equal(f1, f0);
    assert.equal(events, '0');
    assert.match(out, /balances unchanged: payer 999\.878 USDC, escrow 0\.122 USDC, receiver 0 USDC/);
    assert.equal(hashes(out, /claim of 1 channel\(s\) in transaction (0x[0-9a-f]{64})/g).length, 1, out);
    assert.match(out, /sweep of 0\.101 USDC to the receiver in transaction 0x[0-9a-f]{64}/);
    assert.match(out, /Balances after: {2}payer 999\.878 USDC, escrow 0\.021 USDC, receiver 0\.101 USDC/);
    assert.match(out, /receiver 0 USDC \+ 101 x 0\.001 USDC = 0\.101 USDC \(exact\)/);
    assert.match(out, /refunded 0\.021 USDC in transaction 0x[0-9a-f]{64}/);
    assert.match(out, /Balances final: {2}payer 999\.899 USDC, escrow 0 USDC, receiver 0\.101 USDC/);
    assert.match(out, /payer paid exactly 0\.101 USDC = 101 x 0\.001 USDC/);
  });

  it('takes --price and --requests: receiver + (n + 1) x price (the deposit request is paid too)', async () => {
    const { code, out, err } = await runDemo(['--price', '0.25', '--requests', '7']);
    assert.equal(code, ExitCode.ok, `${err}\n${out}`);
    assert.match(out, /transactions sent: 0,/);
    assert.match(out, /receiver 0 USDC \+ 8 x 0\.25 USDC = 2 USDC \(exact\)/);
    assert.match(out, /payer paid exactly 2 USDC = 8 x 0\.25 USDC/);
  });

  it('refuses bad --requests, --price, --network and --charge with exit code 2', async () => {
    for (const [args, message] of [
      [['--requests', '0'], /--requests must be a whole number from 1 to 10000/],
      [['--requests', '1.5'], /--requests must be a whole number/],
      [['--price', '1e-3'], /--price/],
      [['--price', '0'], /--price must be above 0/],
      [['--network', 'eip155:97'], /runs on eip155:84532 in the demo, not eip155:97/],
      [['--charge', '0.001'], /--charge only applies to --scheme upto/],
    ] as const) {
      const bad = await runDemo([...args]);
      assert.equal(bad.code, ExitCode.usage, `${args.join(' ')}: ${bad.out}`);
      assert.match(bad.err, message);
    }
    const stray = await runCommand(['--requests', '5']);
    assert.equal(stray.code, ExitCode.usage);
    assert.match(stray.err, /--requests only applies to --scheme batch-settlement/);
  });
});
