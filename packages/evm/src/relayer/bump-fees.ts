/**
 * Fees for a replacement transaction: nodes accept a transaction with a used-up nonce slot only when
 * both EIP-1559 fields (or the legacy gas price) rise by at least 10 %; we raise by 12.5 % and never
 * go below what the chain asks now.
 */
import type { GasFees } from './fee-oracle.js';

/**
 * Raise `previous` by 12.5 % (plus 1 wei), or to `current` when that is higher.
 *
 * @example
 * bumpFees({ type: 'eip1559', maxFeePerGas: 100n, maxPriorityFeePerGas: 10n }, current)
 * // { type: 'eip1559', maxFeePerGas: 113n, maxPriorityFeePerGas: 12n } when current is lower
 */
export function bumpFees(previous: GasFees, current: GasFees): GasFees {
  if (previous.type === 'legacy') {
    const now = current.type === 'legacy' ? current.gasPrice : current.maxFeePerGas;
    return { type: 'legacy', gasPrice: max(raise(previous.gasPrice), now) };
  }
  const nowMax = current.type === 'eip1559' ? current.maxFeePerGas : current.gasPrice;
  const nowTip = current.type === 'eip1559' ? current.maxPriorityFeePerGas : 0n;
  const maxPriorityFeePerGas = max(raise(previous.maxPriorityFeePerGas), nowTip);
  const maxFeePerGas = max(raise(previous.maxFeePerGas), nowMax, maxPriorityFeePerGas);
  return { type: 'eip1559', maxFeePerGas, maxPriorityFeePerGas };
}

function raise(value: bigint): bigint {
  return value + value / 8n + 1n;
}

function max(first: bigint, ...rest: bigint[]): bigint {
  let largest = first;
  for (const value of rest) if (value > largest) largest = value;
  return largest;
}
