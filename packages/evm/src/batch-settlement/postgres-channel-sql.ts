/**
 * The PostgreSQL channel store's table and statements. One table, a row per channel: the channel's
 * fields as columns (amounts `NUMERIC(78,0)`, so `GREATEST` keeps `totalClaimed` from going down in
 * the statement itself), `config` NULL while the channel is only reserved, and the live reservation.
 * Each method of the store is one statement. Internal to the PostgreSQL store.
 */
import { channelStoreError } from './channel-store-checks.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const STATE = `channel_id, config, charged, signed_max, signature, balance, total_claimed, withdraw_requested_at,
  refund_nonce, onchain_synced_at, last_request_at`;
const FREE = 'attempt = NULL, reserved_max = NULL, reserved_signature = NULL, expires_at = NULL';

/** The statements of one table; `$1` is always the channel id. */
export type ChannelSql = ReturnType<typeof channelSql>;

/**
 * The quoted, schema-qualified table name, the store's error when a name is not a plain identifier.
 *
 * @example qualifiedTable('bs_a', 'batch_settlement_channels') // '"bs_a"."batch_settlement_channels"'
 */
export function qualifiedTable(schema: string | undefined, table: string): string {
  for (const [field, name] of [
    ['schema', schema],
    ['table', table],
  ] as const) {
    if (name !== undefined && !IDENTIFIER.test(name)) {
      throw channelStoreError(`postgres channel store: ${field} "${name}" is not a plain SQL identifier`);
    }
  }
  return schema === undefined ? `"${table}"` : `"${schema}"."${table}"`;
}

/**
 * The statements over table `t` (already qualified).
 *
 * @example const sql = channelSql('"bs_a"."batch_settlement_channels"')
 */
export function channelSql(t: string) {
  return {
    create: `CREATE TABLE IF NOT EXISTS ${t} (
  channel_id TEXT PRIMARY KEY,
  config TEXT,
  charged NUMERIC(78,0),
  signed_max NUMERIC(78,0),
  signature TEXT,
  balance NUMERIC(78,0),
  total_claimed NUMERIC(78,0),
  withdraw_requested_at BIGINT,
  refund_nonce NUMERIC(78,0),
  onchain_synced_at BIGINT,
  last_request_at BIGINT,
  attempt TEXT,
  reserved_max NUMERIC(78,0),
  reserved_signature TEXT,
  expires_at BIGINT
)`,
    get: `SELECT ${STATE} FROM ${t} WHERE channel_id = $1 AND config IS NOT NULL`,
    list: `SELECT ${STATE} FROM ${t} WHERE config IS NOT NULL ORDER BY channel_id`,
    held: `SELECT attempt, expires_at FROM ${t} WHERE channel_id = $1`,
    /** $2 attempt, $3 voucher ceiling, $4 signature, $5 expiresAt, $6 now: taken unless a live other holds it. */
    reserve: `INSERT INTO ${t} AS c (channel_id, attempt, reserved_max, reserved_signature, expires_at)
VALUES ($1, $2, $3::numeric, $4, $5::bigint)
ON CONFLICT (channel_id) DO UPDATE SET attempt = EXCLUDED.attempt, reserved_max = EXCLUDED.reserved_max,
  reserved_signature = EXCLUDED.reserved_signature, expires_at = EXCLUDED.expires_at
WHERE c.attempt IS NULL OR c.expires_at <= $6::bigint OR c.attempt = EXCLUDED.attempt
RETURNING ${STATE}`,
    /**
     * $2 attempt; $3..$7 the request's fields; $8..$12 the mirror (a newer stored mirror is kept,
     * `total_claimed` never goes down). Only while $2 holds the channel.
     */
    commit: `UPDATE ${t} AS c SET config = $3, charged = $4::numeric, signed_max = $5::numeric, signature = $6,
  last_request_at = $7::bigint,
  balance = CASE WHEN c.onchain_synced_at > $12::bigint THEN c.balance ELSE $8::numeric END,
  withdraw_requested_at = CASE WHEN c.onchain_synced_at > $12::bigint THEN c.withdraw_requested_at ELSE $10::bigint END,
  refund_nonce = CASE WHEN c.onchain_synced_at > $12::bigint THEN c.refund_nonce ELSE $11::numeric END,
  onchain_synced_at = GREATEST(c.onchain_synced_at, $12::bigint),
  total_claimed = GREATEST(c.total_claimed, $9::numeric),
  ${FREE}
WHERE c.channel_id = $1 AND c.attempt = $2`,
    /** $2 attempt: a row that only held the reservation goes, a channel's reservation is cleared. */
    release: `WITH gone AS (DELETE FROM ${t} WHERE channel_id = $1 AND attempt = $2 AND config IS NULL RETURNING 1)
UPDATE ${t} SET ${FREE} WHERE channel_id = $1 AND attempt = $2 AND config IS NOT NULL`,
    /** $2..$5 the mirror, $6 now. */
    recordOnchain: `UPDATE ${t} SET balance = $2::numeric, total_claimed = GREATEST(total_claimed, $3::numeric),
  withdraw_requested_at = $4::bigint, refund_nonce = $5::numeric, onchain_synced_at = $6::bigint
WHERE channel_id = $1 AND config IS NOT NULL`,
    delete: `DELETE FROM ${t} WHERE channel_id = $1`,
  };
}
