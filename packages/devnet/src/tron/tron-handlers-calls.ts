import type { Hex } from 'viem';
import { refBlockParams } from './tron-blocks.js';
import { intrinsicGas } from './tron-broadcast.js';
import { WEI_PER_SUN } from './tron-nile.js';
import type { TronHandler, TronNodeContext } from './tron-node-context.js';
import type { TriggerCall } from './tron-transactions.js';
import { buildTriggerTransaction, parseTriggerCall } from './tron-transactions.js';

/** Transactions built by the node expire 60 s after their reference (head) block, java-tron's default. */
const EXPIRATION_MS = 60_000;

function hexText(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

function evm(call: TriggerCall): { from: Hex; to: Hex; data: Hex; value: bigint } {
  return {
    from: `0x${call.owner.slice(2)}`,
    to: `0x${call.contract.slice(2)}`,
    data: `0x${call.data}`,
    value: call.callValue * WEI_PER_SUN,
  };
}

async function unsignedTransaction(context: TronNodeContext, call: TriggerCall) {
  const head = await context.blocks.head();
  return buildTriggerTransaction(call, {
    ...refBlockParams(head),
    expiration: Number(head.timestamp) * 1000 + EXPIRATION_MS,
    timestamp: Date.now(),
  });
}

async function energyOf(context: TronNodeContext, call: TriggerCall): Promise<number | undefined> {
  const gas = await context.rpc.estimateGas(evm(call));
  if (gas === undefined) return undefined;
  const { standard } = intrinsicGas(call.data);
  return Number(gas > standard ? gas - standard : 0n);
}

/**
 * `/wallet/triggerconstantcontract`: an `eth_call` as the owner. Answers `{result: {result: true},
 * energy_used, constant_result: [hex], transaction}`; a revert keeps `result.result` true and adds
 * `result.message` (hex of "REVERT opcode executed"), the revert data in `constant_result` and
 * `transaction.ret[0].ret = 'FAILED'`, as java-tron does.
 *
 * @example
 * ```ts
 * await triggerConstantContract(context, { owner_address, contract_address, function_selector: 'balanceOf(address)', parameter });
 * ```
 */
export const triggerConstantContract: TronHandler = async (context, body) => {
  const call = parseTriggerCall(body);
  const [outcome, energy, transaction] = await Promise.all([
    context.rpc.call(evm(call)),
    energyOf(context, call),
    unsignedTransaction(context, { ...call, feeLimit: undefined }),
  ]);
  const result: { result: true; message?: string } = { result: true };
  if (outcome.reverted) result.message = hexText('REVERT opcode executed');
  return {
    result,
    energy_used: energy ?? 0,
    constant_result: [outcome.data.slice(2)],
    transaction: { ret: [outcome.reverted ? { ret: 'FAILED' } : {}], ...transaction },
  };
};

/**
 * `/wallet/triggersmartcontract`: builds the unsigned transaction (reference block = head, expiration head +
 * 60 s, timestamp now, `fee_limit` as given). A call to an address without code answers
 * `CONTRACT_VALIDATE_ERROR` like java-tron.
 *
 * @example
 * ```ts
 * const { transaction } = await triggerSmartContract(context, { owner_address, contract_address, function_selector, parameter, fee_limit });
 * ```
 */
export const triggerSmartContract: TronHandler = async (context, body) => {
  const call = parseTriggerCall(body);
  const code = await context.rpc.getCode(evm(call).to);
  if (code === '0x') {
    return {
      result: {
        code: 'CONTRACT_VALIDATE_ERROR',
        message: hexText('No contract or not a valid smart contract'),
      },
    };
  }
  return { result: { result: true }, transaction: await unsignedTransaction(context, call) };
};

/**
 * `/wallet/estimateenergy`: `{result: {result: true}, energy_required}` from `eth_estimateGas` minus the
 * intrinsic gas; a revert answers `{result: {code: 'CONTRACT_EXE_ERROR', message}}`.
 *
 * @example
 * ```ts
 * const { energy_required } = await estimateEnergy(context, { owner_address, contract_address, data });
 * ```
 */
export const estimateEnergy: TronHandler = async (context, body) => {
  const call = parseTriggerCall(body);
  const energy = await energyOf(context, call);
  if (energy === undefined) {
    return { result: { code: 'CONTRACT_EXE_ERROR', message: hexText('REVERT opcode executed') } };
  }
  return { result: { result: true }, energy_required: energy };
};
