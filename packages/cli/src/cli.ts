/**
 * `x402kit [--help | --version | <command> [args]]`: finds the command, runs it, and turns its
 * errors into a message on stderr and an exit code.
 */
import { busyPortMessage } from './busy-port.js';
import { type CliContext, CliError, ExitCode } from './command.js';
import { COMMANDS } from './commands.js';
import { readVersion } from './version.js';

/**
 * The top-level help text.
 *
 * @example process.stdout.write(cliUsage())
 */
export function cliUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: x402kit <command> [options]

x402 payments from the command line: a local chain, a facilitator, a paying client.

Commands:
${lines.join('\n')}

Options:
  -h, --help       show this help (x402kit <command> --help for a command's options)
  -v, --version    print the version

Example:
  x402kit devnet --port 8545
`;
}

/**
 * Run the CLI with `argv` (without `node` and the script). Resolves with the exit code; never
 * throws.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), context)
 */
export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    context.stderr(cliUsage());
    return ExitCode.usage;
  }
  if (first === '--help' || first === '-h') {
    context.stdout(cliUsage());
    return ExitCode.ok;
  }
  if (first === '--version' || first === '-v') {
    context.stdout(`${readVersion()}\n`);
    return ExitCode.ok;
  }
  if (first === 'help') {
    return rest[0] === undefined ? runCli(['--help'], context) : runCli([rest[0], '--help'], context);
  }
  const entry = COMMANDS.find((c) => c.name === first);
  if (!entry) {
    const what = first.startsWith('-') ? `unknown option "${first}"` : `unknown command "${first}"`;
    context.stderr(
      `x402kit: ${what}; commands: ${COMMANDS.map((c) => c.name).join(', ')} (x402kit --help)\n`,
    );
    return ExitCode.usage;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, context);
  } catch (error) {
    const busy = busyPortMessage(error);
    if (busy) {
      context.stderr(`x402kit ${entry.name}: ${busy}\n`);
      return ExitCode.failure;
    }
    if (error instanceof CliError) {
      const hint = error.exitCode === ExitCode.usage ? ` (x402kit ${entry.name} --help)` : '';
      context.stderr(`x402kit ${entry.name}: ${error.message}${hint}\n`);
      return error.exitCode;
    }
    // anvil that cannot start (not found, port taken) is the machine's setup, not a bug: the message says
    // what was looked for and how to fix it, so no stack trace.
    if (error instanceof Error && 'reason' in error && error.reason === 'devnet_anvil_start_failed') {
      context.stderr(`x402kit ${entry.name}: ${error.message}\n`);
      return ExitCode.failure;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    context.stderr(`x402kit ${entry.name}: unexpected error: ${detail}\n`);
    return ExitCode.failure;
  }
}
