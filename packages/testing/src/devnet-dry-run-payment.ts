import type { Devnet } from '@x402kit/devnet';

/**
 * The `payment` that `x402kit pay --dry-run` reports for the devnet's default offer: exact on its network,
 * 1000 atomic units (0.001) of its USDC to its payTo account, x402 v2.
 *
 * @example assert.deepEqual(outcome.payment, devnetDryRunPayment(devnet))
 */
export function devnetDryRunPayment(devnet: Pick<Devnet, 'network' | 'token' | 'accounts'>) {
  return {
    scheme: 'exact',
    network: devnet.network,
    asset: devnet.token.address,
    symbol: 'USDC',
    amount: '1000',
    value: '0.001',
    payTo: devnet.accounts.payTo.address,
    x402Version: 2,
  };
}
