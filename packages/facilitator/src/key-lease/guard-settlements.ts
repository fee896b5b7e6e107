/**
 * A facilitator that settles only while its instance holds the leases on its settlement keys.
 * Without them another instance may be sending from the same keys, so a settlement is refused
 * before anything is claimed or sent (`unexpected_settle_error`, nothing moved); verification and
 * everything else pass through.
 */
import { type Facilitator, Reasons, type SettleResponse } from '@x402kit/core';
import type { KeyLeases } from './key-leases.js';

/**
 * Wrap `facilitator` so `settle` is refused while `leases.held()` is false.
 *
 * @example
 * const guarded = guardSettlements(app.facilitator, leases)
 * await guarded.settle(payload, requirements) // { success: false, errorReason: 'unexpected_settle_error', ... } after a lost lease
 */
export function guardSettlements<F extends Pick<Facilitator, 'settle'>>(
  facilitator: F,
  leases: Pick<KeyLeases, 'held' | 'problem'>,
): F {
  return {
    ...facilitator,
    async settle(...args: Parameters<Facilitator['settle']>): Promise<SettleResponse> {
      if (leases.held()) return facilitator.settle(...args);
      const [, requirements] = args;
      const network =
        typeof requirements === 'object' && requirements !== null && 'network' in requirements
          ? String(requirements.network)
          : '';
      return {
        success: false,
        errorReason: Reasons.unexpectedSettleError,
        errorMessage: `this facilitator instance cannot settle now: ${leases.problem() ?? 'no lease on its settlement keys'}; nothing was sent, try again (another instance may answer)`,
        transaction: '',
        network,
      };
    },
  };
}
