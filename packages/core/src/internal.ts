/**
 * `@x402kit/core/internal`: helpers the x402kit packages share among themselves. Not public API: not
 * in the README, and free to change in any release; applications should not import it.
 */
export * from './balance-prefilter.js';
export { canonicalJson } from './canonical-json.js';
export { isRecord, splitEnvList } from './chain-module/config-fields.js';
export * from './chain-module/identify-by-scheme.js';
export * from './chain-module/per-network-health.js';
export { deepEqual } from './deep-equal.js';
export * from './expiring-map.js';
export {
  EIP712_DOMAIN_TYPES,
  type Eip712Field,
  type Eip712Fields,
  type Eip712Types,
  eip712Types,
} from './internal/eip712-types.js';
export { errorText } from './internal/error-text.js';
export * from './internal/resend-while-pending.js';
export * from './internal/send-reporting-outcome.js';
export { sleep } from './internal/sleep.js';
export { TRANSFER_WITH_AUTHORIZATION_TYPES } from './internal/transfer-with-authorization-types.js';
export { notifyBroadcast } from './notify-broadcast.js';
export * from './scheme-lifetime.js';
export { createSharedSettlements } from './shared-settlements.js';
