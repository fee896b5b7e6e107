/**
 * A devnet for one test file or suite, with the `before`/`after` hooks every devnet test writes.
 */
import { after, before } from 'node:test';
import { type Devnet, type StartDevnetOptions, startDevnet } from '@x402kit/devnet';

/**
 * Registers a `before` hook that starts a devnet with `options` and hands it to `onStart` (which sets up
 * what the tests need on it), and an `after` hook that runs `onStop` (closing that set-up) and then stops
 * the devnet. Called at the top of a file the devnet serves the file; inside a `describe`, that suite.
 *
 * @example
 * let devnet: Devnet;
 * let requirements: PaymentRequirements;
 * hookDevnet({ extraPayers: 6 }, (started) => {
 *   devnet = started;
 *   requirements = devnetExactRequirements(devnet);
 * });
 */
export function hookDevnet(
  options: StartDevnetOptions,
  onStart: (devnet: Devnet) => void | Promise<void>,
  onStop?: () => void | Promise<void>,
): void {
  let devnet: Devnet | undefined;
  before(async () => {
    devnet = await startDevnet(options);
    await onStart(devnet);
  });
  after(async () => {
    try {
      await onStop?.();
    } finally {
      await devnet?.stop();
    }
  });
}
