/**
 * The two Compute Budget instructions of an `exact` transaction, encoded and read by hand (a u8
 * discriminator then a little-endian integer), so the package needs no compute-budget client.
 */
import type { Instruction } from '@solana/kit';
import { COMPUTE_BUDGET_PROGRAM_ADDRESS } from './programs.js';

const SET_COMPUTE_UNIT_LIMIT = 2;
const SET_COMPUTE_UNIT_PRICE = 3;

/**
 * `SetComputeUnitLimit(units)`.
 *
 * @example
 * setComputeUnitLimitInstruction(20_000) // { programAddress: 'ComputeBudget111…', data: [2, 32, 78, 0, 0] }
 */
export function setComputeUnitLimitInstruction(units: number): Instruction {
  const data = new Uint8Array(5);
  data[0] = SET_COMPUTE_UNIT_LIMIT;
  new DataView(data.buffer).setUint32(1, units, true);
  return { programAddress: COMPUTE_BUDGET_PROGRAM_ADDRESS, data };
}

/**
 * `SetComputeUnitPrice(microLamports)`.
 *
 * @example
 * setComputeUnitPriceInstruction(1n) // data: [3, 1, 0, 0, 0, 0, 0, 0, 0]
 */
export function setComputeUnitPriceInstruction(microLamports: bigint): Instruction {
  const data = new Uint8Array(9);
  data[0] = SET_COMPUTE_UNIT_PRICE;
  new DataView(data.buffer).setBigUint64(1, microLamports, true);
  return { programAddress: COMPUTE_BUDGET_PROGRAM_ADDRESS, data };
}

/** An instruction as the verifier sees it: program, account addresses, data. */
export type InstructionView = { programAddress: string; accounts: string[]; data: Uint8Array };

/**
 * The unit limit of a `SetComputeUnitLimit` instruction, or `undefined` if it is not one.
 *
 * @example
 * readComputeUnitLimit(view) // 20000
 */
export function readComputeUnitLimit(ix: InstructionView): number | undefined {
  if (ix.programAddress !== COMPUTE_BUDGET_PROGRAM_ADDRESS) return undefined;
  if (ix.data.length < 5 || ix.data[0] !== SET_COMPUTE_UNIT_LIMIT) return undefined;
  return new DataView(ix.data.buffer, ix.data.byteOffset, ix.data.byteLength).getUint32(1, true);
}

/**
 * The price (micro-lamports per CU) of a `SetComputeUnitPrice` instruction, or `undefined` if it is not one.
 *
 * @example
 * readComputeUnitPrice(view) // 1n
 */
export function readComputeUnitPrice(ix: InstructionView): bigint | undefined {
  if (ix.programAddress !== COMPUTE_BUDGET_PROGRAM_ADDRESS) return undefined;
  if (ix.data.length < 9 || ix.data[0] !== SET_COMPUTE_UNIT_PRICE) return undefined;
  return new DataView(ix.data.buffer, ix.data.byteOffset, ix.data.byteLength).getBigUint64(1, true);
}
