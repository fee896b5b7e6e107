/**
 * The field schemas of `batch-settlement`'s wire values, shared by the payload reader (which keeps
 * what it read) and the channel stores (which store canonical forms derived from these). Internal to
 * `batch-settlement`.
 */
import { getAddress, type Hex } from 'viem';
import { z } from 'zod';

const MAX_UINT128 = 2n ** 128n - 1n;

/** A 0x-prefixed 20-byte address, in its checksummed form. */
export const addressSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address')
  .transform((a) => getAddress(a));

/** 32 bytes as 0x and 64 hex digits (a channel id, a salt), lower-cased. */
export const bytes32Schema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, '0x followed by 64 hex digits')
  .transform((h) => h.toLowerCase() as Hex);

/** Hex bytes of any length (a signature), as given. */
export const hexBytesSchema = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'hex bytes')
  .transform((h) => h as Hex);

/** A uint128 as a decimal string, as given. */
export const uint128Schema = z
  .string()
  .regex(/^\d{1,39}$/, 'a decimal string')
  // zod runs the refinement even when the pattern failed: BigInt('abc') must not throw
  .refine((v) => !/^\d+$/.test(v) || BigInt(v) <= MAX_UINT128, 'at most 2^128-1');

/** Up to 78 decimal digits (a uint256's length), as given; the range is the reader's to check. */
export const uint256Schema = z.string().regex(/^\d{1,78}$/, 'a decimal string');
