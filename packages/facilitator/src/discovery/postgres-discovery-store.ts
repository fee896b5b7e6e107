/**
 * The discovery catalog in PostgreSQL through `pg`: the ledger's database (and schema), table
 * `discovery_resources` with its own migrations. An update reads and writes its row in one
 * transaction under an advisory lock on the resource, so two instances recording the same resource
 * merge their offers.
 */
import type pg from 'pg';
import { openPostgres, withSchemaLock } from '../db/postgres.js';
import { type DiscoveryRow, type DiscoveryStore, discoveryRowValues, pageOf } from './discovery-store.js';
import { DISCOVERY_COLUMNS, DISCOVERY_SCHEMA } from './schema.js';

/**
 * Connect and apply pending migrations (serialized across processes by an advisory lock).
 *
 * @example
 * const catalog = await createPostgresDiscoveryStore({ url: config.ledger.postgres.url, schema: config.ledger.postgres.schema })
 */
export async function createPostgresDiscoveryStore(options: {
  url?: string;
  pool?: pg.Pool;
  schema?: string;
}): Promise<DiscoveryStore> {
  const { pool, prefix, close } = await openPostgres(
    { ...options, now: Date.now },
    { ...DISCOVERY_SCHEMA, defaultMaxConnections: 2, lockName: 'x402kit-discovery' },
  );
  const T = `${prefix}discovery_resources`;
  return {
    async record(resource) {
      // one writer per resource (an advisory lock on its key, new resources included): offers merge
      await withSchemaLock(pool, `x402kit-discovery:${resource.resource}`, undefined, async (client) => {
        const { rows } = await client.query<DiscoveryRow>(
          `SELECT ${DISCOVERY_COLUMNS} FROM ${T} WHERE resource = $1`,
          [resource.resource],
        );
        const v = discoveryRowValues(resource, rows[0]);
        await client.query(
          `INSERT INTO ${T} (${DISCOVERY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (resource) DO UPDATE SET type = EXCLUDED.type, x402_version = EXCLUDED.x402_version,
             accepts = EXCLUDED.accepts, description = EXCLUDED.description, mime_type = EXCLUDED.mime_type,
             extensions = EXCLUDED.extensions, last_updated = EXCLUDED.last_updated`,
          [
            v.resource,
            v.type,
            v.x402Version,
            v.accepts,
            v.description,
            v.mimeType,
            v.extensions,
            v.lastUpdated,
          ],
        );
      });
    },
    async list(query) {
      const { rows } = query.type
        ? await pool.query<DiscoveryRow>(
            `SELECT ${DISCOVERY_COLUMNS} FROM ${T} WHERE type = $1 ORDER BY last_updated DESC`,
            [query.type],
          )
        : await pool.query<DiscoveryRow>(`SELECT ${DISCOVERY_COLUMNS} FROM ${T} ORDER BY last_updated DESC`);
      return pageOf(rows, query);
    },
    close,
  };
}
