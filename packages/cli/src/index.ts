// x402kit: the command line. `bin.ts` is the executable; these exports run it in-process.
export { cliUsage, runCli } from './cli.js';
export type { CliReason } from './cli-reasons.js';
export { CliReasons } from './cli-reasons.js';
export type { CliContext, Command } from './command.js';
export { CliError, ExitCode, UsageError, untilAborted } from './command.js';
export type { PayOutcome, PayStatus } from './commands/pay/pay-outcome.js';
export { exitCodeOf, PayStatuses } from './commands/pay/pay-outcome.js';
export type { CommandEntry } from './commands.js';
export { COMMANDS } from './commands.js';
