/**
 * The facilitator side of `upto` on EVM: verify a Permit2 authorization of a maximum with the
 * reference's ordered checks, settle the actual amount (≤ the maximum; 0 sends nothing) from the
 * key named in `witness.facilitator`.
 */
import type { SchemeFacilitator } from '@x402kit/core';
import { createSchemeLifetime } from '@x402kit/core/internal';
import type { Hex, LocalAccount } from 'viem';
import { errorText } from '../error-text.js';
import {
  createEvmNetworks,
  type EvmFacilitatorNetworkOptions,
  type EvmRpcOptions,
  parseSigners,
} from '../exact/facilitator-options.js';
import {
  createPermit2SettleContext,
  type Permit2FacilitatorOptions,
} from '../permit2/facilitator-context.js';
import { permit2PayerOf } from '../permit2/payload.js';
import { settlePermit2Payment } from '../permit2/settle.js';
import { verifyPermit2Payment } from '../permit2/verify.js';

/** Options of `createUptoEvmFacilitator`. */
export type UptoEvmFacilitatorOptions = Permit2FacilitatorOptions &
  EvmRpcOptions & {
    /** Served networks by CAIP-2 id. */
    networks: Record<string, EvmFacilitatorNetworkOptions>;
    /**
     * Keys that settle. The first is advertised as `extra.facilitatorAddress` (deterministic, so
     * the server's requirements match across the 402 and the paid retry); any of them is accepted
     * in a witness, and the settlement is sent from that very key.
     */
    signers: ReadonlyArray<Hex | LocalAccount>;
    /** Simulate the transfer in `verify`; default true. */
    simulate?: boolean;
  };

/** What `createUptoEvmFacilitator` returns. */
export type UptoEvmFacilitator = SchemeFacilitator & {
  readonly networks: string[];
  close(): void;
};

/**
 * Create the `upto` EVM facilitator scheme, for `createFacilitator` from `@x402kit/core`.
 *
 * @example
 * const upto = createUptoEvmFacilitator({ networks: { 'eip155:84532': { rpcUrl } }, signers: [key] })
 * const facilitator = createFacilitator({ schemes: [{ networks: upto.networks, facilitator: upto }] })
 */
export function createUptoEvmFacilitator(options: UptoEvmFacilitatorOptions): UptoEvmFacilitator {
  const accounts = parseSigners(options.signers);
  const networks = createEvmNetworks(options.networks, accounts, options);
  const ctx = createPermit2SettleContext(networks, accounts, options);
  const simulate = options.simulate ?? true;
  const addresses = accounts.map((a) => a.address);
  const lifetime = createSchemeLifetime(errorText);

  const { verify, settle } = lifetime.guard({
    payer: (payload) => permit2PayerOf(payload.payload),
    settlementKey: (payload) =>
      typeof payload.payload.signature === 'string' ? payload.payload.signature.toLowerCase() : undefined,
    verify: async (payload, requirements) =>
      (await verifyPermit2Payment(ctx, payload, requirements, { kind: 'upto', simulate })).response,
    settle: (payload, requirements, { signal, onBroadcast }) =>
      settlePermit2Payment(ctx, payload, requirements, {
        kind: 'upto',
        signal,
        ...(onBroadcast ? { onBroadcast } : {}),
      }),
  });

  return {
    scheme: 'upto',
    family: 'eip155:*',
    networks: [...networks.keys()],
    getExtra: () => (addresses[0] ? { facilitatorAddress: addresses[0] } : undefined),
    getSigners: () => [...addresses],
    verify,
    settle,
    close() {
      lifetime.close();
    },
  };
}
