import { defineReasons } from '@x402kit/core';

/**
 * Reason codes of the errors that end an `x402kit` command: a failure at run time and bad usage. The
 * exit code stays the process's answer; the reason lets code that runs a command in process branch.
 *
 * @example
 * if (error instanceof CliError && error.reason === CliReasons.usage) console.error('see --help')
 */
export const CliReasons = defineReasons('x402kit', {
  /** A command failed at run time (unreachable server, non-2xx answer, chain error). */
  failure: 'cli_command_failed',
  /** Unknown flag, missing or malformed argument, bad configuration (exit code 2). */
  usage: 'invalid_cli_usage',
});

/**
 * One of {@link CliReasons}.
 *
 * @example
 * const r: CliReason = 'invalid_cli_usage';
 */
export type CliReason = (typeof CliReasons)[keyof typeof CliReasons];
