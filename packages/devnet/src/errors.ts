import { X402Error } from '@x402kit/core';
import { DevnetReasons } from './devnet-reasons.js';

/**
 * Anvil could not be started: the binary is missing, it exited early, or it did not answer in time.
 * The message carries anvil's stderr when there was any.
 *
 * @example
 * ```ts
 * try {
 *   await startAnvil({ chainId: 84532 });
 * } catch (error) {
 *   if (error instanceof AnvilStartError) console.error(error.message, error.stderr);
 * }
 * ```
 */
export class AnvilStartError extends X402Error {
  override readonly name = 'AnvilStartError';
  /** What anvil wrote to stderr before it failed (may be empty). */
  readonly stderr: string;

  constructor(message: string, options: { stderr?: string; cause?: unknown } = {}) {
    super(DevnetReasons.anvilStart, message, { cause: options.cause });
    this.stderr = options.stderr ?? '';
  }
}

/**
 * An option passed to {@link startDevnet} (or {@link startAnvil}) is invalid; `path` names the option.
 *
 * @example
 * ```ts
 * await startDevnet({ token: { ...DEFAULT_DEVNET_TOKEN, decimals: 300 } });
 * // DevnetOptionsError: token.decimals must be an integer from 0 to 255 (got 300)
 * ```
 */
export class DevnetOptionsError extends X402Error {
  override readonly name = 'DevnetOptionsError';
  /** The option at fault, for example `token.address`. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(DevnetReasons.options, `${path} ${message}`);
    this.path = path;
  }
}

/**
 * Preparing the chain failed after anvil started: a deployment reverted, or a placed contract does not
 * answer as expected at its target address (wrong name, version or EIP-712 domain separator).
 *
 * @example
 * ```ts
 * try {
 *   await startDevnet();
 * } catch (error) {
 *   if (error instanceof DevnetSetupError) console.error(`devnet setup failed at step ${error.step}`);
 * }
 * ```
 */
export class DevnetSetupError extends X402Error {
  override readonly name = 'DevnetSetupError';
  /** The setup step that failed, for example `token.verify`. */
  readonly step: string;

  constructor(step: string, message: string, options: { cause?: unknown } = {}) {
    super(DevnetReasons.setup, `${step}: ${message}`, { cause: options.cause });
    this.step = step;
  }
}
