// GasFree on the devnet: our GasFreeController (contracts/GasFreeController.sol) and a local GasFree API service.
export type { GasFreeAuthParameters } from './gasfree-auth.js';
export { gasFreeAuthHeaders } from './gasfree-auth.js';
export * from './gasfree-controller.js';
export * from './gasfree-devnet.js';
export * from './gasfree-service.js';
export * from './gasfree-stack.js';
export * from './gasfree-wire.js';
