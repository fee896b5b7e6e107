import type { CallTrace, EthReceipt } from './anvil-rpc.js';
import { tronAddressToBase58 } from './tron-address.js';

/** `receipt.result` values the local node reports (a subset of TRON's `contractResult` enum). */
export type TronContractResult =
  | 'SUCCESS'
  | 'REVERT'
  | 'OUT_OF_ENERGY'
  | 'ILLEGAL_OPERATION'
  | 'BAD_JUMP_DESTINATION'
  | 'STACK_TOO_SMALL'
  | 'STACK_TOO_LARGE'
  | 'UNKNOWN';

/** `/wallet/gettransactioninfobyid` for an executed transaction (fields at their default are left out, as TRON does). */
export interface TronTransactionInfoJson {
  id: string;
  fee?: number;
  blockNumber: number;
  blockTimeStamp: number;
  contractResult: string[];
  contract_address: string;
  receipt: {
    energy_fee?: number;
    energy_usage_total?: number;
    net_usage?: number;
    result: TronContractResult;
  };
  log?: { address: string; topics: string[]; data?: string }[];
  result?: 'FAILED';
  resMessage?: string;
}

/** What the node knows about an executed transaction besides the anvil receipt. */
export interface ExecutionFacts {
  txID: string;
  /** `41…` hex. */
  contract: string;
  visible: boolean;
  /** Gas anvil charges before any code runs (21000 + calldata); not energy. */
  intrinsicGas: bigint;
  /** Energy the transaction may use (fee_limit and balance over the energy price). */
  energyLimit: bigint;
  energyPrice: bigint;
  /** Bandwidth points the transaction's bytes account for (reported, not charged). */
  netUsage: number;
  /** Block timestamp of the receipt's block, in seconds. */
  blockTimestamp: bigint;
}

/** Energy and outcome of an executed transaction. */
export interface ExecutionOutcome {
  result: TronContractResult;
  energyUsed: bigint;
  /** SUN burned: energy used × energy price. */
  fee: bigint;
}

/**
 * Energy, result and fee of a mined transaction: energy is anvil's gas minus the intrinsic gas (TRON charges
 * bandwidth, not energy, for the transaction's bytes); running out of gas is OUT_OF_ENERGY and burns the
 * whole energy limit.
 *
 * @example
 * ```ts
 * const { result, fee } = executionOutcome(receipt, trace, facts); // 'SUCCESS', 1_450_000n
 * ```
 */
export function executionOutcome(
  receipt: EthReceipt,
  trace: CallTrace,
  facts: ExecutionFacts,
): ExecutionOutcome {
  const result = receipt.success ? 'SUCCESS' : failure(trace.error, receipt.gasUsed >= trace.gas);
  const spent = receipt.gasUsed > facts.intrinsicGas ? receipt.gasUsed - facts.intrinsicGas : 0n;
  const energyUsed = result === 'OUT_OF_ENERGY' ? facts.energyLimit : spent;
  return { result, energyUsed, fee: energyUsed * facts.energyPrice };
}

function failure(error: string | undefined, allGasUsed: boolean): TronContractResult {
  const text = (error ?? '').toLowerCase();
  if (text.includes('out of gas') || text.includes('outofgas')) return 'OUT_OF_ENERGY';
  if (text.includes('revert')) return 'REVERT';
  if (text.includes('invalid opcode') || text.includes('invalidfeopcode')) return 'ILLEGAL_OPERATION';
  if (text.includes('jump')) return 'BAD_JUMP_DESTINATION';
  if (text.includes('underflow')) return 'STACK_TOO_SMALL';
  if (text.includes('overflow')) return 'STACK_TOO_LARGE';
  return allGasUsed ? 'OUT_OF_ENERGY' : 'UNKNOWN';
}

const MESSAGES: Partial<Record<TronContractResult, string>> = {
  REVERT: 'REVERT opcode executed',
  ILLEGAL_OPERATION: 'Invalid operation code',
  BAD_JUMP_DESTINATION: 'Bad jump destination',
  STACK_TOO_SMALL: 'Stack too small',
  STACK_TOO_LARGE: 'Stack too large',
};

/**
 * Builds TRON's transaction info from the anvil receipt, call trace and their {@link executionOutcome}:
 * `contractResult` is the return (or revert) data, `log` has addresses without the `41` and topics/data without `0x`, timestamps in ms, and a
 * failure carries `result: 'FAILED'` and a hex `resMessage`.
 *
 * @example
 * ```ts
 * const info = toTransactionInfo(receipt, trace, facts, executionOutcome(receipt, trace, facts));
 * info.receipt.result; // 'SUCCESS'
 * ```
 */
export function toTransactionInfo(
  receipt: EthReceipt,
  trace: CallTrace,
  facts: ExecutionFacts,
  outcome: ExecutionOutcome,
): TronTransactionInfoJson {
  const info: TronTransactionInfoJson = {
    id: facts.txID,
    blockNumber: Number(receipt.blockNumber),
    blockTimeStamp: Number(facts.blockTimestamp) * 1000,
    contractResult: [outcome.result === 'OUT_OF_ENERGY' ? '' : trace.output.slice(2)],
    contract_address: facts.visible ? tronAddressToBase58(facts.contract) : facts.contract,
    receipt: { result: outcome.result },
  };
  if (outcome.fee > 0n) {
    info.fee = Number(outcome.fee);
    info.receipt.energy_fee = Number(outcome.fee);
  }
  if (outcome.energyUsed > 0n) info.receipt.energy_usage_total = Number(outcome.energyUsed);
  if (facts.netUsage > 0) info.receipt.net_usage = facts.netUsage;
  if (receipt.success && receipt.logs.length > 0) {
    info.log = receipt.logs.map((log) => {
      const entry: { address: string; topics: string[]; data?: string } = {
        address: log.address.slice(2).toLowerCase(),
        topics: log.topics.map((topic) => topic.slice(2)),
      };
      if (log.data.length > 2) entry.data = log.data.slice(2);
      return entry;
    });
  }
  if (outcome.result !== 'SUCCESS') {
    info.result = 'FAILED';
    const message =
      outcome.result === 'OUT_OF_ENERGY'
        ? `Not enough energy: the energy limit ${facts.energyLimit} is used up`
        : (MESSAGES[outcome.result] ?? trace.error ?? 'Unknown exception');
    info.resMessage = Buffer.from(message, 'utf8').toString('hex');
  }
  return info;
}
