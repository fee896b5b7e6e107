// @x402kit/tron: x402 on TRON (addresses, networks, tokens, TIP-712, transactions, node client);
// schemes under ./exact-permit and ./gasfree.

export * from './address.js';
export * from './check-trigger-transaction.js';
export * from './networks.js';
export * from './node-client.js';
export type { TronNodeReason } from './node-error.js';
export { TronNodeError } from './node-error.js';
export type {
  BroadcastResponse,
  ConstantTriggerResponse,
  TriggerResponse,
  TronAccount,
  TronBlock,
  TronContractInfo,
  TronContractJson,
  TronRawDataJson,
  TronReturn,
  TronTransaction,
  TronTransactionInfo,
} from './node-schemas.js';
export * from './reasons.js';
export * from './tip712.js';
export * from './tokens.js';
export type {
  TriggerSmartContractCall,
  TriggerTransactionRaw,
  TronTransactionReason,
} from './transaction.js';
export {
  buildTriggerTransaction,
  decodeTriggerTransaction,
  TronTransactionError,
  tronTransactionId,
} from './transaction.js';
export * from './transaction-signature.js';
export * from './trc20-reads.js';
export * from './wait-for-transaction-info.js';
