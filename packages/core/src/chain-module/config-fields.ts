/**
 * Field schemas shared by the facilitator service's configuration and the chain modules' config
 * sections, so a field is checked, and its message worded, the same way wherever it appears.
 */
import { z } from 'zod';

/** An absolute `http(s)://` URL. */
export const httpUrl = z
  .string()
  .regex(/^https?:\/\/\S+$/, 'must be an http(s) URL')
  .refine((value) => URL.canParse(value), 'must be a valid URL');

/** A 32-byte private key, `0x` + 64 hex digits. The value is never echoed in messages. */
export const privateKey = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex digits (a 32-byte private key)')
  .transform((value): `0x${string}` => `0x${value.slice(2)}`);

/** A duration in milliseconds: a positive integer. */
export const ms = z.number().int().positive();

/**
 * True for a plain object (not `null`, not an array): a section of a configuration being merged.
 *
 * @example isRecord({ port: 4022 }) // true
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The items of a comma-separated environment value (`RPC_URL_8453=https://a,https://b`), trimmed,
 * empty ones left out.
 *
 * @example splitEnvList(' https://a , ,https://b') // ['https://a', 'https://b']
 */
export function splitEnvList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
