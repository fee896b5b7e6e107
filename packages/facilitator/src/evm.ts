/**
 * An engine for EVM networks in one call: the core `createFacilitator` with `exact` (EIP-3009)
 * from `@x402kit/evm` registered on the given networks, for x402 v2 and v1.
 */
import { createFacilitator, type Facilitator, type FacilitatorHooks, type X402Version } from '@x402kit/core';
import { createExactEvmFacilitator, type ExactEvmFacilitatorOptions } from '@x402kit/evm';
import type { Hex, LocalAccount } from 'viem';

export type EvmFacilitatorOptions = {
  /** JSON-RPC URL(s) per network: CAIP-2 ids (`eip155:84532`) or v1 names (`base-sepolia`). */
  rpc: Record<string, string | readonly string[]>;
  /** Keys that send settlements and pay gas (used round-robin): private keys or viem local accounts. */
  privateKeys: ReadonlyArray<Hex | LocalAccount>;
  /** Protocol versions served; default both (v1 kinds are listed under their v1 names). */
  x402Versions?: X402Version[];
  /** Engine hooks (a ledger, fees, an allow-list ...). */
  hooks?: FacilitatorHooks;
  /** Extension keys advertised in `/supported`. */
  extensions?: string[];
  /** Tuning of the `exact` scheme (simulation, receipt timeout, gas limits, allowed assets ...). */
  exact?: Omit<ExactEvmFacilitatorOptions, 'networks' | 'signers'>;
};

export type EvmFacilitator = Facilitator & {
  /** The CAIP-2 ids served. */
  readonly networks: readonly string[];
  /** The addresses that sign settlements. */
  readonly signers: readonly string[];
  /** Stop receipt waits and refuse new work (call after the HTTP server closed). */
  close(): void;
};

/**
 * Create a facilitator engine for EVM networks.
 *
 * @example
 * const facilitator = createEvmFacilitator({
 *   rpc: { 'eip155:84532': 'http://127.0.0.1:8545' },
 *   privateKeys: [process.env.FACILITATOR_PRIVATE_KEY as Hex],
 * })
 * await facilitator.supported() // { kinds: [{ x402Version: 2, scheme: 'exact', network: 'eip155:84532' }, ...], signers: { 'eip155:*': [...] } }
 */
export function createEvmFacilitator(options: EvmFacilitatorOptions): EvmFacilitator {
  const networks: ExactEvmFacilitatorOptions['networks'] = {};
  for (const [network, rpcUrl] of Object.entries(options.rpc)) networks[network] = { rpcUrl };
  const exact = createExactEvmFacilitator({ ...options.exact, networks, signers: options.privateKeys });
  const engine = createFacilitator({
    schemes: [
      {
        networks: [...exact.networks],
        facilitator: exact,
        ...(options.x402Versions ? { x402Versions: options.x402Versions } : {}),
      },
    ],
    ...(options.extensions ? { extensions: options.extensions } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  const signers = exact.networks[0] === undefined ? [] : exact.getSigners(exact.networks[0]);
  return {
    verify: engine.verify,
    settle: engine.settle,
    supported: engine.supported,
    networks: exact.networks,
    signers,
    close: () => exact.close(),
  };
}
