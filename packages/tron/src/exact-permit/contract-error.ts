/**
 * PaymentPermit reverts on TRON → reason codes. The revert data comes back raw (`contractResult` of a
 * receipt, `constant_result` of a preflight), so we decode it against the contract's custom errors and
 * `Error(string)`, then map names and texts as on EVM.
 */
import { paymentPermitAbi, permitErrorReasonFromText } from '@x402kit/payment-permit';
import { decodeErrorResult, type Hex } from 'viem';
import { type ExactPermitTronReason, ExactPermitTronReasons } from './reasons.js';

/**
 * The revert's error name or message (`NonceAlreadyUsed`, `Payment failed`), or `undefined` when the data
 * is empty or not an error we know.
 *
 * @example
 * decodePermitRevert('0x1fb09b80'); // 'NonceAlreadyUsed'
 */
export function decodePermitRevert(data: string | undefined): string | undefined {
  const body = (data ?? '').replace(/^0x/, '');
  if (body.length < 8 || !/^[0-9a-fA-F]+$/.test(body)) return undefined;
  try {
    // viem also knows Error(string) and Panic(uint256), which the ABI's types leave out
    const decoded: { errorName: string; args?: readonly unknown[] | undefined } = decodeErrorResult({
      abi: paymentPermitAbi,
      data: `0x${body}` as Hex,
    });
    if (decoded.errorName === 'Error') return String(decoded.args?.[0] ?? 'Error');
    return decoded.errorName;
  } catch {
    return undefined;
  }
}

/**
 * The reason for a reverted `permitTransferFrom` on TRON, from its revert data and receipt result.
 *
 * @example
 * permitRevertReason('0x1fb09b80', 'REVERT'); // 'invalid_exact_permit_nonce_already_used'
 * permitRevertReason('', 'OUT_OF_ENERGY'); // 'invalid_exact_permit_tron_out_of_energy'
 */
export function permitRevertReason(data: string | undefined, result?: string): ExactPermitTronReason {
  if (result === 'OUT_OF_ENERGY' || result === 'OUT_OF_TIME') return ExactPermitTronReasons.outOfEnergy;
  const text = decodePermitRevert(data);
  return text === undefined ? ExactPermitTronReasons.transactionFailed : permitErrorReasonFromText(text);
}
