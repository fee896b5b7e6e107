// x402kit: the command line. `bin.ts` is the executable; these exports run it in-process.
export * from './cli.js';
export * from './cli-reasons.js';
export * from './command.js';
export type { PayOutcome, PayStatus } from './commands/pay/pay-outcome.js';
export { exitCodeOf, PayStatuses } from './commands/pay/pay-outcome.js';
export * from './commands.js';
