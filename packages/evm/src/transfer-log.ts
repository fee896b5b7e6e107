/** Did a mined settlement really move the tokens? Its receipt must carry the ERC-20 `Transfer`. */
import { type Address, decodeEventLog } from 'viem';
import { sameAddress } from './address.js';
import { eip3009Abi } from './eip3009.js';
import type { ReceiptSummary } from './relayer/wait-for-receipt.js';

/** The transfer a settlement must have made. */
export type ExpectedTransfer = { token: Address; from: Address; to: Address; value: bigint };

/**
 * True when the receipt has a `Transfer(from -> to, value)` log emitted by `token`.
 *
 * @example
 * if (!hasTransferLog(receipt, { token: asset, from: payer, to: payTo, value: 1000n })) return mismatch()
 */
export function hasTransferLog(receipt: ReceiptSummary, expected: ExpectedTransfer): boolean {
  return receipt.logs.some((log) => {
    if (!sameAddress(log.address, expected.token)) return false;
    try {
      const event = decodeEventLog({
        abi: eip3009Abi,
        eventName: 'Transfer',
        topics: log.topics,
        data: log.data,
      });
      return (
        sameAddress(event.args.from, expected.from) &&
        sameAddress(event.args.to, expected.to) &&
        event.args.value === expected.value
      );
    } catch {
      return false;
    }
  });
}
