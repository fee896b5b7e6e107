import type { Devnet } from '@x402kit/devnet';

/** One entry of a facilitator's `/supported` kinds, as it goes on the wire. */
export type SupportedKindJson = {
  x402Version: number;
  scheme: string;
  network: string;
  extra?: Record<string, unknown>;
};

/**
 * The `/supported` kinds of an EVM facilitator for the default devnet (Base Sepolia, 84532) that relays with
 * the devnet's facilitator account: exact in v2 and v1, and batch-settlement with that account as the
 * receiverAuthorizer. What the CLI's and the service's tests expect alike.
 *
 * @example assert.deepEqual(supported.kinds, devnetSupportedKinds(devnet))
 */
export function devnetSupportedKinds(devnet: Pick<Devnet, 'accounts'>): SupportedKindJson[] {
  return [
    { x402Version: 2, scheme: 'exact', network: 'eip155:84532' },
    { x402Version: 1, scheme: 'exact', network: 'base-sepolia' },
    {
      x402Version: 2,
      scheme: 'batch-settlement',
      network: 'eip155:84532',
      extra: { receiverAuthorizer: devnet.accounts.facilitator.address },
    },
  ];
}
