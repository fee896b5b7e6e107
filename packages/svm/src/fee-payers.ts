/**
 * The facilitator's fee payers: parsed once from secret keys, handed out round-robin.
 */
import type { KeyPairSigner } from '@solana/kit';
import { createKeyPairSignerFromBytes, getBase58Decoder, getBase58Encoder } from '@solana/kit';
import { SvmConfigError } from './config-error.js';

/**
 * A fee payer's secret key: the 64 bytes (seed then public key) Solana wallets export, as base58
 * (what `solana-keygen` and Phantom show) or as bytes (a `id.json` array).
 */
export type SvmSecretKey = string | Uint8Array | readonly number[];

/** The fee payers of one facilitator. */
export type FeePayers = {
  /** Every fee payer's base58 address, in configuration order. */
  readonly addresses: readonly string[];
  /** The signer of `address` if it is one of ours (rejects if its key's halves do not match). */
  signer(address: string): Promise<KeyPairSigner> | undefined;
  /** The next fee payer's address, round-robin. */
  next(): string;
};

/**
 * Parses secret keys into fee payers. Rejects an empty list, a key that is not 64 bytes and
 * duplicates, naming the key's index. Addresses come from the keys' public halves, so this is
 * synchronous; the key pairs are imported on first use.
 *
 * @example
 * const feePayers = createFeePayers([devnetFeePayer.secretKey])
 * feePayers.next() // its address
 */
export function createFeePayers(keys: readonly SvmSecretKey[]): FeePayers {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new SvmConfigError('feePayers', 'must list at least one secret key');
  }
  const secrets = new Map<string, Uint8Array>();
  for (const [index, key] of keys.entries()) {
    const path = `feePayers[${index}]`;
    let bytes: Uint8Array;
    try {
      bytes =
        typeof key === 'string'
          ? new Uint8Array(getBase58Encoder().encode(key.trim()))
          : Uint8Array.from(key as ArrayLike<number>);
    } catch {
      throw new SvmConfigError(path, 'is neither base58 nor a byte array');
    }
    if (bytes.length !== 64) {
      throw new SvmConfigError(
        path,
        `must be a 64-byte secret key (seed then public key), got ${bytes.length} bytes`,
      );
    }
    const address = getBase58Decoder().decode(bytes.subarray(32));
    if (secrets.has(address)) throw new SvmConfigError(path, `repeats the fee payer ${address}`);
    secrets.set(address, bytes);
  }
  const signers = new Map<string, Promise<KeyPairSigner>>();
  const addresses = [...secrets.keys()];
  let cursor = 0;
  return {
    addresses,
    signer(address) {
      const secret = secrets.get(address);
      if (!secret) return undefined;
      let signer = signers.get(address);
      if (!signer) {
        signer = createKeyPairSignerFromBytes(secret);
        signer.catch(() => undefined); // handled by whoever awaits it; never an unhandled rejection
        signers.set(address, signer);
      }
      return signer;
    },
    next() {
      const address = addresses[cursor % addresses.length] ?? '';
      cursor += 1;
      return address;
    },
  };
}
