// GasFree on the devnet: our GasFreeController (contracts/GasFreeController.sol) and a local GasFree API service.
export type { GasFreeAuthParameters } from './gasfree-auth.js';
export { gasFreeAuthHeaders } from './gasfree-auth.js';
export type { GasFreeControllerToken, PlaceGasFreeControllerParameters } from './gasfree-controller.js';
export {
  GASFREE_CONTROLLER_MAINNET_ADDRESS,
  GASFREE_CONTROLLER_NILE_ADDRESS,
  GASFREE_PERMIT_TRANSFER_TYPES,
  gasFreeAccountAddress,
  gasFreeControllerDomain,
  placeGasFreeController,
} from './gasfree-controller.js';
export type { GasFreeDevnet, StartGasFreeDevnetOptions } from './gasfree-devnet.js';
export { GASFREE_NILE_CHAIN_ID, GASFREE_NILE_USDT_ADDRESS, startGasFreeDevnet } from './gasfree-devnet.js';
export type { GasFreeTransferRecord } from './gasfree-relayer.js';
export type {
  GasFreeService,
  GasFreeServiceFaults,
  StartGasFreeServiceOptions,
} from './gasfree-service.js';
export { startGasFreeService } from './gasfree-service.js';
export type {
  GasFreeStack,
  GasFreeStackServiceOptions,
  StartGasFreeStackParameters,
} from './gasfree-stack.js';
export { startGasFreeStack } from './gasfree-stack.js';
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
