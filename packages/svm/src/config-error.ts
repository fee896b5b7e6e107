import { X402Error } from '@x402kit/core';
import { SvmReasons } from './reasons.js';

/**
 * A configuration value of an SVM scheme is wrong; `path` names it (`feePayers[1]`,
 * `networks["solana:…"].rpcUrl`); reason `invalid_svm_config`.
 */
export class SvmConfigError extends X402Error {
  override readonly name = 'SvmConfigError';
  readonly path: string;

  /**
   * @example
   * throw new SvmConfigError('feePayers', 'must list at least one secret key')
   */
  constructor(path: string, problem: string) {
    super(SvmReasons.config, `${path}: ${problem}`);
    this.path = path;
  }
}
