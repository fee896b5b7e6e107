/**
 * The TRON schemes of a facilitator deployment: `exact_permit` (BofAI's PaymentPermit, settled
 * from our own key through a TRON node) on every configured network with a fee table, and
 * `exact_gasfree` (the GasFree provider settles; we verify, submit and follow) on every network
 * with a GasFree API. Both are x402 v2 only, as BofAI's wire is.
 */
import type { FacilitatorRegistration, QuoteFee } from '@x402kit/core';
import { privateKeyToAccount } from 'viem/accounts';
import { toTronAddress } from '../address.js';
import {
  createExactPermitTronFacilitator,
  type ExactPermitTronFacilitator,
} from '../exact-permit/facilitator.js';
import {
  createExactGasFreeFacilitator,
  type ExactGasFreeFacilitator,
} from '../gasfree/exact-gasfree-facilitator.js';
import type { TronNodeEndpoint } from '../node-endpoint.js';
import type { TronConfig } from './tron-config.js';

export type { TronNodeEndpoint };

/**
 * What the TRON part adds to the engine.
 *
 * @example
 * const schemes: TronSchemes = createTronSchemes(config.tron, config.signers.privateKeys)
 */
export type TronSchemes = {
  registrations: FacilitatorRegistration[];
  /** Quotes for `/fee/quote` (exact_permit, then exact_gasfree). */
  quoteFee: QuoteFee;
  /** Canonical ids served (`tron:nile`). */
  networks: string[];
  /** The settlement keys' TRON addresses (Base58), in key order. */
  settlementAddresses: string[];
  /** Node per configured network, for reconciliation, probes and balances. */
  nodes: Record<string, TronNodeEndpoint>;
  /** Load GasFree provider lists; call before serving. */
  ready(): Promise<void>;
  close(): void;
};

/**
 * Build the TRON schemes of `config` with the settlement `privateKeys` (the same secp256k1 keys
 * sign TRON transactions: one key is one EVM and one TRON account).
 *
 * @example
 * const tron = createTronSchemes({ networks: { 'tron:nile': { fullHost } }, fees: { 'tron:nile': { TXYZ…: { amount: '100' } } } }, [key])
 * createFacilitator({ schemes: tron.registrations })
 */
export function createTronSchemes(config: TronConfig, privateKeys: readonly string[]): TronSchemes {
  const nodes = Object.fromEntries(
    Object.entries(config.networks).map(([network, n]) => [network, nodeOf(n)]),
  );
  const permit = permitScheme(config, privateKeys);
  const gasFree = gasFreeScheme(config);
  const registrations: FacilitatorRegistration[] = [];
  if (permit) registrations.push({ networks: [...permit.networks], facilitator: permit, x402Versions: [2] });
  if (gasFree)
    registrations.push({ networks: [...gasFree.networks], facilitator: gasFree, x402Versions: [2] });
  const served = new Set([...(permit?.networks ?? []), ...(gasFree?.networks ?? [])]);
  return {
    registrations,
    settlementAddresses: privateKeys.map((key) =>
      toTronAddress(privateKeyToAccount(`0x${key.replace(/^0x/, '')}`).address),
    ),
    networks: [...served],
    nodes,
    quoteFee: (offer) => {
      if (offer.scheme === 'exact_permit') return permit?.quoteFee(offer);
      if (offer.scheme === 'exact_gasfree') return gasFree?.quoteFee(offer);
      return undefined;
    },
    ready: async () => {
      await gasFree?.ready();
    },
    close: () => {
      permit?.close();
      gasFree?.close();
    },
  };
}

/** `exact_permit` on every configured network with a fee table; none without fees. */
function permitScheme(
  config: TronConfig,
  privateKeys: readonly string[],
): ExactPermitTronFacilitator | undefined {
  if (!config.fees || Object.keys(config.fees).length === 0) return undefined;
  const networks = Object.fromEntries(
    Object.entries(config.networks)
      .filter(([network]) => config.fees?.[network] !== undefined)
      .map(([network, n]) => [
        network,
        {
          ...nodeOf(n),
          ...(n.paymentPermitAddress ? { paymentPermitAddress: n.paymentPermitAddress } : {}),
        },
      ]),
  );
  const fees = Object.fromEntries(
    Object.entries(config.fees).map(([network, tokens]) => [
      network,
      Object.fromEntries(
        Object.entries(tokens).map(([token, fee]) => [
          token,
          { amount: fee.amount, ...(fee.feeTo ? { feeTo: fee.feeTo } : {}) },
        ]),
      ),
    ]),
  );
  return createExactPermitTronFacilitator({
    networks,
    signers: privateKeys,
    fees,
    ...(config.feeLimitSun === undefined ? {} : { feeLimitSun: config.feeLimitSun }),
    ...(config.receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs: config.receiptTimeoutMs }),
    ...(config.solidified === undefined ? {} : { solidified: config.solidified }),
  });
}

/** `exact_gasfree` on every configured network with a GasFree API and GasFree fees; none without. */
function gasFreeScheme(config: TronConfig): ExactGasFreeFacilitator | undefined {
  const gasFreeNetworks = Object.entries(config.networks).filter(
    ([network, n]) => n.gasFree !== undefined && config.gasFreeFees?.[network] !== undefined,
  );
  if (gasFreeNetworks.length === 0 || !config.gasFreeFees) return undefined;
  return createExactGasFreeFacilitator({
    networks: Object.fromEntries(
      gasFreeNetworks.map(([network, n]) => [
        network,
        {
          api: {
            baseUrl: n.gasFree?.baseUrl ?? '',
            ...(n.gasFree?.apiKey ? { apiKey: n.gasFree.apiKey } : {}),
            ...(n.gasFree?.apiSecret ? { apiSecret: n.gasFree.apiSecret } : {}),
          },
          ...nodeOf(n),
        },
      ]),
    ),
    fees: config.gasFreeFees,
    ...(config.receiptTimeoutMs === undefined ? {} : { settleTimeoutMs: config.receiptTimeoutMs }),
  });
}

/** A network's node and its API key, as the TRON clients take them. */
function nodeOf(network: { fullHost: string; apiKey?: string | undefined }): TronNodeEndpoint {
  return { fullHost: network.fullHost, ...(network.apiKey ? { apiKey: network.apiKey } : {}) };
}
