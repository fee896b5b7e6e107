// Discovery (the bazaar extension) on the facilitator: the catalog of settled-for resources and its list route.

export * from './discovery-route.js';
export type { DiscoveryStore } from './discovery-store.js';
export * from './postgres-discovery-store.js';
export { DISCOVERY_MIGRATIONS } from './schema.js';
export * from './sqlite-discovery-store.js';
export * from './with-discovery.js';
