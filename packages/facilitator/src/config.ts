/**
 * What every configuration of the facilitator shares: its default port and the error that names
 * each field at fault (`service-config.ts` validates a deployment; the CLI checks its flags).
 */

import { X402Error } from '@x402kit/core';
import { FacilitatorReasons } from './facilitator-reasons.js';

/** Default TCP port (the x402 e2e harness starts facilitators from 4022 upward). */
export const DEFAULT_FACILITATOR_PORT = 4022;

/** One problem in a configuration: the field's path (`rpc.eip155:84532`) and what is wrong. */
export type ConfigIssue = { path: string; message: string };

/**
 * A configuration that does not validate (reason `invalid_facilitator_config`). The message lists every
 * field at fault; secrets are never echoed.
 *
 * @example
 * try { parseServiceConfig(input, { chains }) } catch (e) { if (e instanceof FacilitatorConfigError) console.error(e.issues) }
 */
export class FacilitatorConfigError extends X402Error {
  override name = 'FacilitatorConfigError';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      FacilitatorReasons.config,
      `invalid facilitator configuration: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    );
    this.issues = issues;
  }
}
