/**
 * The discovery catalog in SQLite through libsql: the ledger's file, table `discovery_resources`
 * with its own migrations.
 */
import { openSqlite } from '../db/sqlite.js';
import { type DiscoveryRow, type DiscoveryStore, discoveryRowValues, pageOf } from './discovery-store.js';
import { DISCOVERY_COLUMNS, DISCOVERY_SCHEMA } from './schema.js';

/**
 * Open (creating if needed) the SQLite discovery catalog and apply its pending migrations.
 *
 * @example
 * const catalog = await createSqliteDiscoveryStore({ path: config.ledger.sqlite.path })
 */
export async function createSqliteDiscoveryStore(options: {
  path: string;
  busyTimeoutMs?: number;
}): Promise<DiscoveryStore> {
  const db = openSqlite({ ...options, now: Date.now }, DISCOVERY_SCHEMA);
  const select = db.prepare(`SELECT ${DISCOVERY_COLUMNS} FROM discovery_resources WHERE resource = ?`);
  const upsert = db.prepare(
    `INSERT INTO discovery_resources (${DISCOVERY_COLUMNS})
     VALUES (:resource, :type, :x402Version, :accepts, :description, :mimeType, :extensions, :lastUpdated)
     ON CONFLICT (resource) DO UPDATE SET type = excluded.type, x402_version = excluded.x402_version,
       accepts = excluded.accepts, description = excluded.description, mime_type = excluded.mime_type,
       extensions = excluded.extensions, last_updated = excluded.last_updated`,
  );
  const all = db.prepare(`SELECT ${DISCOVERY_COLUMNS} FROM discovery_resources ORDER BY last_updated DESC`);
  const byType = db.prepare(
    `SELECT ${DISCOVERY_COLUMNS} FROM discovery_resources WHERE type = ? ORDER BY last_updated DESC`,
  );
  const write = db.transaction((resource: Parameters<DiscoveryStore['record']>[0]) => {
    upsert.run(discoveryRowValues(resource, select.get(resource.resource) as DiscoveryRow | undefined));
  });
  return {
    async record(resource) {
      write.immediate(resource);
    },
    async list(query) {
      const rows = (query.type ? byType.all(query.type) : all.all()) as DiscoveryRow[];
      return pageOf(rows, query);
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
