import { X402Error } from '@x402kit/core';
import { ExactPermitTronReasons } from './reasons.js';

/**
 * A configuration mistake found when a TRON `exact_permit` role is created, naming the option at fault.
 * Reason `invalid_exact_permit_tron_config`.
 *
 * @example
 * try { createExactPermitTronFacilitator(options) } catch (e) {
 *   if (e instanceof ExactPermitTronConfigError) console.error(e.path, e.message);
 * }
 */
export class ExactPermitTronConfigError extends X402Error {
  override name = 'ExactPermitTronConfigError';
  /** The option path, e.g. `networks["tron:nile"].fullHost`. */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(ExactPermitTronReasons.config, `${path}: ${problem}`, { details: { path } });
    this.path = path;
  }
}
