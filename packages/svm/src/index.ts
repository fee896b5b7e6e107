export type { ReadSvmTokenBalance, SufficientSvmBalancePolicyOptions } from './balance-policy.js';
export { readSvmTokenBalance, sufficientSvmBalancePolicy } from './balance-policy.js';
export { SvmConfigError } from './config-error.js';
export type { ExactSvmClientOptions, ExactSvmClientRpc, ExactSvmPayload } from './exact/client.js';
export { buildExactSvmTransaction, createExactSvmClient } from './exact/client.js';
export type {
  ExactSvmFacilitator,
  ExactSvmFacilitatorNetwork,
  ExactSvmFacilitatorOptions,
  ExactSvmFacilitatorRpc,
} from './exact/facilitator.js';
export { createExactSvmFacilitator } from './exact/facilitator.js';
export { createExactSvmServer } from './exact/server.js';
export type { ExactSvmSettleOptions, ExactSvmSettleRpc } from './exact/settle.js';
export { settleExactSvmTransaction } from './exact/settle.js';
export type { ExactSvmVerdict, ExactSvmVerifyContext, ExactSvmVerifyRpc } from './exact/verify.js';
export { verifyExactSvmPayment } from './exact/verify.js';
export type { FeePayers, SvmSecretKey } from './fee-payers.js';
export { createFeePayers } from './fee-payers.js';
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
export type { SvmReason } from './reasons.js';
export { SvmReasons } from './reasons.js';
