/**
 * The payer's keys, read once at the edge for every command that signs or shows a wallet: from
 * flags, the environment, or a key file (`--key-file` / `X402KIT_KEY_FILE`: `NAME=value` lines).
 * Values are checked here and never echoed in messages.
 */
import { readFileSync } from 'node:fs';
import { createKeyPairSignerFromBytes, getBase58Encoder, type KeyPairSigner } from '@solana/kit';
import type { Hex } from 'viem';
import { z } from 'zod';
import { UsageError } from './command.js';
import { PrivateKeySchema } from './options.js';

/** A Solana secret key: base58 of 64 bytes (seed then public key). The value is never echoed in messages. */
export const SolanaSecretKeySchema = z
  .string()
  .regex(/^[1-9A-HJ-NP-Za-km-z]+$/, 'must be a base58 secret key (64 bytes, as the Solana CLI prints it)')
  .transform((value, ctx) => {
    const bytes = getBase58Encoder().encode(value);
    if (bytes.length !== 64) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a base58 secret key of 64 bytes, got ${bytes.length} bytes`,
      });
      return z.NEVER;
    }
    return new Uint8Array(bytes);
  });

/** Where each key came from, for messages. */
export const KEY_SOURCES = {
  privateKey: '--private-key (or PRIVATE_KEY / EVM_PRIVATE_KEY)',
  secretKey: '--solana-private-key (or SOLANA_PRIVATE_KEY)',
  rpcUrl: '--solana-rpc (or SOLANA_RPC_URL)',
} as const;

/** The flags every key-reading command takes (spread into its `parseFlags` options). */
export const KEY_FLAGS = {
  'private-key': { type: 'string' },
  'solana-private-key': { type: 'string' },
  'solana-rpc': { type: 'string' },
  'key-file': { type: 'string' },
} as const;

/** Raw key inputs: flag values by flag name. */
export type KeyFlagValues = {
  'private-key'?: string | undefined;
  'tron-private-key'?: string | undefined;
  'tron-rpc'?: string | undefined;
  'solana-private-key'?: string | undefined;
  'solana-rpc'?: string | undefined;
  'key-file'?: string | undefined;
};

/** The keys found, as raw strings (validated by the command's own schema with {@link KEY_SOURCES}). */
export type RawPayerKeys = {
  evm?: string;
  solana?: string;
  solanaRpc?: string;
  tron?: string;
  tronRpc?: string;
};

/**
 * The payer keys from flags, then the environment, then the key file (TRON's are read for `wallet`;
 * `pay` does not pay on TRON).
 *
 * @example
 * const keys = readPayerKeys(values, context.env) // { evm: '0x…', solana: undefined, solanaRpc: undefined }
 */
export function readPayerKeys(
  values: KeyFlagValues,
  env: Readonly<Record<string, string | undefined>>,
): RawPayerKeys {
  const filePath = values['key-file'] ?? env.X402KIT_KEY_FILE;
  const file = filePath === undefined ? {} : readKeyFile(filePath);
  const pick = (...candidates: Array<string | undefined>) => candidates.find((c) => c !== undefined)?.trim();
  const evm = pick(
    values['private-key'],
    env.PRIVATE_KEY,
    env.EVM_PRIVATE_KEY,
    file.PRIVATE_KEY,
    file.EVM_PRIVATE_KEY,
  );
  const solana = pick(values['solana-private-key'], env.SOLANA_PRIVATE_KEY, file.SOLANA_PRIVATE_KEY);
  const solanaRpc = pick(values['solana-rpc'], env.SOLANA_RPC_URL, file.SOLANA_RPC_URL);
  const tron = pick(values['tron-private-key'], env.TRON_PRIVATE_KEY, file.TRON_PRIVATE_KEY);
  const tronRpc = pick(values['tron-rpc'], env.TRON_RPC_URL, file.TRON_RPC_URL);
  return {
    ...(evm ? { evm } : {}),
    ...(solana ? { solana } : {}),
    ...(solanaRpc ? { solanaRpc } : {}),
    ...(tron ? { tron } : {}),
    ...(tronRpc ? { tronRpc } : {}),
  };
}

/**
 * `NAME=value` lines (blank lines and `#` comments skipped, optional quotes), as a key file holds them.
 *
 * @example readKeyFile('/home/me/.x402kit/keys') // { PRIVATE_KEY: '0x…' }
 */
export function readKeyFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new UsageError(`--key-file (or X402KIT_KEY_FILE) ${path}: cannot read it (${code})`);
  }
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#')) continue;
    const [, name = '', raw = ''] = m;
    out[name] = raw.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/**
 * A validated EVM key (also the form of a TRON key, with or without `0x`).
 *
 * @example parseEvmKey(process.env.PRIVATE_KEY) // '0x…'
 */
export function parseEvmKey(key: string): Hex {
  const parsed = PrivateKeySchema.safeParse(key);
  if (!parsed.success) throw new UsageError(`${KEY_SOURCES.privateKey}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * The kit signer of a 64-byte secret key; a key whose second half is not its public key is a usage error.
 *
 * @example const signer = await solanaSigner(secretKey)
 */
export async function solanaSigner(secretKey: Uint8Array): Promise<KeyPairSigner> {
  try {
    return await createKeyPairSignerFromBytes(secretKey);
  } catch {
    throw new UsageError(
      `${KEY_SOURCES.secretKey}: not a valid Solana keypair (its last 32 bytes must be the public key of the first 32)`,
    );
  }
}
