/**
 * An engine for EVM networks in one call: the core `createFacilitator` with the EVM schemes of
 * {@link createEvmSchemes} (`exact` on the given networks for x402 v2 and v1; with `fees`, also
 * `exact_permit`), and optionally schemes of other chains behind the same hooks.
 */
import {
  createFacilitator,
  type Facilitator,
  type FacilitatorHooks,
  type FacilitatorRegistration,
  type QuoteFee,
} from '@x402kit/core';
import { createEvmSchemes, type EvmSchemesOptions } from './create-evm-schemes.js';

/** Options of `createEvmFacilitator`. */
export type EvmFacilitatorOptions = EvmSchemesOptions & {
  /** Engine hooks (a ledger, fees, an allow-list ...). */
  hooks?: FacilitatorHooks;
  /** Extension keys advertised in `/supported`. */
  extensions?: string[];
  /** More schemes on other chains (the TRON ones), served by the same engine, hooks and ledger. */
  schemes?: readonly FacilitatorRegistration[];
  /** Their `/fee/quote` answers, asked after `exact_permit` on EVM. */
  quoteFee?: QuoteFee;
};

/** What `createEvmFacilitator` returns. */
export type EvmFacilitator = Facilitator & {
  /** The CAIP-2 ids served. */
  readonly networks: readonly string[];
  /** The addresses that sign settlements. */
  readonly signers: readonly string[];
  /** Stop receipt waits and refuse new work (call after the HTTP server closed). */
  close(): void;
  /** Fee quotes of `exact_permit` for `createFacilitatorService({ feeQuote })`; present when `fees` is. */
  quoteFee?: QuoteFee;
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
  const evm = createEvmSchemes(options);
  const engine = createFacilitator({
    schemes: [...evm.registrations, ...(options.schemes ?? [])],
    ...(options.extensions ? { extensions: options.extensions } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  const otherNetworks = (options.schemes ?? []).flatMap((r) =>
    Array.isArray(r.networks) ? r.networks : [r.networks],
  );
  const evmQuote = evm.quoteFee;
  const otherQuote = options.quoteFee;
  return {
    verify: engine.verify,
    settle: engine.settle,
    release: engine.release,
    supported: engine.supported,
    networks: [...new Set([...evm.networks, ...otherNetworks])],
    signers: evm.signers,
    close: () => evm.close(),
    ...(evmQuote || otherQuote ? { quoteFee: (offer) => evmQuote?.(offer) ?? otherQuote?.(offer) } : {}),
  };
}
