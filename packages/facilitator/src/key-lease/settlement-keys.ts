/**
 * The addresses a deployment's settlement keys send from, per chain family: one secp256k1 key is an
 * EVM account (checksummed `0x…`) and a TRON account (Base58 `T…`), leased separately so that a key
 * used for EVM by one instance and for TRON only by another is still one sender per chain.
 */
import { toTronAddress } from '@x402kit/tron';
import { getAddress, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ChainFamily, SettlementKey } from './key-lease-store.js';

/**
 * The settlement addresses of `privateKeys` in each served family, each once.
 *
 * @example
 * settlementKeysOf([key], ['evm', 'tron']) // [{ family: 'evm', address: '0xAb…' }, { family: 'tron', address: 'TQ…' }]
 */
export function settlementKeysOf(
  privateKeys: readonly Hex[],
  families: readonly ChainFamily[],
): SettlementKey[] {
  const evm = [...new Set(privateKeys.map((key) => getAddress(privateKeyToAccount(key).address)))];
  return families.flatMap((family) =>
    evm.map((address) => ({ family, address: family === 'tron' ? toTronAddress(address) : address })),
  );
}
