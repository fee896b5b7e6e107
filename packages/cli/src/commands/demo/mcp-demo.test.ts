/** `x402kit demo --mcp`, spawned as a user runs it: an agent pays for one MCP tool call on the devnet. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCliToEnd } from '@x402kit/testing/spawn-cli';

describe('x402kit demo --mcp', () => {
  it('narrates one paid MCP tool call: the PaymentRequired, the transaction, the budget left, the balances, exit 0', async () => {
    const result = await runCliToEnd(['demo', '--mcp']);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /tools\/list: get_weather/);
    assert.match(out, /the tool answered isError with a PaymentRequired for mcp:\/\/tool\/get_weather/);
    assert.match(out, /exact on eip155:84532: 1000 atomic units \(0\.001 USDC\)/);
    assert.match(out, /agent: approves paying 0\.001 USDC to 0x[0-9a-fA-F]{40} for get_weather/);
    const tx = /settled the payment on-chain in transaction (0x[0-9a-f]{64})/.exec(out);
    assert.ok(tx?.[1], out);
    assert.match(out, /the tool answered: \{"city":"Lisbon","weather":"sunny","temperatureC":21\}/);
    assert.match(
      out,
      new RegExp(`_meta\\["x402/payment-response"\\]: success, transaction ${tx[1]} on eip155:84532`),
    );
    assert.match(out, /budget: spent 0\.001 of 0\.01 USD this session, 0\.009 USD left/);
    assert.match(out, /Balances before: payer 1000 USDC, payee 0 USDC/);
    assert.match(out, /Balances after: {2}payer 999\.999 USDC \(-0\.001\), payee 0\.001 USDC \(\+0\.001\)/);
  });

  it('takes --price, and refuses --scheme, --network, --charge or a bad price with exit code 2', async () => {
    const ok = await runCliToEnd(['demo', '--mcp', '--price', '0.005']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /budget: spent 0\.005 of 0\.01 USD this session, 0\.005 USD left/);
    assert.match(ok.stdout, /payee 0\.005 USDC \(\+0\.005\)/);
    for (const [args, message] of [
      [['--scheme', 'upto'], /--scheme does not apply to --mcp/],
      [['--network', 'tron:nile'], /--network does not apply to --mcp/],
      [['--charge', '0.001'], /--charge does not apply to --mcp/],
      [['--price', '1e-3'], /--price/],
    ] as const) {
      const bad = await runCliToEnd(['demo', '--mcp', ...args]);
      assert.equal(bad.code, 2, bad.stdout);
      assert.match(bad.stderr, message);
    }
  });
});
