/**
 * The Solana programs `exact` on SVM touches, and the limits the reference puts on its transaction.
 * Addresses are base58 strings, compared as such.
 */
import type { Address } from '@solana/kit';
import { address } from '@solana/kit';

/** SPL Token. */
export const TOKEN_PROGRAM_ADDRESS: Address = address('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA');
/** SPL Token-2022 (Token Extensions). */
export const TOKEN_2022_PROGRAM_ADDRESS: Address = address('TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
/** Compute Budget: `SetComputeUnitLimit` (discriminator 2) and `SetComputeUnitPrice` (3). */
export const COMPUTE_BUDGET_PROGRAM_ADDRESS: Address = address('ComputeBudget111111111111111111111111111111');
/** SPL Memo: the client's nonce or the seller's `extra.memo`. */
export const MEMO_PROGRAM_ADDRESS: Address = address('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');
/** Lighthouse (wallet assertions some wallets append, e.g. Phantom). */
export const LIGHTHOUSE_PROGRAM_ADDRESS: Address = address('L2TExMFKdjpN9kozasaurPirfHy9P8sbXoAN1qA3S95');

/** Compute unit limit the client sets (reference client: 20 000). */
export const DEFAULT_COMPUTE_UNIT_LIMIT = 20_000;
/** Compute unit price the client sets, in micro-lamports (reference client: 1). */
export const DEFAULT_COMPUTE_UNIT_PRICE_MICROLAMPORTS = 1n;
/** Highest compute unit price a facilitator accepts by default: 5 lamports per CU (reference). */
export const MAX_COMPUTE_UNIT_PRICE_MICROLAMPORTS = 5_000_000n;
/** Longest `extra.memo`, in UTF-8 bytes. */
export const MAX_MEMO_BYTES = 256;

/**
 * Whether `program` is one of the two token programs whose `TransferChecked` pays `exact`.
 *
 * @example
 * isTokenProgram('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA') // true
 */
export function isTokenProgram(program: string): boolean {
  return program === TOKEN_PROGRAM_ADDRESS || program === TOKEN_2022_PROGRAM_ADDRESS;
}
