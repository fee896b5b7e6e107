/**
 * Runtime schemas of the TRON HTTP API answers we read (`visible: false`, so addresses are `41…` hex).
 * Objects are loose: nodes add fields across versions, and we keep what they send.
 */
import { z } from 'zod/v4';

const hex = z.string().regex(/^(0x)?[0-9a-fA-F]*$/, 'expected hex');
const txId = z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected a 32-byte transaction id (64 hex digits)');

/**
 * TRON's `{result, code, message}` status object (message hex-encoded).
 *
 * @example
 * TronReturn.parse({ result: true });
 */
export const TronReturn = z.looseObject({
  result: z.boolean().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});
/** @example const r: TronReturn = { code: 'CONTRACT_VALIDATE_ERROR', message: '...' }; */
export type TronReturn = z.infer<typeof TronReturn>;

/**
 * One contract of a transaction's `raw_data` as JSON (`parameter.value` fields are snake_case).
 *
 * @example
 * TronContractJson.parse({ type: 'TriggerSmartContract', parameter: { type_url: '…', value: {} } });
 */
export const TronContractJson = z.looseObject({
  type: z.string(),
  parameter: z.looseObject({ type_url: z.string(), value: z.record(z.string(), z.unknown()) }),
  Permission_id: z.number().int().optional(),
});
/** @example const c: TronContractJson = tx.raw_data.contract[0]!; */
export type TronContractJson = z.infer<typeof TronContractJson>;

/**
 * A transaction's `raw_data` as the node renders it.
 *
 * @example
 * TronRawDataJson.parse(tx.raw_data).fee_limit;
 */
export const TronRawDataJson = z.looseObject({
  contract: z.array(TronContractJson).min(1),
  ref_block_bytes: hex,
  ref_block_hash: hex,
  expiration: z.number().int(),
  timestamp: z.number().int().optional(),
  fee_limit: z.number().int().optional(),
  data: hex.optional(),
});
/** @example const raw: TronRawDataJson = tx.raw_data; */
export type TronRawDataJson = z.infer<typeof TronRawDataJson>;

/**
 * A transaction as the node returns it (unsigned from triggersmartcontract, signed after signing).
 *
 * @example
 * const tx = TronTransaction.parse(json.transaction);
 */
export const TronTransaction = z.looseObject({
  txID: txId,
  raw_data: TronRawDataJson,
  raw_data_hex: hex,
  signature: z.array(hex).optional(),
  visible: z.boolean().optional(),
  ret: z.array(z.looseObject({ contractRet: z.string().optional(), ret: z.string().optional() })).optional(),
});
/** @example const tx: TronTransaction = await node.triggerSmartContract(params); */
export type TronTransaction = z.infer<typeof TronTransaction>;

/**
 * `/wallet/triggersmartcontract` answer: the unsigned transaction, or `result.code`/`message` on refusal.
 *
 * @example
 * TriggerResponse.parse({ result: { result: true }, transaction: tx });
 */
export const TriggerResponse = z.looseObject({
  result: TronReturn,
  transaction: TronTransaction.optional(),
});
/** @example const r: TriggerResponse = TriggerResponse.parse(json); */
export type TriggerResponse = z.infer<typeof TriggerResponse>;

/**
 * `/wallet/triggerconstantcontract` answer: return data per call; `transaction.ret` says whether it reverted.
 *
 * @example
 * ConstantTriggerResponse.parse({ result: { result: true }, constant_result: ['00…01'] });
 */
export const ConstantTriggerResponse = z.looseObject({
  result: TronReturn,
  constant_result: z.array(hex).optional(),
  energy_used: z.number().optional(),
  energy_penalty: z.number().optional(),
  transaction: z
    .looseObject({
      ret: z
        .array(z.looseObject({ contractRet: z.string().optional(), ret: z.string().optional() }))
        .optional(),
    })
    .optional(),
});
/** @example const r: ConstantTriggerResponse = ConstantTriggerResponse.parse(json); */
export type ConstantTriggerResponse = z.infer<typeof ConstantTriggerResponse>;

/**
 * `/wallet/broadcasttransaction` answer: `{result: true, txid}` or `{code, txid, message (hex)}`.
 *
 * @example
 * BroadcastResponse.parse({ result: true, txid: '…' });
 */
export const BroadcastResponse = z.looseObject({
  result: z.boolean().optional(),
  txid: z.string().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});
/** @example const r: BroadcastResponse = { result: true, txid: '…' }; */
export type BroadcastResponse = z.infer<typeof BroadcastResponse>;

/**
 * `/wallet(solidity)/gettransactioninfobyid` answer (the node sends `{}` for an unknown id).
 *
 * @example
 * TronTransactionInfo.parse(json).receipt?.result; // 'SUCCESS' | 'REVERT' | 'OUT_OF_ENERGY' | …
 */
export const TronTransactionInfo = z.looseObject({
  id: txId,
  blockNumber: z.number().int().optional(),
  blockTimeStamp: z.number().int().optional(),
  fee: z.number().optional(),
  contractResult: z.array(z.string()).optional(),
  contract_address: z.string().optional(),
  receipt: z
    .looseObject({
      result: z.string().optional(),
      energy_usage: z.number().optional(),
      energy_usage_total: z.number().optional(),
      energy_fee: z.number().optional(),
      origin_energy_usage: z.number().optional(),
      net_usage: z.number().optional(),
      net_fee: z.number().optional(),
    })
    .optional(),
  log: z
    .array(
      z.looseObject({
        address: z.string(),
        topics: z.array(z.string()).optional(),
        data: z.string().optional(),
      }),
    )
    .optional(),
  /** `FAILED` when the transaction failed. */
  result: z.string().optional(),
  /** Failure text, hex-encoded. */
  resMessage: z.string().optional(),
});
/** @example const info: TronTransactionInfo | undefined = await node.getTransactionInfoById(id); */
export type TronTransactionInfo = z.infer<typeof TronTransactionInfo>;

/**
 * `/wallet/getaccount` answer (`{}` for an account that was never activated).
 *
 * @example
 * TronAccount.parse(json).balance; // SUN
 */
export const TronAccount = z.looseObject({
  /** Required: it tells an account from another answer. */
  address: z.string(),
  /** TRX, in SUN (absent when it holds none). The other fields (times, resources) pass through unread. */
  balance: z.number().optional(),
});
/** @example const account: TronAccount | undefined = await node.getAccount('T…'); */
export type TronAccount = z.infer<typeof TronAccount>;

/**
 * `/wallet/getcontract` answer (`{}` when there is no contract at the address).
 *
 * @example
 * TronContractInfo.parse(json).abi?.entrys;
 */
export const TronContractInfo = z.looseObject({
  contract_address: z.string().optional(),
  origin_address: z.string().optional(),
  bytecode: z.string().optional(),
  name: z.string().optional(),
  abi: z.looseObject({ entrys: z.array(z.unknown()).optional() }).optional(),
  consume_user_resource_percent: z.number().optional(),
  origin_energy_limit: z.number().optional(),
});
/** @example const contract: TronContractInfo | undefined = await node.getContract('T…'); */
export type TronContractInfo = z.infer<typeof TronContractInfo>;

/**
 * `/wallet/getnowblock` answer (transactions are kept unparsed).
 *
 * @example
 * TronBlock.parse(json).block_header.raw_data.number;
 */
export const TronBlock = z.looseObject({
  blockID: txId,
  block_header: z.looseObject({
    raw_data: z.looseObject({
      number: z.number().int().default(0),
      timestamp: z.number().int(),
      parentHash: z.string().optional(),
      witness_address: z.string().optional(),
      txTrieRoot: z.string().optional(),
      version: z.number().optional(),
    }),
    witness_signature: z.string().optional(),
  }),
  transactions: z.array(z.unknown()).optional(),
});
/** @example const block: TronBlock = await node.getNowBlock(); */
export type TronBlock = z.infer<typeof TronBlock>;
