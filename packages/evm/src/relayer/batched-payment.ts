/**
 * What a settlement batch needs to know about each of its calls: which EIP-3009 authorization it
 * spends (read back from the calldata), and, once the batch is mined, whether THAT authorization
 * was spent and its tokens moved. A sub-call's logs survive only when it succeeded, so its own
 * `AuthorizationUsed(from, nonce)` log proves its success; its `Transfer(from, to, value)` log
 * proves the money moved. Each log is credited to one payment at most, so two alike payments in
 * one batch can never both be counted on the strength of one transfer.
 */
import { type Address, decodeFunctionData, type Hex, pad, parseAbiItem, toEventSelector } from 'viem';
import { sameAddress } from '../address.js';
import { eip3009Abi } from '../eip3009.js';
import type { RelayedCall } from './relayed-call.js';
import type { ReceiptSummary } from './wait-for-receipt.js';

/** The authorization a `transferWithAuthorization` call spends. */
export type BatchedPayment = {
  asset: Address;
  from: Address;
  to: Address;
  value: bigint;
  nonce: Hex;
};

const AUTHORIZATION_USED = toEventSelector(
  parseAbiItem('event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)'),
);
const TRANSFER = toEventSelector(
  parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
);

/**
 * Read the authorization out of a `transferWithAuthorization` call (either overload); `undefined`
 * for any other call (`receiveWithAuthorization` included: it must be sent by the payee itself).
 *
 * @example
 * const payment = readBatchedPayment({ to: token, data, gas: 120_000n }) // { asset, from, to, value, nonce }
 */
export function readBatchedPayment(call: RelayedCall): BatchedPayment | undefined {
  try {
    const decoded = decodeFunctionData({ abi: eip3009Abi, data: call.data });
    if (decoded.functionName !== 'transferWithAuthorization') return undefined;
    const [from, to, value, , , nonce] = decoded.args;
    return { asset: call.to, from, to, value, nonce };
  } catch {
    return undefined;
  }
}

/**
 * Split a batch receipt into one receipt per payment: `success` with the payment's own
 * `AuthorizationUsed` and `Transfer` logs, `success` with only the former when the sub-call ran but
 * moved no matching tokens (the caller then sees no Transfer), or `reverted` when its sub-call
 * failed (or the whole batch reverted).
 *
 * @example
 * const [first, second] = paymentReceipts(receipt, [paymentA, paymentB])
 */
export function paymentReceipts(
  receipt: ReceiptSummary,
  payments: readonly BatchedPayment[],
): ReceiptSummary[] {
  const claimed = new Set<number>();
  const claim = (match: (log: ReceiptSummary['logs'][number]) => boolean, after = -1): number => {
    const index = receipt.logs.findIndex((log, i) => i > after && !claimed.has(i) && match(log));
    if (index >= 0) claimed.add(index);
    return index;
  };
  return payments.map((payment) => {
    const reverted: ReceiptSummary = { status: 'reverted', blockNumber: receipt.blockNumber, logs: [] };
    if (receipt.status !== 'success') return reverted;
    const from = topic(payment.from);
    const used = claim(
      (log) =>
        sameAddress(log.address, payment.asset) &&
        log.topics[0] === AUTHORIZATION_USED &&
        log.topics[1]?.toLowerCase() === from &&
        log.topics[2]?.toLowerCase() === payment.nonce.toLowerCase(),
    );
    if (used < 0) return reverted;
    const isTransfer = (log: ReceiptSummary['logs'][number]) =>
      sameAddress(log.address, payment.asset) &&
      log.topics[0] === TRANSFER &&
      log.topics[1]?.toLowerCase() === from &&
      log.topics[2]?.toLowerCase() === topic(payment.to) &&
      safeBigInt(log.data) === payment.value;
    // the token logs its transfer right after (or before) marking the authorization used
    let transfer = claim(isTransfer, used);
    if (transfer < 0) transfer = claim(isTransfer);
    const logs = [receipt.logs[used], transfer >= 0 ? receipt.logs[transfer] : undefined].filter(
      (log) => log !== undefined,
    );
    return { status: 'success', blockNumber: receipt.blockNumber, logs };
  });
}

function topic(address: Address): string {
  return pad(address, { size: 32 }).toLowerCase();
}

function safeBigInt(data: Hex): bigint | undefined {
  try {
    return data === '0x' ? undefined : BigInt(data);
  } catch {
    return undefined;
  }
}
