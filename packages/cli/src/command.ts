/**
 * What every command shares: the context it runs in (environment, output, a stop signal), its
 * exit codes, and the errors that end it with a message.
 */
import { X402Error } from '@x402kit/core';
import { CliReasons } from './cli-reasons.js';

/**
 * Process exit codes of `x402kit`.
 *
 * @example
 * if (refused) return ExitCode.refused // 3
 */
export const ExitCode = {
  ok: 0,
  /** A runtime failure: unreachable server, non-2xx answer, chain error. */
  failure: 1,
  /** Bad usage: unknown flag, missing or malformed argument, bad configuration. */
  usage: 2,
  /** `pay` refused to pay because the price is above `--max-amount`. */
  refused: 3,
  /**
   * `pay` sent a payment whose settlement is not final: reported pending, or the answer was lost.
   * It may still be charged; do not retry blindly (a new run signs a new payment).
   */
  pending: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Everything a command may touch. The CLI edge (`bin.ts`) builds it from `process`. */
export type CliContext = {
  /** Environment variables, read only by the command's own option parsing. */
  env: Readonly<Record<string, string | undefined>>;
  /** Data output (JSON lines, response bodies, the ready line). */
  stdout(text: string): void;
  /** Progress and diagnostics for the person at the terminal. */
  stderr(text: string): void;
  /** Aborted on SIGINT / SIGTERM: long-running commands stop cleanly and return 0. */
  signal: AbortSignal;
};

/** One `x402kit <name>` command. */
export type Command = {
  readonly name: string;
  /** The full `x402kit <name> --help` text. */
  readonly usage: string;
  /** Runs the command with the arguments after its name; resolves with the exit code. */
  run(args: string[], context: CliContext): Promise<number>;
};

/**
 * An error that ends a command with a message on stderr and an exit code; reason `cli_command_failed`
 * (`invalid_cli_usage` when the exit code is the usage one).
 *
 * @example
 * throw new CliError('cannot reach http://127.0.0.1:8545', ExitCode.failure)
 */
export class CliError extends X402Error {
  override name = 'CliError';
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode = ExitCode.failure, options?: { cause?: unknown }) {
    super(exitCode === ExitCode.usage ? CliReasons.usage : CliReasons.failure, message, options);
    this.exitCode = exitCode;
  }
}

/**
 * Bad usage (exit code 2, reason `invalid_cli_usage`); the message is followed by a pointer to the command's `--help`.
 *
 * @example
 * throw new UsageError('--port must be an integer from 0 to 65535')
 */
export class UsageError extends CliError {
  override name = 'UsageError';

  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/**
 * Resolves when `signal` aborts (SIGINT / SIGTERM), or at once if it already has.
 *
 * @example
 * await untilAborted(context.signal) // the server runs until Ctrl+C
 */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
