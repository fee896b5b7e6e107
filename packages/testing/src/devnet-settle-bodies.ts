import type { Devnet } from '@x402kit/devnet';
import { devnetExactRequirements, signExactSettlement } from './exact-settlement.js';

/**
 * `count` `/settle` request bodies, each a fresh exact payment the devnet's payer signs for the default
 * requirements ({@link devnetExactRequirements}), the i-th for the resource `resourceUrl(i)`.
 *
 * @example const bodies = await devnetSettleBodies(devnet, 5, (i) => `https://api.example/lb/${i}`)
 */
export async function devnetSettleBodies(
  devnet: Pick<Devnet, 'network' | 'token' | 'accounts'>,
  count: number,
  resourceUrl: (i: number) => string,
): Promise<string[]> {
  const requirements = devnetExactRequirements(devnet);
  const payerKey = devnet.accounts.payer.privateKey;
  const payments = await Promise.all(
    Array.from({ length: count }, (_, i) => signExactSettlement(payerKey, requirements, resourceUrl(i))),
  );
  return payments.map((payment) => payment.body);
}
