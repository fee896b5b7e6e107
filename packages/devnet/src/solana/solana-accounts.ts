import { createHash } from 'node:crypto';
import type { KeyPairSigner } from '@solana/kit';
import { createKeyPairSignerFromPrivateKeyBytes, getAddressDecoder, getBase58Decoder } from '@solana/kit';
import { Reasons, X402Error } from '@x402kit/core';

/** The roles of the well-known Solana devnet accounts. */
export type SolanaDevnetRole = 'payer' | 'payTo' | 'feePayer';

/** A well-known Solana devnet account. Public keys: never use them on a real network. */
export interface SolanaDevnetAccount {
  readonly role: SolanaDevnetRole;
  /** Base58 public key. */
  readonly address: string;
  /** Base58 of the 64-byte secret key (32-byte seed then public key), the form Solana wallets import. */
  readonly secretKey: string;
  /** The 32-byte Ed25519 seed, hex without `0x`. */
  readonly seedHex: string;
}

function seedOf(role: SolanaDevnetRole): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`x402kit solana devnet ${role}`).digest());
}

/**
 * The kit signer of a well-known devnet account; its key is derived from the role name, so it is the same on
 * every machine.
 *
 * @example
 * ```ts
 * const payer = await solanaDevnetSigner('payer');
 * payer.address; // the same base58 key every run
 * ```
 */
export async function solanaDevnetSigner(role: SolanaDevnetRole): Promise<KeyPairSigner> {
  return createKeyPairSignerFromPrivateKeyBytes(seedOf(role), true);
}

/**
 * A well-known devnet account in the forms Solana tools use (base58 address and 64-byte secret key).
 *
 * @example
 * ```ts
 * const { address, secretKey } = await solanaDevnetAccount('feePayer');
 * ```
 */
export async function solanaDevnetAccount(role: SolanaDevnetRole): Promise<SolanaDevnetAccount> {
  const seed = seedOf(role);
  const signer = await createKeyPairSignerFromPrivateKeyBytes(seed, true);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', signer.keyPair.publicKey));
  if (getAddressDecoder().decode(publicKey) !== signer.address)
    throw new X402Error(Reasons.internalError, 'solana devnet: key mismatch');
  const secret = new Uint8Array(64);
  secret.set(seed, 0);
  secret.set(publicKey, 32);
  return {
    role,
    address: signer.address,
    secretKey: getBase58Decoder().decode(secret),
    seedHex: Buffer.from(seed).toString('hex'),
  };
}
