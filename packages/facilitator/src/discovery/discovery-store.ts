/**
 * The discovery catalog: the resources this facilitator settled payments for whose payment declared
 * the `bazaar` extension, one entry per resource, listed newest first. The SQLite and PostgreSQL
 * stores share the row mapping and the merge rule kept here.
 */
import {
  type AnyPaymentRequirements,
  type DiscoveryQuery,
  type DiscoveryResource,
  matchesDiscoveryQuery,
} from '@x402kit/core';

/** The catalog behind `GET /discovery/resources`. */
export type DiscoveryStore = {
  /** Add a resource, or update its entry: newer declaration and time, offers merged. */
  record(resource: DiscoveryResource): Promise<void>;
  /** One page of the entries that pass the query's filters, newest first, and how many pass. */
  list(query: DiscoveryQuery): Promise<{ items: DiscoveryResource[]; total: number }>;
  close(): Promise<void>;
};

/** A catalog row as read from either database. */
export type DiscoveryRow = {
  resource: string;
  type: string;
  x402_version: number | string;
  accepts: string;
  description: string | null;
  mime_type: string | null;
  extensions: string | null;
  last_updated: number | string | bigint;
};

/**
 * The resource a row holds.
 *
 * @example const items = rows.map(toDiscoveryResource)
 */
export function toDiscoveryResource(row: DiscoveryRow): DiscoveryResource {
  return {
    resource: row.resource,
    type: row.type,
    x402Version: Number(row.x402_version),
    accepts: JSON.parse(row.accepts) as AnyPaymentRequirements[],
    lastUpdated: new Date(Number(row.last_updated)).toISOString(),
    ...(row.description ? { description: row.description } : {}),
    ...(row.mime_type ? { mimeType: row.mime_type } : {}),
    ...(row.extensions ? { extensions: JSON.parse(row.extensions) as Record<string, unknown> } : {}),
  };
}

/**
 * The column values of a resource just paid for, its offers merged into those of its `earlier` row.
 *
 * @example upsert.run(discoveryRowValues(resource, select.get(resource.resource)))
 */
export function discoveryRowValues(resource: DiscoveryResource, earlier: DiscoveryRow | undefined) {
  const accepts = mergeAccepts(earlier ? toDiscoveryResource(earlier).accepts : [], resource.accepts);
  return {
    resource: resource.resource,
    type: resource.type,
    x402Version: resource.x402Version,
    accepts: JSON.stringify(accepts),
    description: resource.description ?? null,
    mimeType: resource.mimeType ?? null,
    extensions: resource.extensions ? JSON.stringify(resource.extensions) : null,
    lastUpdated: Date.parse(resource.lastUpdated),
  };
}

/**
 * The offers of an entry after a new payment: the new ones, then the earlier ones that pay another
 * way (another scheme, network, asset or payee); at most 16.
 *
 * @example mergeAccepts(JSON.parse(row.accepts), resource.accepts)
 */
export function mergeAccepts(
  earlier: readonly AnyPaymentRequirements[],
  latest: readonly AnyPaymentRequirements[],
): AnyPaymentRequirements[] {
  const key = (offer: AnyPaymentRequirements) => {
    const o = offer as Record<string, unknown>;
    return JSON.stringify([
      o.scheme,
      o.network,
      String(o.asset).toLowerCase(),
      String(o.payTo).toLowerCase(),
    ]);
  };
  const seen = new Set(latest.map(key));
  return [...latest, ...earlier.filter((offer) => !seen.has(key(offer)))].slice(0, 16);
}

/**
 * One page of the rows that pass the query (rows newest first; the filters on offers and extensions
 * are applied here, so both databases answer alike).
 *
 * @example pageOf(rows, query)
 */
export function pageOf(
  rows: readonly DiscoveryRow[],
  query: DiscoveryQuery,
): { items: DiscoveryResource[]; total: number } {
  const passing = rows.map(toDiscoveryResource).filter((resource) => matchesDiscoveryQuery(resource, query));
  return { items: passing.slice(query.offset, query.offset + query.limit), total: passing.length };
}
