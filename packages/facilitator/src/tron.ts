/**
 * The TRON schemes of a facilitator deployment: `exact_permit` (BofAI's PaymentPermit, settled
 * from our own key through a TRON node) on every configured network with a fee table, and
 * `exact_gasfree` (the GasFree provider settles; we verify, submit and follow) on every network
 * with a GasFree API. Both are x402 v2 only, as BofAI's wire is.
 */
import type { FacilitatorRegistration } from '@x402kit/core';
import { toTronAddress } from '@x402kit/tron';
import {
  createExactPermitTronFacilitator,
  type ExactPermitTronFacilitator,
} from '@x402kit/tron/exact-permit';
import { createExactGasFreeFacilitator, type ExactGasFreeFacilitator } from '@x402kit/tron/gasfree';
import { privateKeyToAccount } from 'viem/accounts';
import type { FeeQuoter } from './fee-quote.js';

/** The `tron` section of a deployment's config (validated by the service config schema). */
export type TronFacilitatorConfig = {
  networks: Record<
    string,
    {
      fullHost: string;
      apiKey?: string | undefined;
      paymentPermitAddress?: string | undefined;
      gasFree?: { baseUrl: string; apiKey?: string | undefined; apiSecret?: string | undefined } | undefined;
    }
  >;
  /** `exact_permit` fees: network -> token -> `{ feeTo?, amount }`; absent: no `exact_permit`. */
  fees?: Record<string, Record<string, { feeTo?: string | undefined; amount: string }>> | undefined;
  /** `exact_gasfree` fee floors: network -> token -> atomic units; absent: no `exact_gasfree`. */
  gasFreeFees?: Record<string, Record<string, string>> | undefined;
  feeLimitSun?: number | undefined;
  receiptTimeoutMs?: number | undefined;
  solidified?: boolean | undefined;
};

/** What the TRON part adds to the engine. */
export type TronSchemes = {
  registrations: FacilitatorRegistration[];
  /** Quotes for `/fee/quote` (exact_permit, then exact_gasfree). */
  quoteFee: FeeQuoter;
  /** Canonical ids served (`tron:nile`). */
  networks: string[];
  /** The settlement keys' TRON addresses (Base58), for the balance monitor. */
  signers: string[];
  /** Node URLs per network, for reconciliation and `/health`. */
  nodes: Record<string, { fullHost: string; apiKey?: string }>;
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
 * createFacilitator({ schemes: [...evmRegistrations, ...tron.registrations] })
 */
export function createTronSchemes(
  config: TronFacilitatorConfig,
  privateKeys: readonly string[],
): TronSchemes {
  const nodes = Object.fromEntries(
    Object.entries(config.networks).map(([network, n]) => [network, nodeOf(n)]),
  );
  let permit: ExactPermitTronFacilitator | undefined;
  if (config.fees && Object.keys(config.fees).length > 0) {
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
    permit = createExactPermitTronFacilitator({
      networks,
      signers: privateKeys,
      fees,
      ...(config.feeLimitSun === undefined ? {} : { feeLimitSun: config.feeLimitSun }),
      ...(config.receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs: config.receiptTimeoutMs }),
      ...(config.solidified === undefined ? {} : { solidified: config.solidified }),
    });
  }
  let gasFree: ExactGasFreeFacilitator | undefined;
  const gasFreeNetworks = Object.entries(config.networks).filter(
    ([network, n]) => n.gasFree !== undefined && config.gasFreeFees?.[network] !== undefined,
  );
  if (gasFreeNetworks.length > 0 && config.gasFreeFees) {
    gasFree = createExactGasFreeFacilitator({
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
  const registrations: FacilitatorRegistration[] = [];
  if (permit) registrations.push({ networks: [...permit.networks], facilitator: permit, x402Versions: [2] });
  if (gasFree)
    registrations.push({ networks: [...gasFree.networks], facilitator: gasFree, x402Versions: [2] });
  const served = new Set([...(permit?.networks ?? []), ...(gasFree?.networks ?? [])]);
  return {
    registrations,
    signers: privateKeys.map((key) =>
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

/** A network's node and its API key, as the TRON clients take them. */
function nodeOf(network: { fullHost: string; apiKey?: string | undefined }): {
  fullHost: string;
  apiKey?: string;
} {
  return { fullHost: network.fullHost, ...(network.apiKey ? { apiKey: network.apiKey } : {}) };
}
