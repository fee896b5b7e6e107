/**
 * The `solana` section of a facilitator deployment's configuration: the JSON-RPC URLs per Solana
 * network (keys in any spelling, output keyed by the CAIP-2 id), the fee payers' secret keys (never
 * echoed in a message) and the compute unit price cap; and the environment variables that fill it
 * (`SOLANA_FEE_PAYER_KEYS`, `SOLANA_RPC_URL_DEVNET`, `SOLANA_RPC_URL_MAINNET`).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { getBase58Encoder } from '@solana/kit';
import { canonicalNetwork, httpUrl, toCaip2 } from '@x402kit/core';
import { splitEnvList } from '@x402kit/core/internal';
import { z } from 'zod';

const SOLANA_CAIP2 = /^solana:[1-9A-HJ-NP-Za-km-z]{32}$/;
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The CAIP-2 id of a Solana network given by its id, an alias (`solana:devnet`, `solana:mainnet`)
 * or its v1 name (`solana-devnet`, `solana`); `undefined` for anything that is not Solana.
 *
 * @example solanaNetworkId('solana:devnet') // 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1'
 */
export function solanaNetworkId(network: string): string | undefined {
  const id = canonicalNetwork(toCaip2(network) ?? network);
  return SOLANA_CAIP2.test(id) ? id : undefined;
}

/**
 * What is wrong with a fee payer's secret key, or `undefined` when it is a base58 64-byte Solana
 * secret key (32-byte seed, then its public key). Never quotes the key.
 *
 * @example secretKeyProblem('3vQB…') // undefined
 */
export function secretKeyProblem(text: string): string | undefined {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(getBase58Encoder().encode(text.trim()));
  } catch {
    return 'must be base58 (the 64-byte secret key solana-keygen and wallets export)';
  }
  if (bytes.length !== 64) {
    return `must be a 64-byte secret key (seed then public key), got ${bytes.length} bytes`;
  }
  const der = Buffer.concat([ED25519_PKCS8_PREFIX, bytes.subarray(0, 32)]);
  const spki = createPublicKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })).export({
    format: 'der',
    type: 'spki',
  });
  return Buffer.from(spki.subarray(spki.length - 32)).equals(Buffer.from(bytes.subarray(32)))
    ? undefined
    : 'its second half is not the public key of its first (not a Solana secret key)';
}

const feePayerKey = z.string().superRefine((value, ctx) => {
  const problem = secretKeyProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Micro-lamports per compute unit: a whole number (YAML number or decimal string). */
const microLamports = z
  .union([
    z.string().regex(/^\d{1,20}$/, 'must be a whole number of micro-lamports'),
    z.number().int().nonnegative(),
  ])
  .transform((value) => BigInt(value));

const NO_NETWORK =
  'give at least one Solana network ({ "solana:devnet": { rpc: [url] } }, or SOLANA_RPC_URL_DEVNET)';
const NO_KEY = 'give at least one fee payer key (or SOLANA_FEE_PAYER_KEYS)';

const networks = z
  .record(z.string(), z.strictObject({ rpc: z.array(httpUrl).min(1, 'give at least one URL') }), {
    error: (issue) => (issue.input === undefined ? NO_NETWORK : undefined),
  })
  .superRefine((value, ctx) => {
    const seen = new Map<string, string>();
    for (const key of Object.keys(value)) {
      const id = solanaNetworkId(key);
      if (id === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message:
            'is not a Solana network; use solana:<genesis hash prefix>, solana:devnet, solana:mainnet or a v1 name (solana-devnet)',
        });
        continue;
      }
      const other = seen.get(id);
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `names the same network as ${other}; keep one`,
        });
      }
      seen.set(id, key);
    }
    if (Object.keys(value).length === 0) ctx.addIssue({ code: 'custom', message: NO_NETWORK });
  })
  .transform((value) =>
    Object.fromEntries(Object.entries(value).map(([key, network]) => [solanaNetworkId(key) ?? key, network])),
  );

/**
 * The `solana` section: `exact` on every network listed, with these fee payers (advertised
 * round-robin in `extra.feePayer`).
 *
 * @example
 * SolanaConfigSchema.parse({ networks: { 'solana:devnet': { rpc: ['https://api.devnet.solana.com'] } }, feePayerKeys: [key] })
 * // { networks: { 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1': { rpc: [...] } }, feePayerKeys: [key] }
 */
export const SolanaConfigSchema = z.strictObject({
  /** JSON-RPC URLs per network; the next URL is tried when one cannot be reached. */
  networks,
  /** Base58 64-byte secret keys of the fee payers (env `SOLANA_FEE_PAYER_KEYS`, comma-separated). */
  feePayerKeys: z
    .array(feePayerKey, { error: (issue) => (issue.input === undefined ? NO_KEY : undefined) })
    .min(1, NO_KEY)
    .superRefine((keys, ctx) => {
      const first = new Map<string, number>();
      for (const [index, key] of keys.entries()) {
        const seen = first.get(key.trim());
        if (seen !== undefined) {
          ctx.addIssue({ code: 'custom', path: [index], message: `repeats feePayerKeys[${seen}]` });
        }
        first.set(key.trim(), index);
      }
    }),
  /** Highest compute unit price a payer's transaction may set, in micro-lamports (default 5 000 000, the reference's). */
  maxComputeUnitPrice: microLamports.optional(),
});

/** The parsed `solana` section. */
export type SolanaConfig = z.output<typeof SolanaConfigSchema>;

/** The config sections the Solana chain module owns. */
export type SvmSections = { solana: SolanaConfig };

/** `SOLANA_RPC_URL_<NAME>` suffixes and the network each fills. */
const RPC_ENV = [
  ['DEVNET', 'solana:devnet'],
  ['MAINNET', 'solana:mainnet'],
] as const;

/**
 * The `solana` section's values the environment gives, in the file's shape: the fee payers'
 * keys (`SOLANA_FEE_PAYER_KEYS`, comma-separated, or one `SOLANA_FEE_PAYER_KEY`) and the RPC URLs
 * of devnet and mainnet (`SOLANA_RPC_URL_DEVNET`, `SOLANA_RPC_URL_MAINNET`, comma-separated; they
 * fill `solana:devnet` / `solana:mainnet`, so name those networks so in the file). A bare
 * `SOLANA_RPC_URL` is not read: it names no network, and `x402kit pay` reads it for the payer.
 *
 * @example
 * solanaEnvOverrides({ SOLANA_FEE_PAYER_KEYS: 'k1,k2', SOLANA_RPC_URL_DEVNET: 'https://api.devnet.solana.com' })
 * // { solana: { feePayerKeys: ['k1', 'k2'], networks: { 'solana:devnet': { rpc: ['https://api.devnet.solana.com'] } } } }
 */
export function solanaEnvOverrides(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, unknown> {
  const solana: Record<string, unknown> = {};
  const keys = env.SOLANA_FEE_PAYER_KEYS ?? env.SOLANA_FEE_PAYER_KEY;
  if (keys) solana.feePayerKeys = splitEnvList(keys);
  const rpc: Record<string, unknown> = {};
  for (const [suffix, network] of RPC_ENV) {
    const urls = env[`SOLANA_RPC_URL_${suffix}`];
    if (urls) rpc[network] = { rpc: splitEnvList(urls) };
  }
  if (Object.keys(rpc).length > 0) solana.networks = rpc;
  return Object.keys(solana).length > 0 ? { solana } : {};
}
