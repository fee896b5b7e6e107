export * from './address.js';
export * from './balance-policy.js';
export * from './config-error.js';
export * from './exact/client.js';
export * from './exact/facilitator.js';
export * from './exact/server.js';
export type { ExactSvmSettleOptions, ExactSvmSettleRpc } from './exact/settle.js';
export { settleExactSvmTransaction } from './exact/settle.js';
export * from './exact/verify.js';
export * from './fee-payers.js';
export {
  COMPUTE_BUDGET_PROGRAM_ADDRESS,
  DEFAULT_COMPUTE_UNIT_LIMIT,
  DEFAULT_COMPUTE_UNIT_PRICE_MICROLAMPORTS,
  LIGHTHOUSE_PROGRAM_ADDRESS,
  MAX_COMPUTE_UNIT_PRICE_MICROLAMPORTS,
  MAX_MEMO_BYTES,
  MEMO_PROGRAM_ADDRESS,
  TOKEN_2022_PROGRAM_ADDRESS,
  TOKEN_PROGRAM_ADDRESS,
} from './programs.js';
export * from './read-svm-token-balance.js';
export * from './reasons.js';
