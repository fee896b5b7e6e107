/**
 * Option parsing shared by the EVM facilitator factories (`exact`, `upto`, `exact_permit`): signers, RPC URLs,
 * networks and numeric limits, each rejected with the option's path in the message.
 */
import { evmChainId, toCaip2 } from '@x402kit/core';
import type { Hex, LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { addressKey, isEvmAddress } from '../address.js';
import { EvmConfigError } from '../config-error.js';
import { createEvmNetwork, type EvmNetwork } from '../evm-network.js';
import type { EvmBatchingOptions } from '../relayer/settlement-batcher.js';

export type { EvmBatchingOptions };

/** Options of one served network. */
export type EvmFacilitatorNetworkOptions = {
  /** JSON-RPC endpoint, or several tried in order. */
  rpcUrl: string | readonly string[];
};

/** How long a facilitator waits for a settlement's receipt, and how often it asks (every EVM scheme alike). */
export type EvmReceiptWaitOptions = {
  /** Longest wait for a settlement receipt before answering `settlement_pending`; default 30 000 ms. */
  receiptTimeoutMs?: number;
  /** Receipt polling interval; default 100 ms. */
  pollingIntervalMs?: number;
};

/**
 * The receipt wait of `options` with its defaults (30 000 ms, polled every 100 ms); throws
 * `EvmConfigError` for a value that is not a positive number of milliseconds.
 *
 * @example
 * readReceiptWait({ receiptTimeoutMs: 5000 }) // { receiptTimeoutMs: 5000, pollingIntervalMs: 100 }
 */
export function readReceiptWait(options: EvmReceiptWaitOptions): Required<EvmReceiptWaitOptions> {
  return {
    receiptTimeoutMs: positive('receiptTimeoutMs', options.receiptTimeoutMs ?? 30_000),
    pollingIntervalMs: positive('pollingIntervalMs', options.pollingIntervalMs ?? 100),
  };
}

/** How a facilitator talks to its networks' JSON-RPC endpoints (`exact` and `upto` alike). */
export type EvmRpcOptions = {
  /** Per-request RPC timeout; default 10 000 ms. */
  rpcTimeoutMs?: number;
  /** How long a gas-fee reading is reused; default 2000 ms. */
  feeCacheMs?: number;
  /** Batch concurrent JSON-RPC requests into one HTTP call; default false. */
  batch?: boolean;
};

/**
 * Build the per-network state of a facilitator from its options.
 *
 * @example
 * const networks = createEvmNetworks({ 'eip155:84532': { rpcUrl } }, accounts, {})
 */
export function createEvmNetworks(
  config: Record<string, EvmFacilitatorNetworkOptions> | undefined,
  accounts: readonly LocalAccount[],
  options: EvmRpcOptions & { stuckAfterMs?: number; batching?: EvmBatchingOptions | false },
): Map<string, EvmNetwork> {
  const networks = new Map<string, EvmNetwork>();
  const batching = parseBatching(options.batching);
  for (const [key, value] of Object.entries(config ?? {})) {
    const network = toCaip2(key) ?? key;
    const chainId = evmChainId(network);
    if (chainId === undefined)
      throw new EvmConfigError(`networks["${key}"]`, 'must be an eip155:<chainId> network id');
    networks.set(
      network,
      createEvmNetwork({
        network,
        chainId,
        rpcUrl: parseRpcUrl(`networks["${key}"].rpcUrl`, value?.rpcUrl),
        accounts,
        ...(options.rpcTimeoutMs === undefined
          ? {}
          : { rpcTimeoutMs: positive('rpcTimeoutMs', options.rpcTimeoutMs) }),
        ...(options.feeCacheMs === undefined
          ? {}
          : { feeCacheMs: nonNegative('feeCacheMs', options.feeCacheMs) }),
        ...(options.batch === undefined ? {} : { batch: options.batch }),
        ...(options.stuckAfterMs === undefined
          ? {}
          : { stuckAfterMs: nonNegative('stuckAfterMs', options.stuckAfterMs) }),
        ...(batching ? { batching } : {}),
      }),
    );
  }
  if (networks.size === 0) throw new EvmConfigError('networks', 'configure at least one eip155 network');
  return networks;
}

/** `batching` checked field by field; `undefined` when off. */
export function parseBatching(value: EvmBatchingOptions | false | undefined): EvmBatchingOptions | undefined {
  if (value === undefined || value === false) return undefined;
  if (typeof value !== 'object' || value === null)
    throw new EvmConfigError('batching', 'must be false or { windowMs?, maxBatch?, blockTimeMs?, maxGas? }');
  const { windowMs, maxBatch, blockTimeMs, maxGas } = value;
  if (maxBatch !== undefined && (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > 500))
    throw new EvmConfigError('batching.maxBatch', `must be an integer from 1 to 500 (got ${maxBatch})`);
  return {
    ...(windowMs === undefined ? {} : { windowMs: nonNegative('batching.windowMs', windowMs) }),
    ...(maxBatch === undefined ? {} : { maxBatch }),
    ...(blockTimeMs === undefined ? {} : { blockTimeMs: positive('batching.blockTimeMs', blockTimeMs) }),
    ...(maxGas === undefined ? {} : { maxGas: gas('batching.maxGas', maxGas) }),
  };
}

/** Private keys or viem local accounts -> unique local accounts. */
export function parseSigners(signers: ReadonlyArray<Hex | LocalAccount> | undefined): LocalAccount[] {
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

/** One http(s) URL or a non-empty list. */
export function parseRpcUrl(path: string, value: unknown): string | string[] {
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

/** Per-network allow-lists of token addresses. */
export function parseAllowedAssets(
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

/** A positive number of milliseconds. */
export function positive(path: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new EvmConfigError(path, `must be a positive number of milliseconds (got ${value})`);
  return value;
}

/** Zero or more milliseconds. */
export function nonNegative(path: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new EvmConfigError(path, `must be 0 or more milliseconds (got ${value})`);
  return value;
}

/** A gas limit of at least 21000. */
export function gas(path: string, value: bigint): bigint {
  if (typeof value !== 'bigint' || value < 21_000n)
    throw new EvmConfigError(path, 'must be a bigint of at least 21000');
  return value;
}
