// `upto` on EVM (Permit2 only): the three roles.
export type { UptoEvmClientOptions } from './client.js';
export { createUptoEvmClient } from './client.js';
export type { UptoEvmFacilitator, UptoEvmFacilitatorOptions } from './facilitator.js';
export { createUptoEvmFacilitator } from './facilitator.js';
export { createUptoEvmServer } from './server.js';
