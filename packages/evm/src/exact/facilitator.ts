/**
 * The facilitator side of `exact` on EVM (EIP-3009): verify with the reference's ordered checks and
 * reason strings, settle through locally-nonced relayers with fast receipt polling.
 */
import {
  evmChainId,
  type PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type SchemeFacilitator,
  type SettleResponse,
  toCaip2,
  type VerifyResponse,
} from '@x402kit/core';
import type { Hex, LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { addressKey, isEvmAddress } from '../address.js';
import { EvmConfigError } from '../config-error.js';
import { errorText } from '../error-text.js';
import { createEvmNetwork, type EvmNetwork } from '../evm-network.js';
import { payerOf } from './payload.js';
import { type ExactEvmSettleContext, settleExactEvmPayment } from './settle.js';
import { verifyExactEvmPayment } from './verify.js';

export type ExactEvmFacilitatorNetwork = {
  /** JSON-RPC endpoint, or several tried in order. */
  rpcUrl: string | readonly string[];
};

export type ExactEvmFacilitatorOptions = {
  /** Served networks by CAIP-2 id (`eip155:84532`; v1 names such as `base-sepolia` are accepted). */
  networks: Record<string, ExactEvmFacilitatorNetwork>;
  /** Keys that send settlements and pay gas: private keys or viem local accounts, used round-robin. */
  signers: ReadonlyArray<Hex | LocalAccount>;
  /** Simulate the transfer in `verify` (one `eth_call`); default true. */
  simulate?: boolean;
  /** `eth_call` the transfer right before sending it in `settle`, so doomed transfers cost no gas; default true. */
  preflight?: boolean;
  /** Longest wait for a settlement receipt before answering `settlement_pending`; default 30 000 ms. */
  receiptTimeoutMs?: number;
  /** Receipt polling interval; default 100 ms. */
  pollingIntervalMs?: number;
  /**
   * Gas limit for `transferWithAuthorization(…, v, r, s)`; default 120 000 (FiatToken uses about
   * 60-90k; no estimate is made per settle).
   */
  gasLimit?: bigint;
  /** Gas limit for the `bytes` overload (ERC-1271 wallets run their own check); default 300 000. */
  bytesGasLimit?: bigint;
  /** Only these token addresses are accepted, per network; default any EIP-3009 token. */
  allowedAssets?: Record<string, readonly string[]>;
  /** Settle 65-byte signatures through the `bytes` overload as well; default false. */
  forceBytesSignature?: boolean;
  /** Per-request RPC timeout; default 10 000 ms. */
  rpcTimeoutMs?: number;
  /** How long a gas-fee reading is reused; default 2000 ms. */
  feeCacheMs?: number;
  /** Batch concurrent JSON-RPC requests into one HTTP call; default false. */
  batch?: boolean;
};

export type ExactEvmFacilitator = SchemeFacilitator & {
  /** The CAIP-2 ids served. */
  readonly networks: string[];
  /** Stop receipt waits (they answer `settlement_pending`) and refuse new work. */
  close(): void;
};

const DEFAULTS = {
  receiptTimeoutMs: 30_000,
  pollingIntervalMs: 100,
  gasLimit: 120_000n,
  bytesGasLimit: 300_000n,
} as const;

/**
 * Create the `exact` EVM facilitator scheme, for `createFacilitator` from `@x402kit/core`.
 *
 * @example
 * const exact = createExactEvmFacilitator({
 *   networks: { 'eip155:84532': { rpcUrl: 'http://127.0.0.1:8545' } },
 *   signers: [facilitatorPrivateKey],
 * })
 * const facilitator = createFacilitator({ schemes: [{ networks: exact.networks, facilitator: exact }] })
 */
export function createExactEvmFacilitator(options: ExactEvmFacilitatorOptions): ExactEvmFacilitator {
  const accounts = parseSigners(options.signers);
  const networks = new Map<string, EvmNetwork>();
  for (const [key, config] of Object.entries(options.networks ?? {})) {
    const network = toCaip2(key) ?? key;
    const chainId = evmChainId(network);
    if (chainId === undefined)
      throw new EvmConfigError(`networks["${key}"]`, 'must be an eip155:<chainId> network id');
    networks.set(
      network,
      createEvmNetwork({
        network,
        chainId,
        rpcUrl: parseRpcUrl(`networks["${key}"].rpcUrl`, config?.rpcUrl),
        accounts,
        ...(options.rpcTimeoutMs === undefined
          ? {}
          : { rpcTimeoutMs: positive('rpcTimeoutMs', options.rpcTimeoutMs) }),
        ...(options.feeCacheMs === undefined
          ? {}
          : { feeCacheMs: nonNegative('feeCacheMs', options.feeCacheMs) }),
        ...(options.batch === undefined ? {} : { batch: options.batch }),
      }),
    );
  }
  if (networks.size === 0) throw new EvmConfigError('networks', 'configure at least one eip155 network');

  const ctx: ExactEvmSettleContext = {
    networkFor: (network) => networks.get(network),
    allowedAssets: parseAllowedAssets(options.allowedAssets),
    forceBytesSignature: options.forceBytesSignature ?? false,
    gasLimit: gas('gasLimit', options.gasLimit ?? DEFAULTS.gasLimit),
    bytesGasLimit: gas('bytesGasLimit', options.bytesGasLimit ?? DEFAULTS.bytesGasLimit),
    preflight: options.preflight ?? true,
    receiptTimeoutMs: positive('receiptTimeoutMs', options.receiptTimeoutMs ?? DEFAULTS.receiptTimeoutMs),
    pollingIntervalMs: positive('pollingIntervalMs', options.pollingIntervalMs ?? DEFAULTS.pollingIntervalMs),
  };
  const simulate = options.simulate ?? true;
  const addresses = accounts.map((a) => a.address);
  const lifetime = new AbortController();
  // concurrent settles of the same authorization share one transaction
  const settling = new Map<string, Promise<SettleResponse>>();

  async function verify(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    x402Version: 1 | 2,
  ): Promise<VerifyResponse> {
    const payer = payerOf(payload.payload);
    if (lifetime.signal.aborted) return unexpectedVerify('the facilitator is closed', payer);
    try {
      const { response } = await verifyExactEvmPayment(ctx, payload, requirements, { x402Version, simulate });
      return response;
    } catch (error) {
      return unexpectedVerify(errorText(error), payer);
    }
  }

  async function settle(
    payload: PaymentPayload,
    requirements: PaymentRequirements,
    x402Version: 1 | 2,
    signal: AbortSignal | undefined,
  ): Promise<SettleResponse> {
    const payer = payerOf(payload.payload);
    if (lifetime.signal.aborted)
      return unexpectedSettle('the facilitator is closed', requirements.network, payer);
    const key = settlementKey(payload, requirements);
    const running = key ? settling.get(key) : undefined;
    if (running) return running;
    const combined = signal ? AbortSignal.any([signal, lifetime.signal]) : lifetime.signal;
    const task = settleExactEvmPayment(ctx, payload, requirements, { x402Version, signal: combined }).catch(
      (error: unknown) => unexpectedSettle(errorText(error), requirements.network, payer),
    );
    if (!key) return task;
    settling.set(key, task);
    try {
      return await task;
    } finally {
      settling.delete(key);
    }
  }

  return {
    scheme: 'exact',
    family: 'eip155:*',
    networks: [...networks.keys()],
    getSigners: () => [...addresses],
    verify: (payload, requirements, c) => verify(payload, requirements, c.x402Version),
    settle: (payload, requirements, c) => settle(payload, requirements, c.x402Version, c.signal),
    close() {
      lifetime.abort();
    },
  };
}

function settlementKey(payload: PaymentPayload, requirements: PaymentRequirements): string | undefined {
  const authorization = payload.payload.authorization;
  const payer = payerOf(payload.payload);
  if (!payer || typeof authorization !== 'object' || authorization === null) return undefined;
  const nonce: unknown = Reflect.get(authorization, 'nonce');
  if (typeof nonce !== 'string') return undefined;
  return [
    requirements.network,
    addressKey(requirements.asset),
    addressKey(requirements.payTo),
    requirements.amount,
    addressKey(payer),
    nonce.toLowerCase(),
  ].join('|');
}

function unexpectedVerify(message: string, payer: string | undefined): VerifyResponse {
  return {
    isValid: false,
    invalidReason: Reasons.unexpectedVerifyError,
    invalidMessage: message,
    ...(payer ? { payer } : {}),
  };
}

function unexpectedSettle(message: string, network: string, payer: string | undefined): SettleResponse {
  return {
    success: false,
    errorReason: Reasons.unexpectedSettleError,
    errorMessage: message,
    transaction: '',
    network,
    ...(payer ? { payer } : {}),
  };
}

function parseSigners(signers: ReadonlyArray<Hex | LocalAccount> | undefined): LocalAccount[] {
  if (!Array.isArray(signers) || signers.length === 0) {
    throw new EvmConfigError(
      'signers',
      'give at least one private key (0x + 64 hex digits) or viem local account',
    );
  }
  const byAddress = new Map<string, LocalAccount>();
  signers.forEach((signer: unknown, i) => {
    let account: LocalAccount;
    if (typeof signer === 'string') {
      if (!/^0x[0-9a-fA-F]{64}$/.test(signer))
        throw new EvmConfigError(`signers[${i}]`, 'is not a 0x-prefixed 32-byte private key');
      account = privateKeyToAccount(`0x${signer.slice(2)}`);
    } else if (isLocalAccount(signer)) {
      account = signer;
    } else {
      throw new EvmConfigError(
        `signers[${i}]`,
        'must be a private key or a viem local account (with signTransaction)',
      );
    }
    byAddress.set(addressKey(account.address), account);
  });
  return [...byAddress.values()];
}

function isLocalAccount(value: unknown): value is LocalAccount {
  if (typeof value !== 'object' || value === null) return false;
  return (
    Reflect.get(value, 'type') === 'local' &&
    isEvmAddress(Reflect.get(value, 'address')) &&
    typeof Reflect.get(value, 'signTransaction') === 'function'
  );
}

function parseRpcUrl(path: string, value: unknown): string | string[] {
  const urls = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  if (urls.length === 0)
    throw new EvmConfigError(path, 'give an http(s) JSON-RPC URL or a non-empty list of them');
  urls.forEach((url: unknown, i) => {
    if (typeof url !== 'string' || !/^https?:\/\/\S+$/.test(url)) {
      throw new EvmConfigError(
        Array.isArray(value) ? `${path}[${i}]` : path,
        `"${String(url)}" is not an http(s) URL`,
      );
    }
  });
  return typeof value === 'string' ? value : urls.map(String);
}

function parseAllowedAssets(
  value: Record<string, readonly string[]> | undefined,
): Map<string, Set<string>> | undefined {
  if (value === undefined) return undefined;
  const out = new Map<string, Set<string>>();
  for (const [key, list] of Object.entries(value)) {
    const set = new Set<string>();
    list.forEach((asset, i) => {
      if (!isEvmAddress(asset))
        throw new EvmConfigError(`allowedAssets["${key}"][${i}]`, `"${asset}" is not an EVM address`);
      set.add(addressKey(asset));
    });
    out.set(toCaip2(key) ?? key, set);
  }
  return out;
}

function positive(path: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new EvmConfigError(path, `must be a positive number of milliseconds (got ${value})`);
  return value;
}

function nonNegative(path: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new EvmConfigError(path, `must be 0 or more milliseconds (got ${value})`);
  return value;
}

function gas(path: string, value: bigint): bigint {
  if (typeof value !== 'bigint' || value < 21_000n)
    throw new EvmConfigError(path, 'must be a bigint of at least 21000');
  return value;
}
