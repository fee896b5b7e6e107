/**
 * A test file's `exact` SVM interop stack: the Solana devnet with our facilitator and the official one
 * on it, started before the file's tests and stopped after them.
 */
import { after, before } from 'node:test';
import type { x402Facilitator } from '@x402/core/facilitator';
import { officialSvmFacilitator, type SvmExactStack, startSvmExactStack } from './svm-exact.js';

/** {@link SvmExactStack} and the official facilitator engine on the same devnet and fee payer. */
export type SvmExactSuite = SvmExactStack & { official: x402Facilitator };

/**
 * Registers `before` (start the stack for `mint`) and `after` (stop the devnet) hooks in the calling
 * test file; the returned object is filled in when `before` has run, so read it inside tests only.
 *
 * @example
 * const s = useSvmExactSuite({ mint: 'pyusd' });
 * test('verifies', async () => assert.equal((await s.ours.verify(payment, s.requirements)).isValid, true));
 */
export function useSvmExactSuite(options: { mint?: 'usdc' | 'pyusd' } = {}): SvmExactSuite {
  const suite = {} as SvmExactSuite;
  before(async () => {
    Object.assign(suite, await startSvmExactStack(options));
    suite.official = officialSvmFacilitator(suite);
  });
  after(async () => {
    await suite.devnet?.stop();
  });
  return suite;
}
