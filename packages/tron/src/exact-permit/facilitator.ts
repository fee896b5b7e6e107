/**
 * The facilitator side of `exact_permit` on TRON: verify (every check BofAI does, plus caller, kind,
 * nonce, allowance and balance, over any network id form), settle from the permit's `caller` key through
 * a TRON node it does not have to trust, quote fees, and advertise the settlement address and fees in
 * `/supported`.
 */
import type { PaymentRequirements, SchemeFacilitator } from '@x402kit/core';
import { createSchemeLifetime, errorText } from '@x402kit/core/internal';
import { type ExactPermitFeeQuote, guardPermitPayments, quotePermitFee } from '@x402kit/payment-permit';
import { privateKeyToAccount } from 'viem/accounts';
import { isTronAddress, toTronAddress, tronAddressBody } from '../address.js';
import { parseTronAllowedAssets } from '../allowed-assets.js';
import { parseTronNetwork, type TronNetworkName } from '../networks.js';
import { connectTronNode, type TronNodeEndpoint } from '../node-endpoint.js';
import { listTronTokens, PAYMENT_PERMIT_TRON_ADDRESSES } from '../tokens.js';
import { ExactPermitTronConfigError } from './config-error.js';
import {
  type ExactPermitTronFeeSource,
  type ExactPermitTronFeeTable,
  type ExactPermitTronKindExtra,
  parseTronFeeTable,
} from './fee.js';
import { createSentPermits, sentPermitKey } from './sent-permits.js';
import { type ExactPermitTronSettleContext, settleExactPermitTronPayment } from './settle.js';
import {
  EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS,
  type ExactPermitTronNetwork,
  verifyExactPermitTronPayment,
} from './verify.js';

/**
 * One served network: its node and, off BofAI's deployments, its PaymentPermit.
 *
 * @example
 * const nile: ExactPermitTronFacilitatorNetwork = { fullHost: 'https://nile.trongrid.io', apiKey: process.env.TRONGRID_KEY };
 */
export type ExactPermitTronFacilitatorNetwork = TronNodeEndpoint & {
  /** Any address form; default BofAI's deployment on the network. */
  paymentPermitAddress?: string;
};

/**
 * Options of {@link createExactPermitTronFacilitator}.
 *
 * @example
 * const options: ExactPermitTronFacilitatorOptions = { networks: { 'tron:nile': { fullHost } }, signers: [key], fees: { 'tron:nile': { TXYZ…: { amount: '100' } } } };
 */
export type ExactPermitTronFacilitatorOptions = {
  /** Served networks, keyed by TRON network id in any form. */
  networks: Record<string, ExactPermitTronFacilitatorNetwork>;
  /** Settlement private keys (`0x` optional). Each is a valid `caller`; the first is quoted and advertised. */
  signers: readonly string[];
  /** The fee per token: a function or a flat table (`feeTo` defaults to the first signer). */
  fees: ExactPermitTronFeeSource | ExactPermitTronFeeTable;
  /** Only these tokens, per network (any forms); default every token with a fee. */
  allowedAssets?: Record<string, readonly string[]>;
  /** Seconds `validBefore` must leave; default 6. */
  validBeforeMarginSeconds?: number;
  /** Max TRX (SUN) a settlement may burn for energy; default 1 000 000 000 (1000 TRX, BofAI's). */
  feeLimitSun?: number;
  /** How long settle waits for the receipt; default 60 000 ms, then `settlement_pending` with the txid. */
  receiptTimeoutMs?: number;
  /** Slowest receipt poll; default 3 000 ms (one block). */
  pollMs?: number;
  /** Wait for the solidified block (irreversible, ~1 min) instead of the head; default false. */
  solidified?: boolean;
  /** Dry-run `permitTransferFrom` before building the transaction; default true. */
  preflight?: boolean;
};

/**
 * The TRON `exact_permit` facilitator scheme, with the fee quote and the id forms it accepts.
 *
 * @example
 * const permit: ExactPermitTronFacilitator = createExactPermitTronFacilitator(options);
 */
export type ExactPermitTronFacilitator = SchemeFacilitator & {
  /** Canonical network ids served (`tron:nile`), as listed in `/supported`. */
  readonly networks: string[];
  /** Every id form of the served networks (`tron:nile`, `tron:0xcd8690dc`, `tron:3448148188`). */
  readonly networkIds: string[];
  /** The `/fee/quote` entry for one offer, or `undefined` when its token or network is not served. */
  quoteFee(
    requirements: Pick<PaymentRequirements, 'scheme' | 'network' | 'asset'>,
  ): ExactPermitFeeQuote | undefined;
  /** Stop receipt waits and refuse new work. */
  close(): void;
};

/**
 * Creates the `exact_permit` TRON facilitator scheme, for `createFacilitator` from `@x402kit/core`.
 *
 * @example
 * const permit = createExactPermitTronFacilitator({
 *   networks: { 'tron:nile': { fullHost: 'https://nile.trongrid.io' } },
 *   signers: [settlementKey],
 *   fees: { 'tron:nile': { TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf: { amount: '100' } } },
 * });
 * const facilitator = createFacilitator({ schemes: [{ networks: permit.networks, facilitator: permit, x402Versions: [2] }] });
 */
export function createExactPermitTronFacilitator(
  options: ExactPermitTronFacilitatorOptions,
): ExactPermitTronFacilitator {
  const keys = parseSigners(options.signers);
  const [first] = keys.values();
  if (!first) throw new ExactPermitTronConfigError('signers', 'give at least one settlement key');
  const caller = toTronAddress(privateKeyToAccount(`0x${first}`).address);
  const served = servedNetworks(options);
  const table = typeof options.fees === 'function' ? undefined : parseTronFeeTable(options.fees, caller);
  const fees: ExactPermitTronFeeSource =
    typeof options.fees === 'function' ? options.fees : (table?.source ?? (() => undefined));
  const ctx: ExactPermitTronSettleContext = {
    networkFor: (id) => {
      const network = parseTronNetwork(id);
      return network ? served.get(network.network) : undefined;
    },
    fees,
    callers: new Set(keys.keys()),
    allowedAssets: parseTronAllowedAssets(
      options.allowedAssets,
      toTronAddress,
      (path, problem) => new ExactPermitTronConfigError(path, problem),
    ),
    validBeforeMarginSeconds: options.validBeforeMarginSeconds ?? EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS,
    keys,
    feeLimitSun: positive(options.feeLimitSun, 1_000_000_000, 'feeLimitSun'),
    receiptTimeoutMs: positive(options.receiptTimeoutMs, 60_000, 'receiptTimeoutMs'),
    pollMs: positive(options.pollMs, 3_000, 'pollMs'),
    solidified: options.solidified ?? false,
    preflight: options.preflight ?? true,
    sent: createSentPermits(),
  };
  const lifetime = createSchemeLifetime(errorText);
  const signerAddresses = [...keys.keys()].map((body) => toTronAddress(body));
  const payments = guardPermitPayments(lifetime, ctx, {
    settlementKey: (payload, requirements) => {
      const chain = ctx.networkFor(requirements.network);
      return chain ? sentPermitKey(chain.network.chainId, payload.payload) : undefined;
    },
    verify: verifyExactPermitTronPayment,
    settle: settleExactPermitTronPayment,
  });
  const quoting: FeeQuoting = { served, ctx, caller, table };
  return {
    scheme: 'exact_permit',
    family: 'tron:*',
    networks: [...served.keys()],
    networkIds: [...served.values()].flatMap(({ network: n }) => [n.network, n.hexId, n.decimalId]),
    getSigners: () => [...signerAddresses],
    getExtra: (network) => {
      const extra = kindExtra(quoting, network);
      return extra ? { ...extra } : undefined;
    },
    quoteFee: (requirements) => quoteFee(quoting, requirements),
    ...payments,
  };
}

/** The served networks by name, each with its node and PaymentPermit. */
function servedNetworks(
  options: ExactPermitTronFacilitatorOptions,
): Map<TronNetworkName, ExactPermitTronNetwork> {
  const served = new Map<TronNetworkName, ExactPermitTronNetwork>();
  for (const [id, config] of Object.entries(options.networks ?? {})) {
    const network = parseTronNetwork(id);
    if (!network) throw new ExactPermitTronConfigError(`networks["${id}"]`, 'is not a TRON network id');
    if (typeof config?.fullHost !== 'string')
      throw new ExactPermitTronConfigError(
        `networks["${id}"].fullHost`,
        'give the node URL (TronWeb fullHost)',
      );
    const contract = config.paymentPermitAddress ?? PAYMENT_PERMIT_TRON_ADDRESSES[network.network];
    if (!isTronAddress(contract))
      throw new ExactPermitTronConfigError(`networks["${id}"].paymentPermitAddress`, 'is not a TRON address');
    const node = connectTronNode(config);
    served.set(network.network, { network, node, contract: toTronAddress(contract) });
  }
  if (served.size === 0)
    throw new ExactPermitTronConfigError('networks', 'configure at least one TRON network');
  return served;
}

/** What fee quotes and `/supported` read: the served networks, the fee source, the advertised caller. */
type FeeQuoting = {
  served: ReadonlyMap<TronNetworkName, ExactPermitTronNetwork>;
  ctx: ExactPermitTronSettleContext;
  caller: string;
  table: ReturnType<typeof parseTronFeeTable> | undefined;
};

function quoteFee(
  { served, ctx, caller }: FeeQuoting,
  requirements: Pick<PaymentRequirements, 'scheme' | 'network' | 'asset'>,
): ExactPermitFeeQuote | undefined {
  const network = parseTronNetwork(requirements.network)?.network;
  if (
    requirements.scheme !== 'exact_permit' ||
    !network ||
    !served.has(network) ||
    !isTronAddress(requirements.asset)
  )
    return undefined;
  return quotePermitFee(ctx, network, toTronAddress(requirements.asset), caller);
}

function kindExtra(quoting: FeeQuoting, id: string): ExactPermitTronKindExtra | undefined {
  const { served, ctx, caller, table } = quoting;
  const network = parseTronNetwork(id)?.network;
  if (!network || !served.has(network)) return undefined;
  const candidates = new Set([
    ...(table?.assets(network) ?? []),
    ...(ctx.allowedAssets?.get(network) ?? []),
    ...listTronTokens(network).map((t) => t.address),
  ]);
  const entries: ExactPermitTronKindExtra['fees'] = {};
  for (const asset of candidates) {
    const quote = quoteFee(quoting, { scheme: 'exact_permit', network, asset });
    if (quote) entries[asset] = { feeTo: quote.feeTo, feeAmount: quote.feeAmount };
  }
  const feeTo = Object.values(entries)[0]?.feeTo ?? caller;
  return { caller, feeTo, pricing: 'flat', fees: entries };
}

function parseSigners(signers: readonly string[] | undefined): Map<string, string> {
  if (!Array.isArray(signers) || signers.length === 0)
    throw new ExactPermitTronConfigError('signers', 'give at least one private key');
  const out = new Map<string, string>();
  signers.forEach((signer: unknown, i) => {
    const key = typeof signer === 'string' ? signer.replace(/^0[xX]/, '').toLowerCase() : '';
    if (!/^[0-9a-f]{64}$/.test(key))
      throw new ExactPermitTronConfigError(
        `signers[${i}]`,
        'is not a 32-byte private key (hex, 0x optional)',
      );
    out.set(tronAddressBody(privateKeyToAccount(`0x${key}`).address), key);
  });
  return out;
}

function positive(value: number | undefined, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new ExactPermitTronConfigError(path, 'must be a positive integer');
  return value;
}
