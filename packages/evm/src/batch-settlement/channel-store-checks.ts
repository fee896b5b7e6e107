/**
 * What every channel store checks before it touches its backend, and how it fails: inputs are read
 * with runtime schemas (a wrong type is an `X402Error` with `batch_settlement_channel_store_failed`,
 * never a crash), amounts come out in one canonical decimal form, and a backend error becomes the
 * same reason with the store and the operation named. Internal to the stores.
 */
import { describeIssues, X402Error } from '@x402kit/core';
import type { Hex } from 'viem';
import { z } from 'zod';
import type { ChannelReservation, ServerChannel } from './channel-store.js';
import {
  bytes32Schema as channelIdSchema,
  hexBytesSchema,
  uint128Schema,
  uint256Schema,
} from './field-schemas.js';
import { channelConfigSchema } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';

/** The mirrored on-chain fields {@link ChannelStore.recordOnchain} writes. */
export type OnchainFields = Pick<
  ServerChannel,
  'balance' | 'totalClaimed' | 'withdrawRequestedAt' | 'refundNonce'
>;

const signatureSchema = hexBytesSchema.transform((h) => h.toLowerCase() as Hex);
/** Decimal strings, canonical (no leading zeros) so that stores compare them by length, then by text. */
const uint128 = uint128Schema.transform((v) => BigInt(v).toString());
const uint256 = uint256Schema
  .refine((v) => !/^\d+$/.test(v) || BigInt(v) < 2n ** 256n, 'at most 2^256-1')
  .transform((v) => BigInt(v).toString());
const timestamp = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const attemptSchema = z.string().min(1).max(256);

const onchainSchema = z.object({
  balance: uint128,
  totalClaimed: uint128,
  withdrawRequestedAt: timestamp,
  refundNonce: uint256,
});

const serverChannelSchema = onchainSchema.extend({
  channelId: channelIdSchema,
  config: channelConfigSchema,
  chargedCumulativeAmount: uint128,
  signedMaxClaimable: uint128,
  signature: signatureSchema,
  onchainSyncedAt: timestamp,
  lastRequestAt: timestamp,
});

const reservationSchema = z.object({
  attempt: attemptSchema,
  signedMaxClaimable: uint128,
  signature: signatureSchema,
  expiresAt: timestamp,
});

/**
 * The error every store throws: `batch_settlement_channel_store_failed` with `message`.
 *
 * @example throw channelStoreError('redis channel store: commit failed: connection closed', error)
 */
export function channelStoreError(message: string, cause?: unknown): X402Error {
  return new X402Error(BatchSettlementReasons.channelStoreFailed, message, { cause });
}

function parse<T>(schema: z.ZodType<T, unknown>, value: unknown, what: string): T {
  const read = schema.safeParse(value);
  if (read.success) return read.data;
  throw channelStoreError(`${what} is invalid: ${describeIssues(read.error.issues)}`);
}

/**
 * A channel id in its stored form (lower-case hex), or the store's error.
 *
 * @example const id = checkChannelId(channelId)
 */
export function checkChannelId(value: unknown): Hex {
  return parse(channelIdSchema, value, 'channelId');
}

/**
 * A reservation's attempt id (1 to 256 characters), or the store's error.
 *
 * @example const attempt = checkAttempt(input)
 */
export function checkAttempt(value: unknown): string {
  return parse(attemptSchema, value, 'attempt');
}

/**
 * A reservation, amounts canonical, or the store's error.
 *
 * @example const held = checkReservation(reservation)
 */
export function checkReservation(value: unknown): ChannelReservation {
  return parse(reservationSchema, value, 'reservation');
}

/**
 * The mirrored on-chain fields, amounts canonical, or the store's error.
 *
 * @example const fields = checkOnchain(onchain)
 */
export function checkOnchain(value: unknown): OnchainFields {
  return parse(onchainSchema, value, 'onchain');
}

/**
 * A channel to write under `channelId` (its own `channelId` must be that one), or the store's error.
 *
 * @example const next = checkChannel(id, channel)
 */
export function checkChannel(channelId: Hex, value: unknown): ServerChannel {
  const channel = parse(serverChannelSchema, value, 'channel');
  if (channel.channelId !== channelId) {
    throw channelStoreError(
      `channel.channelId ${channel.channelId} is not the channel written (${channelId})`,
    );
  }
  return channel;
}

/**
 * A channel read back from a backend; a row that does not read as one (edited by hand, written by
 * something else) is the store's error naming the channel, not a crash further on.
 *
 * @example const channel = readStoredChannel(id, { ...row, config: JSON.parse(row.config) })
 */
export function readStoredChannel(channelId: string, value: unknown): ServerChannel {
  return parse(serverChannelSchema, value, `the stored channel ${channelId}`);
}

/**
 * Parse a stored JSON text (the channel configuration), the store's error when it is not JSON.
 *
 * @example const config = parseStoredJson(id, row.config)
 */
export function parseStoredJson(channelId: string, text: unknown): unknown {
  if (typeof text !== 'string')
    throw channelStoreError(`the stored channel ${channelId} has no configuration`);
  try {
    return JSON.parse(text);
  } catch {
    throw channelStoreError(`the stored channel ${channelId} has an unreadable configuration`);
  }
}

/**
 * Run one store operation: an `X402Error` passes as it is, any other failure of the backend becomes
 * the store's error (`<store> channel store: <operation> failed: <message>`).
 *
 * @example return storeCall('postgres', 'reserve', () => pool.query(sql, values))
 */
export async function storeCall<T>(store: string, operation: string, run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof X402Error) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw channelStoreError(`${store} channel store: ${operation} failed: ${message}`, error);
  }
}
