/**
 * The EVM schemes of a facilitator, registered but not yet in an engine: `exact` (EIP-3009 and
 * Permit2) on every network of `rpc`, for x402 v2 and v1; with `fees`, also `exact_permit`
 * (BofAI's PaymentPermit, v2 only) on the networks the fee table prices; `batch-settlement` (v2) on
 * every network of `rpc`. The EVM chain module and
 * {@link createEvmFacilitator} both build on it, so a service and a one-call engine serve alike.
 */
import { type FacilitatorRegistration, type QuoteFee, toCaip2, type X402Version } from '@x402kit/core';
import type { Hex, LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  type BatchSettlementEvmFacilitatorOptions,
  createBatchSettlementEvmFacilitator,
} from '../batch-settlement/facilitator.js';
import { createExactEvmFacilitator, type ExactEvmFacilitatorOptions } from '../exact/facilitator.js';
import {
  createExactPermitEvmFacilitator,
  type ExactPermitEvmFacilitator,
  type ExactPermitEvmFacilitatorOptions,
} from '../exact-permit/index.js';
import { createFlatFeePolicy, type FeePolicyConfig } from './fee-policy.js';

/** Options of `createEvmSchemes`. */
export type EvmSchemesOptions = {
  /** JSON-RPC URL(s) per network: CAIP-2 ids (`eip155:84532`) or v1 names (`base-sepolia`). */
  rpc: Record<string, string | readonly string[]>;
  /** Keys that send settlements and pay gas (used round-robin): private keys or viem local accounts. */
  privateKeys: ReadonlyArray<Hex | LocalAccount>;
  /** Protocol versions served by `exact`; default both (v1 kinds are listed under their v1 names). */
  x402Versions?: X402Version[];
  /** Tuning of the `exact` scheme (simulation, receipt timeout, gas limits, allowed assets ...). */
  exact?: Omit<ExactEvmFacilitatorOptions, 'networks' | 'signers'>;
  /**
   * Flat `exact_permit` fees per network and token (`{ 'eip155:97': { '0x3376…': { feeTo?, amount: '100' } } }`,
   * `feeTo` defaulting to the first key). Given, `exact_permit` is served on every network of `rpc` the table
   * prices, and `quoteFee` answers for it.
   */
  fees?: FeePolicyConfig;
  /** Tuning of `exact_permit` (PaymentPermit address per network, receipt timeout, gas limit ...). */
  exactPermit?: Omit<ExactPermitEvmFacilitatorOptions, 'networks' | 'signers' | 'fees'> & {
    paymentPermitAddress?: Record<string, string>;
  };
  /**
   * Tuning of `batch-settlement` (x402 v2), served on every network of `rpc` unless `false`; its
   * receiver authorizer (advertised in `/supported`) defaults to the first key.
   */
  batchSettlement?: Omit<BatchSettlementEvmFacilitatorOptions, 'networks' | 'signers'> | false;
};

/** What `createEvmSchemes` returns. */
export type EvmSchemes = {
  /** The schemes, for `createFacilitator({ schemes })` (none without a network). */
  registrations: FacilitatorRegistration[];
  /** The CAIP-2 ids `exact` serves. */
  networks: readonly string[];
  /** The addresses that sign settlements (checksummed). */
  signers: readonly string[];
  /** `exact_permit`'s `/fee/quote` answers on `eip155:*`; present when `exact_permit` is served. */
  quoteFee?: QuoteFee;
  /** Stop receipt waits and refuse new work. */
  close(): void;
};

/**
 * Create the EVM schemes.
 *
 * @example
 * const evm = createEvmSchemes({ rpc: { 'eip155:84532': 'http://127.0.0.1:8545' }, privateKeys: [key] })
 * const engine = createFacilitator({ schemes: evm.registrations })
 */
export function createEvmSchemes(options: EvmSchemesOptions): EvmSchemes {
  const networks: ExactEvmFacilitatorOptions['networks'] = {};
  for (const [network, rpcUrl] of Object.entries(options.rpc)) networks[network] = { rpcUrl };
  // a deployment may serve other chains only: no EVM network, no EVM scheme
  const exact =
    Object.keys(networks).length > 0
      ? createExactEvmFacilitator({ ...options.exact, networks, signers: options.privateKeys })
      : undefined;
  const permit = options.fees ? createPermitScheme(options) : undefined;
  const batch =
    exact && options.batchSettlement !== false
      ? createBatchSettlementEvmFacilitator({
          ...options.batchSettlement,
          networks,
          signers: options.privateKeys,
        })
      : undefined;
  const evmNetworks = exact?.networks ?? [];
  const firstNetwork = evmNetworks[0];
  return {
    registrations: [
      ...(exact
        ? [
            {
              networks: [...exact.networks],
              facilitator: exact,
              ...(options.x402Versions ? { x402Versions: options.x402Versions } : {}),
            },
          ]
        : []),
      ...(permit ? [permit.registration] : []),
      ...(batch ? [{ networks: [...batch.networks], facilitator: batch, x402Versions: [2 as const] }] : []),
    ],
    networks: evmNetworks,
    signers: exact && firstNetwork !== undefined ? exact.getSigners(firstNetwork) : [],
    close: () => {
      exact?.close();
      permit?.scheme.close();
      batch?.close();
    },
    ...(permit
      ? {
          quoteFee: (offer) =>
            offer.network.startsWith('eip155:') ? permit.scheme.quoteFee(offer) : undefined,
        }
      : {}),
  };
}

/** `exact_permit` on the networks of `rpc` that `fees` prices, registered for x402 v2. */
function createPermitScheme(
  options: EvmSchemesOptions,
): { scheme: ExactPermitEvmFacilitator; registration: FacilitatorRegistration } | undefined {
  const [firstKey] = options.privateKeys;
  if (!options.fees || firstKey === undefined) return undefined;
  const defaultFeeTo =
    typeof firstKey === 'string' ? privateKeyToAccount(firstKey).address : firstKey.address;
  const policy = createFlatFeePolicy(options.fees, { defaultFeeTo });
  const { paymentPermitAddress, ...tuning } = options.exactPermit ?? {};
  const networks: ExactPermitEvmFacilitatorOptions['networks'] = {};
  for (const [key, rpcUrl] of Object.entries(options.rpc)) {
    const network = toCaip2(key) ?? key;
    if (!policy.networks.includes(network)) continue;
    const contract = paymentPermitAddress?.[network] ?? paymentPermitAddress?.[key];
    networks[network] = { rpcUrl, ...(contract ? { paymentPermitAddress: contract } : {}) };
  }
  if (Object.keys(networks).length === 0) return undefined;
  const scheme = createExactPermitEvmFacilitator({
    ...tuning,
    networks,
    signers: options.privateKeys,
    fees: policy.table,
  });
  return { scheme, registration: { networks: [...scheme.networks], facilitator: scheme, x402Versions: [2] } };
}
