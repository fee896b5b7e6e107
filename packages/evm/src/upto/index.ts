// `upto` on EVM (Permit2 only): the three roles.
export * from './client.js';
export * from './facilitator.js';
export * from './server.js';
