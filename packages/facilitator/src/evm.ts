/**
 * An engine for EVM networks in one call: the core `createFacilitator` with `exact` (EIP-3009)
 * from `@x402kit/evm` registered on the given networks, for x402 v2 and v1; with `fees`, also
 * `exact_permit` (BofAI's PaymentPermit, v2 only) on the networks the fee table prices.
 */
import {
  createFacilitator,
  type Facilitator,
  type FacilitatorHooks,
  type FacilitatorRegistration,
  toCaip2,
  type X402Version,
} from '@x402kit/core';
import {
  createExactEvmFacilitator,
  createExactPermitEvmFacilitator,
  type ExactEvmFacilitatorOptions,
  type ExactPermitEvmFacilitator,
  type ExactPermitEvmFacilitatorOptions,
} from '@x402kit/evm';
import type { Hex, LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createFlatFeePolicy, type FeePolicyConfig } from './fee-policy.js';
import type { FeeQuoter } from './fee-quote.js';

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
  /**
   * Flat `exact_permit` fees per network and token (`{ 'eip155:97': { '0x3376…': { feeTo?, amount: '100' } } }`,
   * `feeTo` defaulting to the first key). Given, `exact_permit` is served on every network of `rpc` the table
   * prices, and `quoteFee` backs `POST /fee/quote`.
   */
  fees?: FeePolicyConfig;
  /** More schemes on other chains (the TRON ones), served by the same engine, hooks and ledger. */
  schemes?: readonly FacilitatorRegistration[];
  /** Their `/fee/quote` answers, asked after `exact_permit` on EVM. */
  quoteFee?: FeeQuoter;
  /** Tuning of `exact_permit` (PaymentPermit address per network, receipt timeout, gas limit ...). */
  exactPermit?: Omit<ExactPermitEvmFacilitatorOptions, 'networks' | 'signers' | 'fees'> & {
    paymentPermitAddress?: Record<string, string>;
  };
};

export type EvmFacilitator = Facilitator & {
  /** The CAIP-2 ids served. */
  readonly networks: readonly string[];
  /** The addresses that sign settlements. */
  readonly signers: readonly string[];
  /** Stop receipt waits and refuse new work (call after the HTTP server closed). */
  close(): void;
  /** Fee quotes of `exact_permit` for `createFacilitatorService({ feeQuote })`; present when `fees` is. */
  quoteFee?: FeeQuoter;
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
  // a deployment may serve other chains only (the TRON schemes): no EVM network, no EVM scheme
  const exact =
    Object.keys(networks).length > 0
      ? createExactEvmFacilitator({ ...options.exact, networks, signers: options.privateKeys })
      : undefined;
  const permit = options.fees ? createPermitScheme(options) : undefined;
  const engine = createFacilitator({
    schemes: [
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
      ...(options.schemes ?? []),
    ],
    ...(options.extensions ? { extensions: options.extensions } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  const evmNetworks = exact?.networks ?? [];
  const signers = exact && evmNetworks[0] !== undefined ? exact.getSigners(evmNetworks[0]) : [];
  const otherNetworks = (options.schemes ?? []).flatMap((r) =>
    Array.isArray(r.networks) ? r.networks : [r.networks],
  );
  return {
    verify: engine.verify,
    settle: engine.settle,
    release: engine.release,
    supported: engine.supported,
    networks: [...new Set([...evmNetworks, ...otherNetworks])],
    signers,
    close: () => {
      exact?.close();
      permit?.scheme.close();
    },
    ...(permit || options.quoteFee
      ? {
          quoteFee: (offer) => {
            const evm = offer.network.startsWith('eip155:') ? permit?.scheme.quoteFee(offer) : undefined;
            return evm ?? options.quoteFee?.(offer);
          },
        }
      : {}),
  };
}

/** `exact_permit` on the networks of `rpc` that `fees` prices, registered for x402 v2. */
function createPermitScheme(
  options: EvmFacilitatorOptions,
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
