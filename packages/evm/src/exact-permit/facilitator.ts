/**
 * The facilitator side of `exact_permit` on EVM: verify (every check BofAI does, plus caller,
 * kind, nonce, allowance and balance), settle from the permit's `caller` key, quote fees, and
 * advertise the settlement address and fees in `/supported`.
 */
import {
  evmChainId,
  type PaymentPayload,
  type PaymentRequirements,
  type SchemeFacilitator,
  toCaip2,
} from '@x402kit/core';
import { createSchemeLifetime } from '@x402kit/core/internal';
import {
  EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS,
  type ExactPermitFeeQuote,
  feeTableAmount,
  guardPermitPayments,
  quotePermitFee,
} from '@x402kit/payment-permit';
import { type Address, getAddress, type Hex, type LocalAccount } from 'viem';
import { addressKey, isEvmAddress } from '../address.js';
import { EvmConfigError } from '../config-error.js';
import { errorText } from '../error-text.js';
import { createEvmNetwork } from '../evm-network.js';
import {
  type EvmReceiptWaitOptions,
  type EvmRpcOptions,
  parseAllowedAssets,
  parseSigners,
  readReceiptWait,
} from '../exact/facilitator-options.js';
import type { ExactPermitFeeSource, ExactPermitKindExtra } from './fee.js';
import { paymentPermitAddress } from './payment-permit-address.js';
import { type ExactPermitSettleContext, settleExactPermitPayment } from './settle.js';
import { type ExactPermitNetwork, verifyExactPermitPayment } from './verify.js';

/** One network the `exact_permit` EVM facilitator serves: RPC endpoint(s) and the PaymentPermit contract. */
export type ExactPermitEvmFacilitatorNetwork = {
  rpcUrl: string | readonly string[];
  /** Default: the known deployment (BSC 56/97). */
  paymentPermitAddress?: string;
};

/** Options of `createExactPermitEvmFacilitator`. */
export type ExactPermitEvmFacilitatorOptions = EvmRpcOptions &
  EvmReceiptWaitOptions & {
    /** Served networks by CAIP-2 id. */
    networks: Record<string, ExactPermitEvmFacilitatorNetwork>;
    /**
     * Settlement keys (private keys or viem local accounts). Each is a valid `caller`; the first is
     * the one quoted and advertised.
     */
    signers: ReadonlyArray<Hex | LocalAccount>;
    /**
     * The fee per token: a function, or a flat table `{ [network]: { [asset]: { feeTo?, amount } } }`
     * (`feeTo` defaults to the first signer). Tokens without a fee are refused.
     */
    fees: ExactPermitFeeSource | ExactPermitFeeTable;
    /** Only these tokens, per network; default every token with a fee. */
    allowedAssets?: Record<string, readonly string[]>;
    /** Seconds `validBefore` must leave; default 6. */
    validBeforeMarginSeconds?: number;
    /** Simulate `permitTransferFrom` before sending it; default true. */
    preflight?: boolean;
    /** Gas limit of the settlement; default 300 000 (two transfers, a nonce word, ecrecover). */
    gasLimit?: bigint;
  };

/** A flat fee table: network -> token address -> fee. */
export type ExactPermitFeeTable = Record<string, Record<string, { feeTo?: string; amount: string | bigint }>>;

/** What `createExactPermitEvmFacilitator` returns. */
export type ExactPermitEvmFacilitator = SchemeFacilitator & {
  readonly networks: string[];
  /** The `/fee/quote` entry for one offer, or `undefined` when its token or network is not served. */
  quoteFee(
    requirements: Pick<PaymentRequirements, 'scheme' | 'network' | 'asset'>,
  ): ExactPermitFeeQuote | undefined;
  close(): void;
};

/**
 * Create the `exact_permit` EVM facilitator scheme, for `createFacilitator` from `@x402kit/core`.
 *
 * @example
 * const permit = createExactPermitEvmFacilitator({
 *   networks: { 'eip155:97': { rpcUrl: 'http://127.0.0.1:8545' } },
 *   signers: [settlementKey],
 *   fees: { 'eip155:97': { '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd': { amount: '100' } } },
 * })
 * const facilitator = createFacilitator({ schemes: [{ networks: permit.networks, facilitator: permit, x402Versions: [2] }] })
 */
export function createExactPermitEvmFacilitator(
  options: ExactPermitEvmFacilitatorOptions,
): ExactPermitEvmFacilitator {
  const accounts = parseSigners(options.signers);
  const [first] = accounts;
  if (!first) throw new EvmConfigError('signers', 'give at least one settlement key');
  const caller = first.address;
  const networks = permitNetworks(options, accounts);
  const fees = typeof options.fees === 'function' ? options.fees : feeTableSource(options.fees, caller);
  const ctx: ExactPermitSettleContext = {
    networkFor: (network) => networks.get(network),
    fees,
    callers: new Set(accounts.map((a) => addressKey(a.address))),
    allowedAssets: parseAllowedAssets(options.allowedAssets),
    validBeforeMarginSeconds: options.validBeforeMarginSeconds ?? EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS,
    preflight: options.preflight ?? true,
    gasLimit: options.gasLimit ?? 300_000n,
    ...readReceiptWait(options),
  };
  const lifetime = createSchemeLifetime(errorText);
  const payments = guardPermitPayments(lifetime, ctx, {
    settlementKey: (payload, requirements) => settlementKey(payload, requirements.network),
    verify: verifyExactPermitPayment,
    settle: settleExactPermitPayment,
  });
  return {
    scheme: 'exact_permit',
    family: 'eip155:*',
    networks: [...networks.keys()],
    getSigners: () => accounts.map((a) => a.address),
    getExtra(network) {
      const extra = kindExtra(networks, options.fees, fees, caller, network);
      return extra ? { ...extra } : undefined;
    },
    quoteFee(requirements) {
      const network = toCaip2(requirements.network) ?? requirements.network;
      if (
        requirements.scheme !== 'exact_permit' ||
        !networks.has(network) ||
        !isEvmAddress(requirements.asset)
      )
        return undefined;
      return quotePermitFee(ctx, network, requirements.asset, caller, addressKey);
    },
    ...payments,
  };
}

/** The served networks by CAIP-2 id, each with its EVM network (relayers on `accounts`) and PaymentPermit. */
function permitNetworks(
  options: ExactPermitEvmFacilitatorOptions,
  accounts: LocalAccount[],
): Map<string, ExactPermitNetwork> {
  const networks = new Map<string, ExactPermitNetwork>();
  for (const [key, config] of Object.entries(options.networks ?? {})) {
    const network = toCaip2(key) ?? key;
    const chainId = evmChainId(network);
    if (chainId === undefined)
      throw new EvmConfigError(`networks["${key}"]`, 'must be an eip155:<chainId> id');
    if (config.paymentPermitAddress !== undefined && !isEvmAddress(config.paymentPermitAddress))
      throw new EvmConfigError(`networks["${key}"].paymentPermitAddress`, 'is not an EVM address');
    const contract = paymentPermitAddress(
      network,
      config.paymentPermitAddress ? { [network]: config.paymentPermitAddress } : undefined,
    );
    if (!contract)
      throw new EvmConfigError(
        `networks["${key}"].paymentPermitAddress`,
        `no PaymentPermit is known on ${network}; give its address`,
      );
    const rpcUrl = config.rpcUrl;
    if (typeof rpcUrl !== 'string' && (!Array.isArray(rpcUrl) || rpcUrl.length === 0))
      throw new EvmConfigError(`networks["${key}"].rpcUrl`, 'give an http(s) JSON-RPC URL');
    const net = createEvmNetwork({
      network,
      chainId,
      rpcUrl,
      accounts,
      ...(options.rpcTimeoutMs === undefined ? {} : { rpcTimeoutMs: options.rpcTimeoutMs }),
      ...(options.feeCacheMs === undefined ? {} : { feeCacheMs: options.feeCacheMs }),
      ...(options.batch === undefined ? {} : { batch: options.batch }),
    });
    networks.set(network, { net, contract });
  }
  if (networks.size === 0) throw new EvmConfigError('networks', 'configure at least one eip155 network');
  return networks;
}

/** What `/supported` advertises for `network`: the caller, the fee recipient and the flat fee table. */
function kindExtra(
  networks: ReadonlyMap<string, ExactPermitNetwork>,
  feeOption: ExactPermitEvmFacilitatorOptions['fees'],
  fees: ExactPermitFeeSource,
  caller: Address,
  network: string,
): ExactPermitKindExtra | undefined {
  if (!networks.has(network)) return undefined;
  const table: ExactPermitKindExtra['fees'] = {};
  const feeTable = typeof feeOption === 'function' ? undefined : feeOption[network];
  for (const asset of Object.keys(feeTable ?? {})) {
    const fee = isEvmAddress(asset) ? fees(network, asset) : undefined;
    if (fee) table[addressKey(asset)] = { feeTo: fee.feeTo, feeAmount: fee.amount.toString() };
  }
  const feeTo = Object.values(table)[0]?.feeTo ?? caller;
  return { caller, feeTo, pricing: 'flat', fees: table };
}

function feeTableSource(table: ExactPermitFeeTable, defaultFeeTo: Address): ExactPermitFeeSource {
  const parsed = new Map<string, { feeTo: Address; amount: bigint }>();
  for (const [rawNetwork, tokens] of Object.entries(table ?? {})) {
    const network = toCaip2(rawNetwork) ?? rawNetwork;
    for (const [asset, fee] of Object.entries(tokens ?? {})) {
      const path = `fees["${rawNetwork}"]["${asset}"]`;
      if (!isEvmAddress(asset)) throw new EvmConfigError(path, 'the key must be a token address');
      if (fee.feeTo !== undefined && !isEvmAddress(fee.feeTo))
        throw new EvmConfigError(`${path}.feeTo`, 'is not an address');
      const amount = feeTableAmount(fee.amount);
      if (amount === undefined)
        throw new EvmConfigError(`${path}.amount`, 'must be atomic units as a decimal string');
      parsed.set(`${network}|${addressKey(asset)}`, { feeTo: getAddress(fee.feeTo ?? defaultFeeTo), amount });
    }
  }
  return (network, asset) => parsed.get(`${network}|${addressKey(asset)}`);
}

function settlementKey(payload: PaymentPayload, network: string): string | undefined {
  const permit = payload.payload.paymentPermit;
  if (typeof permit !== 'object' || permit === null) return undefined;
  const buyer: unknown = Reflect.get(permit, 'buyer');
  const meta: unknown = Reflect.get(permit, 'meta');
  const nonce: unknown = typeof meta === 'object' && meta !== null ? Reflect.get(meta, 'nonce') : undefined;
  if (typeof buyer !== 'string' || (typeof nonce !== 'string' && typeof nonce !== 'number')) return undefined;
  return `${network}|${buyer.toLowerCase()}|${String(nonce)}`;
}
