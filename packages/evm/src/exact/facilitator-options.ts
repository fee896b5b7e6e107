/**
 * Option parsing shared by the EVM facilitator factories (`exact`, `upto`): signers, RPC URLs,
 * networks and numeric limits, each rejected with the option's path in the message.
 */
import { evmChainId, toCaip2 } from '@x402kit/core';
import type { Hex, LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { addressKey, isEvmAddress } from '../address.js';
import { EvmConfigError } from '../config-error.js';
import { createEvmNetwork, type EvmNetwork } from '../evm-network.js';

/** Options of one served network. */
export type EvmFacilitatorNetworkOptions = {
  /** JSON-RPC endpoint, or several tried in order. */
  rpcUrl: string | readonly string[];
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
  options: { rpcTimeoutMs?: number; feeCacheMs?: number; batch?: boolean },
): Map<string, EvmNetwork> {
  const networks = new Map<string, EvmNetwork>();
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
      }),
    );
  }
  if (networks.size === 0) throw new EvmConfigError('networks', 'configure at least one eip155 network');
  return networks;
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
