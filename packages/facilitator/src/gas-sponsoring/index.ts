// What the facilitator spends on payers' behalf (approval top-ups, ERC-6492 deployments): the record and the budget.

export type { GasSponsorStore, GasSponsorshipRecord, GasSponsorshipState } from './gas-sponsor-store.js';
export * from './postgres-gas-sponsor-store.js';
export { GAS_SPONSORSHIP_MIGRATIONS } from './schema.js';
export * from './sqlite-gas-sponsor-store.js';
