/**
 * The paying side of `exact_gasfree` (reference §2.4): GasFree account info, provider and maxFee rules, a
 * balance check at the GasFree address, a deadline clamped to the provider, the TIP-712 PermitTransfer
 * signature, and the G1 wire BofAI's facilitator expects (or G2 on request).
 */
import { type PaymentRequirements, type SchemeClient, X402Error } from '@x402kit/core';
import type { Hex } from 'viem';
import { sameTronAddress, toTronAddress } from '../address.js';
import { parseTronNetwork, type TronNetworkName } from '../networks.js';
import { createTronNodeClient, type TronNodeClient, type TronNodeClientOptions } from '../node-client.js';
import { gasFreeControllerAddress } from '../tokens.js';
import { readTrc20Balance } from '../trc20-reads.js';
import { providerDeadline } from './exact-gasfree-deadline.js';
import {
  EXACT_GASFREE_SCHEME,
  type ExactGasFreePermit,
  toExactGasFreeG1,
  toExactGasFreeG2,
} from './exact-gasfree-payload.js';
import { ExactGasFreeReasons } from './exact-gasfree-reasons.js';
import {
  createGasFreeApiClient,
  type GasFreeApiClient,
  type GasFreeApiClientOptions,
} from './gasfree-api-client.js';
import { GasFreeError, GasFreeReasons } from './gasfree-error.js';
import { gasFreeMaxFee, gasFreeTypedData } from './typed-data.js';

/** Signs GasFree's TIP-712 PermitTransfer; a viem `LocalAccount` fits. `address` in any TRON form. */
export interface ExactGasFreeSigner {
  readonly address: string;
  signTypedData(typedData: ReturnType<typeof gasFreeTypedData>): Promise<Hex>;
}

/** Options of {@link createExactGasFreeClient}. */
export interface ExactGasFreeClientOptions {
  signer: ExactGasFreeSigner;
  /** The GasFree API per network (any id form): a client, or options to create one. */
  apis: Record<string, GasFreeApiClient | GasFreeApiClientOptions>;
  /** A TRON node per network, for the on-chain balance of the GasFree address; else the API's `balance`. */
  node?: Record<string, TronNodeClient | TronNodeClientOptions>;
  /** GasFreeController per network (Base58), over the known ones (the TIP-712 `verifyingContract`). */
  controllers?: Record<string, string>;
  /** Skip the balance check (BofAI's `extensions.skipBalanceCheck` does the same per payment). */
  skipBalanceCheck?: boolean;
  /** `g1` (default; BofAI 0.5.x facilitators) or `g2` (BofAI 1.x). */
  wire?: 'g1' | 'g2';
}

const refuse = (reason: string, message: string): never => {
  throw new X402Error(reason, `exact_gasfree: ${message}`);
};

function byNetwork<T, U>(map: Record<string, T> | undefined, make: (value: T) => U): Map<TronNetworkName, U> {
  const out = new Map<TronNetworkName, U>();
  for (const [key, value] of Object.entries(map ?? {})) {
    const network = parseTronNetwork(key)?.network;
    if (!network) refuse(ExactGasFreeReasons.unsupportedNetwork, `${key} is not a TRON network`);
    else out.set(network, make(value));
  }
  return out;
}

function readFee(requirements: PaymentRequirements): { feeTo?: string; amount?: bigint } {
  const fee: unknown = requirements.extra?.fee;
  if (typeof fee !== 'object' || fee === null) return {};
  const feeTo: unknown = Reflect.get(fee, 'feeTo');
  const amount: unknown = Reflect.get(fee, 'feeAmount');
  return {
    ...(typeof feeTo === 'string' && feeTo.length > 0 ? { feeTo: toTronAddress(feeTo) } : {}),
    ...((typeof amount === 'string' && /^\d+$/.test(amount)) || typeof amount === 'number'
      ? { amount: BigInt(amount) }
      : { amount: 0n }),
  };
}

function readContextMeta(extensions: Record<string, unknown> | undefined) {
  const context: unknown = extensions?.paymentPermitContext;
  const meta: unknown =
    typeof context === 'object' && context !== null ? Reflect.get(context, 'meta') : undefined;
  const get = (key: string): unknown =>
    typeof meta === 'object' && meta !== null ? Reflect.get(meta, key) : undefined;
  const int = (v: unknown) =>
    typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
  const paymentId = get('paymentId');
  return {
    validBefore: int(get('validBefore')),
    validAfter: int(get('validAfter')),
    paymentId: typeof paymentId === 'string' ? paymentId : undefined,
  };
}

/**
 * Creates the client half of `exact_gasfree`, for `createX402Client` from `@x402kit/core`. Payments come out
 * of the signer's GasFree account; the main wallet needs no TRX and no approval.
 *
 * @example
 * const client = createX402Client({
 *   schemes: [{ network: 'tron:*', client: createExactGasFreeClient({
 *     signer: privateKeyToAccount(key),
 *     apis: { 'tron:nile': { baseUrl: 'https://facilitator.bankofai.io/nile' } },
 *     node: { 'tron:nile': { url: 'https://nile.trongrid.io' } },
 *   }) }],
 * });
 */
export function createExactGasFreeClient(options: ExactGasFreeClientOptions): SchemeClient {
  const payer: GasFreePayer = {
    options,
    apis: byNetwork(options.apis, (a) => ('getAddressInfo' in a ? a : createGasFreeApiClient(a))),
    nodes: byNetwork(options.node, (n) => ('triggerConstantContract' in n ? n : createTronNodeClient(n))),
    controllers: byNetwork(options.controllers, (c) => toTronAddress(c)),
    user: toTronAddress(options.signer.address),
  };
  return {
    scheme: EXACT_GASFREE_SCHEME,
    async createPaymentPayload(requirements, ctx) {
      try {
        return await sign(payer, requirements, ctx.extensions);
      } catch (error) {
        if (error instanceof GasFreeError && error.reason === GasFreeReasons.deadlineTooShort)
          throw new X402Error(ExactGasFreeReasons.deadlineTooShort, error.message, { cause: error });
        throw error;
      }
    },
  };
}

/** One client's signer, GasFree APIs, nodes and controllers per network. */
type GasFreePayer = {
  options: ExactGasFreeClientOptions;
  apis: Map<TronNetworkName, GasFreeApiClient>;
  nodes: Map<TronNetworkName, TronNodeClient>;
  controllers: Map<TronNetworkName, string>;
  user: string;
};

async function sign(
  payer: GasFreePayer,
  requirements: PaymentRequirements,
  extensions: Record<string, unknown> | undefined,
) {
  const { options, user } = payer;
  const net = parseTronNetwork(requirements.network);
  const api = net ? payer.apis.get(net.network) : undefined;
  if (!net || !api)
    return refuse(ExactGasFreeReasons.unsupportedNetwork, `no GasFree API for ${requirements.network}`);
  const controller = payer.controllers.get(net.network) ?? gasFreeControllerAddress(net.network);
  if (!controller)
    return refuse(ExactGasFreeReasons.unsupportedNetwork, `no GasFreeController on ${net.network}`);
  const info = await api.getAddressInfo(user);
  if (!info.active && !info.allowSubmit) {
    refuse(
      ExactGasFreeReasons.accountInactive,
      `the GasFree account ${info.gasFreeAddress} of ${user} is not active and may not submit yet`,
    );
  }
  const fee = readFee(requirements);
  const providers = await api.getProviders();
  const provider =
    fee.feeTo ??
    providers[Math.floor(Math.random() * providers.length)]?.address ??
    refuse(ExactGasFreeReasons.feeToMismatch, 'the GasFree API lists no service provider');
  const asset = info.assets.find((a) => sameTronAddress(a.tokenAddress, requirements.asset));
  if (!asset)
    return refuse(ExactGasFreeReasons.unsupportedToken, `GasFree does not support ${requirements.asset}`);
  const maxFee = gasFreeMaxFee({
    transferFee: asset.transferFee,
    activateFee: asset.activateFee,
    active: info.active,
    decimals: asset.decimal,
    ...(fee.amount === undefined ? {} : { quotedFee: fee.amount }),
  });
  const value = BigInt(requirements.amount);
  if (!options.skipBalanceCheck && extensions?.skipBalanceCheck !== true) {
    await checkGasFreeBalance(payer.nodes.get(net.network), {
      token: requirements.asset,
      owner: info.gasFreeAddress,
      apiBalance: asset.balance,
      value,
      maxFee,
    });
  }
  const meta = readContextMeta(extensions);
  const deadline = providerDeadline({
    chainId: net.chainId,
    ...(meta.validBefore === undefined ? {} : { requested: meta.validBefore }),
    ...(() => {
      const p = providers.find((x) => sameTronAddress(x.address, provider));
      return p ? { provider: p } : {};
    })(),
  });
  const permit: ExactGasFreePermit = {
    token: toTronAddress(requirements.asset),
    serviceProvider: toTronAddress(provider),
    user,
    receiver: toTronAddress(requirements.payTo),
    value,
    maxFee,
    deadline,
    version: 1n,
    nonce: BigInt(info.nonce),
  };
  const signature = await options.signer.signTypedData(
    gasFreeTypedData({ chainId: net.chainId, controller, permit }),
  );
  const gasFreeAddress = toTronAddress(info.gasFreeAddress);
  if (options.wire === 'g2') return toExactGasFreeG2(permit, signature, gasFreeAddress);
  return toExactGasFreeG1(permit, signature, gasFreeAddress, {
    ...(meta.paymentId === undefined ? {} : { paymentId: meta.paymentId }),
    ...(meta.validAfter === undefined ? {} : { validAfter: meta.validAfter }),
  });
}

/** Refuse when the GasFree address cannot cover `value + maxFee`: the node's balance, else the API's. */
async function checkGasFreeBalance(
  node: TronNodeClient | undefined,
  need: { token: string; owner: string; apiBalance: bigint | undefined; value: bigint; maxFee: bigint },
): Promise<void> {
  const { token, owner, value, maxFee } = need;
  const balance = node ? await readTrc20Balance(node, { token, owner }) : need.apiBalance;
  if (balance !== undefined && balance < value + maxFee) {
    refuse(
      ExactGasFreeReasons.insufficientBalance,
      `GasFree address ${owner} holds ${balance}, the payment needs ${value} + fee ${maxFee}`,
    );
  }
}
