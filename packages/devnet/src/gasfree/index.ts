// GasFree on the devnet: our GasFreeController (contracts/GasFreeController.sol) and a local GasFree API service.
export type { GasFreeAuthParameters } from './gasfree-auth.js';
export { gasFreeAuthHeaders } from './gasfree-auth.js';
export * from './gasfree-controller.js';
export {
  GASFREE_CONTROLLER_MAINNET_ADDRESS,
  GASFREE_CONTROLLER_NILE_ADDRESS,
  GASFREE_PERMIT_TRANSFER_TYPES,
  gasFreeAccountAddress,
  gasFreeControllerDomain,
  placeGasFreeController,
} from './gasfree-controller.js';
export * from './gasfree-devnet.js';
export type { GasFreeTransferRecord } from './gasfree-relayer.js';
export * from './gasfree-service.js';
export * from './gasfree-stack.js';
export type { GasFreeProviderConfig, GasFreeServiceToken } from './gasfree-submit.js';
export type {
  GasFreeEnvelope,
  GasFreeServiceReason,
  GasFreeTransferState,
  GasFreeTxnState,
  GasFreeWireAddressInfo,
  GasFreeWireAsset,
  GasFreeWireTransfer,
} from './gasfree-wire.js';
