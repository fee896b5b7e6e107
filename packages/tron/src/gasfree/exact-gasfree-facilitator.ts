/**
 * The facilitator side of `exact_gasfree`: verify (BofAI's checks plus GasFree's own), settle through the
 * GasFree API (submit, then wait for the transfer, riding out `data: null` and transient errors), quote the
 * provider's fee, and advertise providers and fees in `/supported`. The facilitator holds no key: the GasFree
 * provider pays the energy and takes its fee from the user's GasFree account.
 */
import {
  type PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type SchemeFacilitator,
  type SettleResponse,
  settleRefusal,
  verifyRefusal,
} from '@x402kit/core';
import { createSharedSettlements } from '@x402kit/core/internal';
import { isTronAddress, toTronAddress, tronAddressBody } from '../address.js';
import { parseTronAllowedAssets } from '../allowed-assets.js';
import { parseTronNetwork, type TronNetworkName } from '../networks.js';
import { connectTronNode } from '../node-endpoint.js';
import { gasFreeControllerAddress } from '../tokens.js';
import { EXACT_GASFREE_SCHEME, readExactGasFreePayload } from './exact-gasfree-payload.js';
import { ExactGasFreeReasons } from './exact-gasfree-reasons.js';
import type { ExactGasFreeFeeQuote, ExactGasFreeKindExtra } from './exact-gasfree-server.js';
import { followGasFreeTransfer, type SettleRecord } from './exact-gasfree-settle.js';
import { submitGasFreeTransfer } from './exact-gasfree-submit.js';
import {
  type ExactGasFreeNetwork,
  type ExactGasFreeVerifyContext,
  verifyExactGasFreePayment,
} from './exact-gasfree-verify.js';
import {
  createGasFreeApiClient,
  type GasFreeApiClient,
  type GasFreeApiClientOptions,
} from './gasfree-api-client.js';
import type { GasFreeProvider } from './gasfree-api-types.js';
import { GasFreeError, GasFreeReasons } from './gasfree-error.js';

/** One network of {@link ExactGasFreeFacilitatorOptions}. */
export interface ExactGasFreeFacilitatorNetwork {
  /** The GasFree API: `{ baseUrl, apiKey?, apiSecret? }` (official API with HMAC keys, or a proxy), or a client. */
  api: GasFreeApiClientOptions | GasFreeApiClient;
  /** A TRON node for the GasFree address's balance (`https://nile.trongrid.io`); else the API's balance. */
  fullHost?: string;
  /** TronGrid key for `fullHost`. */
  apiKey?: string;
  /** GasFreeController (any form); default the known deployment. */
  controller?: string;
}

/** Options of {@link createExactGasFreeFacilitator}. */
export interface ExactGasFreeFacilitatorOptions {
  /** Served networks, keyed by TRON id in any form (`tron:nile`, `tron:0xcd8690dc`). */
  networks: Record<string, ExactGasFreeFacilitatorNetwork>;
  /**
   * The facilitator's fee floor per token: `{ [network]: { [token]: atomicUnits } }` or a function. `maxFee`
   * must reach it; tokens without a fee are refused (`unsupported_token`).
   */
  fees:
    | Record<string, Record<string, string | bigint>>
    | ((network: TronNetworkName, asset: string) => bigint | undefined);
  /** Only these tokens, per network; default every token with a fee. */
  allowedAssets?: Record<string, readonly string[]>;
  /** How long settle waits for the transfer before answering `settlement_pending`; default 120000 ms. */
  settleTimeoutMs?: number;
  /** Status poll interval; default 2000 ms. */
  pollMs?: number;
  /** How long the provider list is cached; default 60000 ms. */
  providerCacheMs?: number;
  /**
   * After a submit whose answer was lost, how long the user's GasFree account is watched for the
   * permit's nonce to be taken before answering `gasfree_api_unavailable`; default 3000 ms.
   */
  submitLookupMs?: number;
}

/** The exact_gasfree facilitator scheme, with the fee quote and lifecycle helpers. */
export type ExactGasFreeFacilitator = SchemeFacilitator & {
  readonly networks: string[];
  /** Loads the provider lists (so `/supported` and quotes name a provider); call before serving. */
  ready(): Promise<void>;
  /** The `/fee/quote` entry for one offer, or `undefined` when it is not served. */
  quoteFee(
    requirements: Pick<PaymentRequirements, 'scheme' | 'network' | 'asset'>,
  ): ExactGasFreeFeeQuote | undefined;
  close(): void;
};

class ConfigError extends GasFreeError {
  constructor(path: string, problem: string) {
    super(GasFreeReasons.invalidOptions, `exact_gasfree facilitator: ${path} ${problem}`);
  }
}

/**
 * Creates the `exact_gasfree` facilitator scheme, for `createFacilitator` from `@x402kit/core`.
 *
 * @example
 * const gasfree = createExactGasFreeFacilitator({
 *   networks: { 'tron:nile': { api: { baseUrl: 'https://open-test.gasfree.io/nile', apiKey, apiSecret }, fullHost: 'https://nile.trongrid.io' } },
 *   fees: { 'tron:nile': { TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf: '100000' } },
 * });
 * await gasfree.ready();
 * const facilitator = createFacilitator({ schemes: [{ networks: gasfree.networks, facilitator: gasfree, x402Versions: [2] }] });
 */
export function createExactGasFreeFacilitator(
  options: ExactGasFreeFacilitatorOptions,
): ExactGasFreeFacilitator {
  const networks = gasFreeNetworks(options);
  const feeFor = feeSource(options.fees);
  const allowedAssets = parseTronAllowedAssets(
    options.allowedAssets,
    tronAddressBody,
    (path, problem) => new ConfigError(path, problem),
  );
  const ctx: ExactGasFreeVerifyContext = {
    networkFor: (network) => {
      const name = parseTronNetwork(network)?.network;
      return name ? networks.get(name) : undefined;
    },
    feeFor,
    ...(allowedAssets ? { allowedAssets } : {}),
  };
  const facilitator: GasFreeFacilitator = {
    options,
    networks,
    ctx,
    allowedAssets,
    timing: { timeoutMs: options.settleTimeoutMs ?? 120_000, pollMs: options.pollMs ?? 2_000 },
    shared: createSharedSettlements<SettleResponse>(),
    records: new Map<string, SettleRecord>(),
    lost: new Map<string, SettleResponse>(),
    lookup: {
      ...(options.submitLookupMs === undefined ? {} : { lookupMs: options.submitLookupMs }),
    },
    closed: false,
  };
  return {
    scheme: EXACT_GASFREE_SCHEME,
    family: 'tron:*',
    networks: [...networks.keys()],
    getSigners: (network) => kindExtra(facilitator, network)?.providers ?? [],
    getExtra(network) {
      const extra = kindExtra(facilitator, network);
      return extra ? { ...extra } : undefined;
    },
    async ready() {
      await Promise.all([...networks.values()].map((n) => n.providers()));
    },
    quoteFee: (requirements) => quoteFee(facilitator, requirements),
    async verify(payload, requirements) {
      if (facilitator.closed)
        return verifyRefusal(Reasons.unexpectedVerifyError, 'the facilitator is closed');
      try {
        return (await verifyExactGasFreePayment(ctx, payload, requirements)).response;
      } catch (error) {
        return verifyRefusal(
          Reasons.unexpectedVerifyError,
          error instanceof Error ? error.message : String(error),
        );
      }
    },
    settle: (payload, requirements, c) => settle(facilitator, payload, requirements, c.onBroadcast),
    close: () => {
      facilitator.closed = true;
    },
  };
}

/** A served network with its provider list, cached for `providerCacheMs`. */
type CachedGasFreeNetwork = ExactGasFreeNetwork & { cached: () => GasFreeProvider[] };

/** One facilitator's networks, checks and settlement memory, shared by the steps below. */
type GasFreeFacilitator = {
  options: ExactGasFreeFacilitatorOptions;
  networks: Map<TronNetworkName, CachedGasFreeNetwork>;
  ctx: ExactGasFreeVerifyContext;
  allowedAssets: ExactGasFreeVerifyContext['allowedAssets'];
  timing: { timeoutMs: number; pollMs: number };
  shared: ReturnType<typeof createSharedSettlements<SettleResponse>>;
  records: Map<string, SettleRecord>;
  /** Permits submitted whose answer was lost: pending for good here, never submitted again. */
  lost: Map<string, SettleResponse>;
  lookup: { lookupMs?: number };
  closed: boolean;
};

/** The served networks by name, each with its GasFree API, controller, optional node and providers. */
function gasFreeNetworks(
  options: ExactGasFreeFacilitatorOptions,
): Map<TronNetworkName, CachedGasFreeNetwork> {
  const cacheMs = options.providerCacheMs ?? 60_000;
  const networks = new Map<TronNetworkName, CachedGasFreeNetwork>();
  for (const [key, config] of Object.entries(options.networks ?? {})) {
    const tron = parseTronNetwork(key);
    if (!tron) throw new ConfigError(`networks["${key}"]`, 'is not a TRON network id');
    const controller = config.controller ?? gasFreeControllerAddress(tron.network);
    if (!controller || !isTronAddress(controller))
      throw new ConfigError(`networks["${key}"].controller`, 'is not a TRON address');
    const api = 'getAddressInfo' in config.api ? config.api : createGasFreeApiClient(config.api);
    networks.set(tron.network, {
      network: tron.network,
      chainId: tron.chainId,
      controller: toTronAddress(controller),
      api,
      ...(config.fullHost
        ? {
            node: connectTronNode({ fullHost: config.fullHost, apiKey: config.apiKey }),
          }
        : {}),
      ...providerCache(api, cacheMs),
    });
  }
  if (networks.size === 0) throw new ConfigError('networks', 'must name at least one TRON network');
  return networks;
}

/** The API's provider list, fetched at most once at a time and kept `cacheMs`; a stale list beats none. */
function providerCache(
  api: GasFreeApiClient,
  cacheMs: number,
): { providers: () => Promise<GasFreeProvider[]>; cached: () => GasFreeProvider[] } {
  let list: GasFreeProvider[] = [];
  let fetchedAt = 0;
  let loading: Promise<GasFreeProvider[]> | undefined;
  const providers = async () => {
    if (Date.now() - fetchedAt < cacheMs && list.length > 0) return list;
    loading ??= api
      .getProviders()
      .then((fresh) => {
        list = fresh;
        fetchedAt = Date.now();
        return fresh;
      })
      .catch((error: unknown) => {
        if (list.length > 0) return list; // a stale list beats none
        throw error;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };
  return { providers, cached: () => list };
}

function quoteFee(
  facilitator: GasFreeFacilitator,
  requirements: Pick<PaymentRequirements, 'scheme' | 'network' | 'asset'>,
): ExactGasFreeFeeQuote | undefined {
  const net = facilitator.ctx.networkFor(requirements.network);
  if (requirements.scheme !== EXACT_GASFREE_SCHEME || !net || !isTronAddress(requirements.asset))
    return undefined;
  const allowed = facilitator.allowedAssets?.get(net.network);
  if (allowed && !allowed.has(tronAddressBody(requirements.asset))) return undefined;
  const fee = facilitator.ctx.feeFor(net.network, requirements.asset);
  const provider = facilitator.networks.get(net.network)?.cached()[0]?.address;
  if (fee === undefined || provider === undefined) return undefined;
  const feeTo = toTronAddress(provider);
  return { feeTo, feeAmount: fee.toString(), caller: feeTo };
}

function kindExtra(facilitator: GasFreeFacilitator, network: string): ExactGasFreeKindExtra | undefined {
  const { options } = facilitator;
  const name = parseTronNetwork(network)?.network;
  const net = name ? facilitator.networks.get(name) : undefined;
  if (!net) return undefined;
  const providers = net.cached().map((p) => toTronAddress(p.address));
  if (providers.length === 0) void net.providers().catch(() => undefined);
  const feeTo = providers[0] ?? '';
  const fees: ExactGasFreeKindExtra['fees'] = {};
  const table =
    typeof options.fees === 'function' ? undefined : (options.fees[network] ?? options.fees[net.network]);
  for (const asset of Object.keys(table ?? {})) {
    const fee = isTronAddress(asset) ? facilitator.ctx.feeFor(net.network, asset) : undefined;
    if (fee !== undefined && feeTo) fees[toTronAddress(asset)] = { feeTo, feeAmount: fee.toString() };
  }
  return { providers, feeTo, caller: feeTo, pricing: 'flat', fees };
}

async function settleNew(
  facilitator: GasFreeFacilitator,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  key: string | undefined,
  onBroadcast?: (tx: string) => Promise<void> | void,
): Promise<SettleResponse> {
  const { network } = requirements;
  const outcome = await verifyExactGasFreePayment(facilitator.ctx, payload, requirements);
  if (!outcome.verified) {
    const { invalidReason, invalidMessage, payer } = outcome.response;
    return settleRefusal(invalidReason ?? Reasons.unexpectedSettleError, invalidMessage, network, '', payer);
  }
  const { read, net } = outcome.verified;
  const payer = read.permit.user;
  const submitted = await submitGasFreeTransfer(net.api, read.permit, read.signature, facilitator.lookup);
  if (submitted.kind === 'refused' || submitted.kind === 'not-accepted') {
    return settleRefusal(
      submitted.kind === 'refused' ? ExactGasFreeReasons.submitRejected : ExactGasFreeReasons.apiUnavailable,
      `exact_gasfree: ${submitted.kind === 'refused' ? 'submit refused' : 'submit failed'}: ${submitted.message}`,
      network,
      '',
      payer,
    );
  }
  if (submitted.kind === 'unknown') {
    // accepted as far as anyone knows, but its trace id is lost: never submit this permit again
    const answer = settleRefusal(
      ExactGasFreeReasons.settlementPending,
      `exact_gasfree: ${submitted.message}; settle the same payment again later`,
      network,
      '',
      payer,
    );
    if (key) setBounded(facilitator.lost, key, answer);
    return answer;
  }
  const record: SettleRecord = { traceId: submitted.traceId, network, payer, net };
  if (key) setBounded(facilitator.records, key, record);
  return followGasFreeTransfer(record, { ...facilitator.timing, ...(onBroadcast ? { onBroadcast } : {}) });
}

async function settle(
  facilitator: GasFreeFacilitator,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  onBroadcast?: (tx: string) => Promise<void> | void,
): Promise<SettleResponse> {
  if (facilitator.closed)
    return settleRefusal(Reasons.unexpectedSettleError, 'the facilitator is closed', requirements.network);
  const key = settlementKey(payload, requirements.network);
  return facilitator.shared(key, () => {
    const known = key ? facilitator.records.get(key) : undefined;
    const lostAnswer = key ? facilitator.lost.get(key) : undefined;
    // The same permit again: answer from its transfer, never a second submit.
    return (
      known
        ? followGasFreeTransfer(known, { ...facilitator.timing, ...(onBroadcast ? { onBroadcast } : {}) })
        : lostAnswer
          ? Promise.resolve(lostAnswer)
          : settleNew(facilitator, payload, requirements, key, onBroadcast)
    ).catch((error: unknown) =>
      settleRefusal(
        Reasons.unexpectedSettleError,
        error instanceof Error ? error.message : String(error),
        requirements.network,
      ),
    );
  });
}

/** Same user, nonce and signature on the same network: the same permit. */
function settlementKey(payload: PaymentPayload, network: string): string | undefined {
  try {
    const { permit, signature } = readExactGasFreePayload(payload);
    return `${parseTronNetwork(network)?.network ?? network}|${tronAddressBody(permit.user)}|${permit.nonce}|${signature}`;
  } catch {
    return undefined;
  }
}

function feeSource(
  fees: ExactGasFreeFacilitatorOptions['fees'],
): (n: TronNetworkName, a: string) => bigint | undefined {
  if (typeof fees === 'function') return fees;
  const table = new Map<string, bigint>();
  for (const [rawNetwork, tokens] of Object.entries(fees ?? {})) {
    const network = parseTronNetwork(rawNetwork)?.network;
    if (!network) throw new ConfigError(`fees["${rawNetwork}"]`, 'is not a TRON network id');
    for (const [asset, amount] of Object.entries(tokens ?? {})) {
      const path = `fees["${rawNetwork}"]["${asset}"]`;
      if (!isTronAddress(asset)) throw new ConfigError(path, 'must be keyed by a token address');
      if (typeof amount !== 'bigint' && !/^\d+$/.test(String(amount)))
        throw new ConfigError(path, 'must be atomic units (a decimal string or bigint)');
      table.set(`${network}|${tronAddressBody(asset)}`, BigInt(amount));
    }
  }
  return (network, asset) =>
    isTronAddress(asset) ? table.get(`${network}|${tronAddressBody(asset)}`) : undefined;
}

/** Remember `value` under `key`, dropping the oldest entry beyond 10 000. */
function setBounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > 10_000) map.delete(map.keys().next().value ?? key);
}
