/**
 * `x402kit devnet`: a local chain for x402 (anvil, an EIP-3009 USDC at its Base Sepolia
 * address, funded accounts). Prints ONE JSON line describing it on stdout when ready, runs until
 * SIGINT / SIGTERM, then stops anvil.
 */
import { startDevnet } from '@x402kit/devnet';
import { z } from 'zod';
import { type Command, ExitCode, UsageError, untilAborted } from '../command.js';
import { describeIssues, parseFlags, parseInteger } from '../options.js';

const usage = `Usage: x402kit devnet [--port 8545] [--chain-id 84532] [--quiet]

Start a local EVM chain for x402: anvil with an EIP-3009 USDC at the Base Sepolia USDC
address, Multicall3, and funded test accounts (payer, payTo, facilitator).

When ready, prints ONE JSON line on stdout:
  {"rpcUrl","chainId","network","accounts":{"payer","payTo","facilitator"},"assets":{"USDC"}}
then runs until Ctrl+C (SIGINT) or SIGTERM, and stops anvil.

Options:
  --port <n>       TCP port on 127.0.0.1 (default 8545; 0 picks a free one)
  --chain-id <n>   chain id (default 84532, Base Sepolia)
  --quiet          no progress on stderr
  -h, --help       show this help

The accounts' keys are public test keys: never use them on a real chain.`;

const DevnetOptions = z.object({
  port: z.number().int().min(0).max(65535).default(8545),
  chainId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).default(84532),
  quiet: z.boolean().default(false),
});

/**
 * The `devnet` command.
 *
 * @example
 * await devnetCommand.run(['--port', '0'], context) // prints the JSON line, returns 0 after SIGTERM
 */
export const devnetCommand: Command = {
  name: 'devnet',
  usage,
  async run(args, context) {
    const { values } = parseFlags({
      args,
      options: {
        port: { type: 'string' },
        'chain-id': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      context.stdout(`${usage}\n`);
      return ExitCode.ok;
    }
    const parsed = DevnetOptions.safeParse({
      port: parseInteger(values.port, '--port'),
      chainId: parseInteger(values['chain-id'], '--chain-id'),
      quiet: values.quiet,
    });
    if (!parsed.success) {
      throw new UsageError(describeIssues(parsed.error.issues, { port: '--port', chainId: '--chain-id' }));
    }
    const options = parsed.data;
    const progress = options.quiet ? undefined : (line: string) => context.stderr(`${line}\n`);
    progress?.(`devnet: starting anvil (chain ${options.chainId}, port ${options.port || 'any'}) ...`);
    const devnet = await startDevnet({
      port: options.port,
      chainId: options.chainId,
      ...(progress ? { log: progress } : {}),
    });
    try {
      if (context.signal.aborted) return ExitCode.ok; // stopped while starting: nothing to announce
      context.stdout(`${JSON.stringify(devnet.describe())}\n`);
      progress?.(`devnet: ready on ${devnet.rpcUrl}; press Ctrl+C to stop`);
      await untilAborted(context.signal);
      progress?.('devnet: stopping anvil ...');
    } finally {
      await devnet.stop();
    }
    progress?.('devnet: stopped');
    return ExitCode.ok;
  },
};
