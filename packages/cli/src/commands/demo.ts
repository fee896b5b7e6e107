import { z } from 'zod';
import { type Command, UsageError } from '../command.js';
import { defineCommand } from '../define-command.js';
import { describeIssues } from '../options.js';
import { runBatchSettlementDemo } from './demo/batch-settlement-demo.js';
import { BASE_SEPOLIA, parseDemoMode } from './demo/demo-mode.js';
import { runDemo } from './demo/exact-demo.js';
import { runMcpDemo } from './demo/mcp-demo.js';
import { runSchemeDemo } from './demo/scheme-demo.js';
import { runSolanaDemo } from './demo/solana-demo.js';
import { runTronDemo } from './demo/tron-demo.js';

const usage = `Usage: x402kit demo [--scheme exact|permit2|upto|exact_permit|exact_gasfree] [--network <caip2>] [--price <usd>] [--charge <usd>]
       x402kit demo --scheme batch-settlement [--price <usd>] [--requests <n>]
       x402kit demo --mcp [--price <usd>]

Run one real x402 payment on a local chain and narrate it: a devnet (anvil with USDC at Base
Sepolia's address), a facilitator and a paid API start on 127.0.0.1; a client asks for the API,
gets 402 Payment Required, signs an EIP-3009 authorization, retries; the facilitator verifies
and settles it on-chain; the balances before and after are shown. Everything stops at the end.

Schemes (each a real payment on a local chain):
  exact          (default) EIP-3009 transferWithAuthorization, USDC on eip155:84532
  permit2        exact via Permit2, USDC on eip155:84532, with the one-time Permit2 approval
  upto           a maximum via Permit2 on eip155:84532; the API charges less (Settlement-Overrides)
  exact_permit   BofAI PaymentPermit, 18-decimal USDT on eip155:97 (BSC testnet), with a facilitator fee;
                 with --network tron:nile, on an offline TRON Nile (local TRON node, TIP-712, TRON USDT)
  exact_gasfree  GasFree on the offline TRON Nile: the payer holds no TRX, a GasFree provider settles
  batch-settlement  one deposit into the x402BatchSettlement escrow, then --requests paid calls
                 (default 100) each with a cumulative voucher and NO transaction (the chain is
                 counted around them), ONE claim transaction and a sweep to the receiver, and the
                 cooperative refund of the rest; USDC on eip155:84532
  exact on solana:devnet  SPL TransferChecked of devnet USDC on a local Solana devnet (litesvm), the
                 facilitator's fee payer co-signs and pays the fee

With --mcp: an agent pays for one MCP tool call. An MCP server whose get_weather tool costs USDC
(exact, EIP-3009) runs over streamable HTTP; an MCP client (the MCP SDK's Client wrapped by
@x402kit/mcp) with a $0.01 session budget calls it, gets the PaymentRequired, approves and pays; the
result, the transaction, the budget left and the balances are shown.

Options:
  --mcp              pay for an MCP tool call instead of an HTTP API call (exact on eip155:84532)
  --scheme <name>    payment method (default exact)
  --network <caip2>  eip155:84532 (exact, permit2, upto), eip155:97 (exact_permit), tron:nile
                     (exact_permit, exact_gasfree) or solana:devnet (exact); default follows --scheme
  --price <usd>      price of the API call (default 0.001; upto: the maximum, default 0.01; exact_permit
                     and solana:devnet: 0.01)
  --charge <usd>     upto only: what the API actually charges (default 40% of the maximum)
  --requests <n>     batch-settlement only: paid requests with no transaction after the one that
                     deposits, 1 to 10000 (default 100)
  -h, --help         show this help`;

/** Solana devnet's id forms the demo accepts (its name and its CAIP-2 id). */
const SOLANA_DEVNET_IDS = new Set(['solana:devnet', 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1']);

/** The payment methods the demo can narrate; `exact` is the original EIP-3009 demo. */
const DemoOptions = z.object({
  price: z
    .string()
    .regex(/^\d+(\.\d{1,6})?$/, 'must be a decimal USDC amount with at most 6 decimals, e.g. 0.001')
    .default('0.001'),
});

const BATCH_SETTLEMENT = 'batch-settlement';

/** `--price` and `--requests` of the batch-settlement demo, checked (it runs on Base Sepolia's USDC only). */
function batchOptions(values: {
  price?: string | undefined;
  network?: string | undefined;
  charge?: string | undefined;
  requests?: string | undefined;
}): { price: string; requests: number } {
  if (values.network !== undefined && values.network !== BASE_SEPOLIA)
    throw new UsageError(
      `--scheme ${BATCH_SETTLEMENT} runs on ${BASE_SEPOLIA} in the demo, not ${values.network}`,
    );
  if (values.charge !== undefined) throw new UsageError('--charge only applies to --scheme upto');
  const parsed = DemoOptions.safeParse({ price: values.price });
  if (!parsed.success) throw new UsageError(describeIssues(parsed.error.issues, { price: '--price' }));
  const requests = values.requests ?? '100';
  if (!/^\d{1,5}$/.test(requests) || Number(requests) < 1 || Number(requests) > 10_000)
    throw new UsageError(
      `--requests must be a whole number from 1 to 10000 (got ${JSON.stringify(requests)})`,
    );
  if (Number(parsed.data.price) <= 0) throw new UsageError('--price must be above 0 for batch-settlement');
  return { price: parsed.data.price, requests: Number(requests) };
}

/**
 * The `demo` command.
 *
 * @example
 * await demoCommand.run([], context) // narrates a payment, returns 0
 */
export const demoCommand: Command = defineCommand({
  name: 'demo',
  usage,
  options: {
    price: { type: 'string' },
    scheme: { type: 'string' },
    network: { type: 'string' },
    charge: { type: 'string' },
    requests: { type: 'string' },
    mcp: { type: 'boolean' },
  },
  async run({ values }, context) {
    if (values.mcp) {
      for (const flag of ['scheme', 'network', 'charge', 'requests'] as const) {
        if (values[flag] !== undefined)
          throw new UsageError(`--${flag} does not apply to --mcp (exact on eip155:84532)`);
      }
      const parsed = DemoOptions.safeParse({ price: values.price });
      if (!parsed.success) throw new UsageError(describeIssues(parsed.error.issues, { price: '--price' }));
      return runMcpDemo(parsed.data.price, context.stdout);
    }
    if (values.scheme === BATCH_SETTLEMENT)
      return runBatchSettlementDemo(batchOptions(values), context.stdout);
    if (values.requests !== undefined)
      throw new UsageError('--requests only applies to --scheme batch-settlement');
    if (values.network?.toLowerCase().startsWith('solana:')) {
      if (!SOLANA_DEVNET_IDS.has(values.network))
        throw new UsageError(
          `--network ${values.network}: the demo's Solana network is solana:devnet (local)`,
        );
      if (values.scheme !== undefined && values.scheme !== 'exact')
        throw new UsageError(`--scheme ${values.scheme} does not run on solana:devnet; use --scheme exact`);
      if (values.charge !== undefined) throw new UsageError('--charge only applies to --scheme upto');
      const parsed = DemoOptions.safeParse({ price: values.price ?? '0.01' });
      if (!parsed.success) throw new UsageError(describeIssues(parsed.error.issues, { price: '--price' }));
      return runSolanaDemo(parsed.data.price, context.stdout);
    }
    const mode = parseDemoMode(values);
    if (mode.scheme === 'exact') {
      const parsed = DemoOptions.safeParse({ price: values.price });
      if (!parsed.success) throw new UsageError(describeIssues(parsed.error.issues, { price: '--price' }));
      return runDemo(parsed.data.price, context.stdout);
    }
    if ('tron' in mode) return runTronDemo(mode, context.stdout);
    return runSchemeDemo(mode, context.stdout);
  },
});
