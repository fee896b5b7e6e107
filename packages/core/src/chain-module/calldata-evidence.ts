/**
 * Proof that a transaction carries one signed authorization: its calldata holds the
 * authorization's nonce (as the 32-byte word ABI encoding writes) and its signature bytes, at byte
 * boundaries. A call through another contract (a multicall, a smart account) still holds them
 * verbatim, since ABI encoding copies nested `bytes` and words as they are.
 */
import { withReason } from '../protocol/errors.js';
import { Reasons } from '../protocol/reasons.js';

/**
 * A uint256 as the 32-byte word ABI encoding puts in calldata.
 *
 * @throws {RangeError} for a nonce outside uint256, an x402kit error with reason `invalid_argument`.
 * @example nonceWord(1n) // '0x0000…0001'
 */
export function nonceWord(nonce: bigint): `0x${string}` {
  if (nonce < 0n || nonce >= 1n << 256n)
    throw withReason(new RangeError(`${nonce} is not a uint256`), Reasons.invalidArgument);
  return `0x${nonce.toString(16).padStart(64, '0')}`;
}

/**
 * Does `calldata` contain every piece of `evidence` at a byte boundary? Hex, `0x` optional,
 * case-insensitive; an empty piece proves nothing (false).
 *
 * @example carriesAuthorization(tx.input, [nonceWord(nonce), signature]) // true for the settling call
 */
export function carriesAuthorization(calldata: string, evidence: readonly string[]): boolean {
  const haystack = calldata.replace(/^0x/i, '').toLowerCase();
  return (
    evidence.length > 0 &&
    evidence.every((piece) => {
      const needle = piece.replace(/^0x/i, '').toLowerCase();
      if (needle.length === 0) return false;
      for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
        if (at % 2 === 0) return true;
      }
      return false;
    })
  );
}
