import { X402Error } from '@x402kit/core';
import { EvmReasons } from './evm-reasons.js';

/**
 * A configuration mistake found when a component is created, naming the field at fault
 * (reason `invalid_evm_config`).
 *
 * @example
 * try { createExactEvmFacilitator(options) } catch (e) { if (e instanceof EvmConfigError) console.error(e.path, e.message) }
 */
export class EvmConfigError extends X402Error {
  override name = 'EvmConfigError';
  /** The option path, e.g. `networks["eip155:84532"].rpcUrl`. */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(EvmReasons.config, `${path}: ${problem}`);
    this.path = path;
  }
}
