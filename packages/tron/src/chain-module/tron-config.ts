/**
 * The `tron` section of a deployment's configuration: its schema, with network keys resolved to
 * their canonical ids (`tron:3448148188` is `tron:nile`), and the keys the environment supplies for
 * it (`TRON_GRID_API_KEY`, `GASFREE_API_KEY[_NILE|_MAINNET|_SHASTA]`, `GASFREE_API_SECRET[_…]`).
 */

import { httpUrl, ms } from '@x402kit/core';
import { isRecord } from '@x402kit/core/internal';
import { z } from 'zod';
import { isTronAddress } from '../address.js';
import { canonicalTronNetwork, parseTronNetwork } from '../networks.js';

const tronAddress = z
  .string()
  .refine(isTronAddress, 'must be a TRON address (T…, 41… or 0x…) with a valid checksum');
const atomic = z
  .union([
    z.string().regex(/^\d+$/, 'must be atomic units as a decimal string'),
    z.number().int().nonnegative(),
  ])
  .transform(String);
/** A TRON network in any spelling, as its canonical id (error paths keep the key as written). */
const tronNetworkKey = z
  .string()
  .refine(
    (key) => parseTronNetwork(key) !== undefined,
    'is not a TRON network (tron:mainnet, tron:nile, tron:shasta or their hex/decimal ids)',
  )
  .transform((key) => canonicalTronNetwork(key) ?? key);

/**
 * TRON: the node per network (and its GasFree API), exact_permit fees and exact_gasfree fee floors.
 *
 * @example
 * TronConfigSchema.parse({ networks: { 'tron:nile': { fullHost: 'https://nile.trongrid.io' } } })
 */
export const TronConfigSchema = z.strictObject({
  networks: z.record(
    tronNetworkKey,
    z.strictObject({
      /** A TronGrid-compatible node (`https://nile.trongrid.io`). */
      fullHost: httpUrl,
      /** Sent as `TRON-PRO-API-KEY` (env `TRON_GRID_API_KEY`). */
      apiKey: z.string().min(1).optional(),
      paymentPermitAddress: tronAddress.optional(),
      /** The GasFree API (official with HMAC keys, env `GASFREE_API_KEY`/`GASFREE_API_SECRET`, or a proxy). */
      gasFree: z
        .strictObject({
          baseUrl: httpUrl,
          apiKey: z.string().min(1).optional(),
          apiSecret: z.string().min(1).optional(),
        })
        .optional(),
    }),
  ),
  /** exact_permit: network -> token -> `{ feeTo?, amount }` (feeTo defaults to the first key's TRON address). */
  fees: z
    .record(
      tronNetworkKey,
      z.record(tronAddress, z.strictObject({ feeTo: tronAddress.optional(), amount: atomic })),
    )
    .optional(),
  /** exact_gasfree: network -> token -> the least `maxFee` accepted, in atomic units. */
  gasFreeFees: z.record(tronNetworkKey, z.record(tronAddress, atomic)).optional(),
  /** Most SUN a settlement may burn for energy (default 1000 TRX). */
  feeLimitSun: z.number().int().positive().optional(),
  receiptTimeoutMs: ms.optional(),
  /** Wait for the solidified block (about a minute) before answering a settlement. */
  solidified: z.boolean().optional(),
});

/**
 * A validated `tron` section.
 *
 * @example
 * const tron: TronConfig = TronConfigSchema.parse(yaml.tron)
 */
export type TronConfig = z.output<typeof TronConfigSchema>;

/**
 * Keys from the environment for the TRON section the file declares (never a new section): the
 * TronGrid key and GasFree's HMAC keys, where the file left them out.
 *
 * @example
 * tronEnvDefaults({ tron: { networks: { 'tron:nile': { fullHost } } } }, { TRON_GRID_API_KEY: 'k' })
 * // { tron: { networks: { 'tron:nile': { fullHost, apiKey: 'k' } } } }
 */
export function tronEnvDefaults(
  config: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, unknown> {
  const tron = config.tron;
  if (!isRecord(tron) || !isRecord(tron.networks)) return config;
  const networks: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tron.networks)) {
    if (!isRecord(value)) {
      networks[key] = value;
      continue;
    }
    const suffix = canonicalTronNetwork(key)?.slice('tron:'.length).toUpperCase() ?? '';
    const gridKey = env.TRON_GRID_API_KEY;
    const gfKey = env[`GASFREE_API_KEY_${suffix}`] ?? env.GASFREE_API_KEY;
    const gfSecret = env[`GASFREE_API_SECRET_${suffix}`] ?? env.GASFREE_API_SECRET;
    const gasFree = isRecord(value.gasFree)
      ? {
          ...value.gasFree,
          ...(value.gasFree.apiKey === undefined && gfKey ? { apiKey: gfKey } : {}),
          ...(value.gasFree.apiSecret === undefined && gfSecret ? { apiSecret: gfSecret } : {}),
        }
      : value.gasFree;
    networks[key] = {
      ...value,
      ...(value.apiKey === undefined && gridKey ? { apiKey: gridKey } : {}),
      ...(gasFree === undefined ? {} : { gasFree }),
    };
  }
  return { ...config, tron: { ...tron, networks } };
}
