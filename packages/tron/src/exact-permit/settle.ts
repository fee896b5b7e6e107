/**
 * Settlement of a TRON `exact_permit` payment: re-verify, preflight `permitTransferFrom` as the caller
 * (a doomed call burns no TRX and its custom error becomes the reason), have the node build the
 * transaction, prove it is exactly our call, sign by txID, broadcast, tell the ledger, and poll the
 * receipt for a bounded time. A permit is never broadcast twice: a broadcast is remembered until its
 * outcome is known or the transaction has expired unseen.
 */

import {
  type PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type SettleResponse,
  settleRefusal,
  X402Error,
} from '@x402kit/core';
import { notifyBroadcast } from '@x402kit/core/internal';
import { paymentPermitAbi, permitTuple } from '@x402kit/payment-permit';
import { encodeFunctionData } from 'viem';
import { toTronAddress, tronAddressBody } from '../address.js';
import { tronBroadcastVerdict } from '../broadcast-verdict.js';
import { checkTriggerTransaction } from '../check-trigger-transaction.js';
import { TronNodeError } from '../node-error.js';
import type { TronTransactionInfo } from '../node-schemas.js';
import { TronReasons } from '../reasons.js';
import { signTronTransaction } from '../transaction-signature.js';
import { waitForTransactionInfo } from '../wait-for-transaction-info.js';
import { permitRevertReason } from './contract-error.js';
import { ExactPermitTronReasons as R } from './reasons.js';
import { type SentPermit, type SentPermits, sentPermitKey } from './sent-permits.js';
import {
  type ExactPermitTronNetwork,
  type ExactPermitTronVerifyContext,
  verifyExactPermitTronPayment,
} from './verify.js';

/**
 * What settlement needs besides verification's context.
 *
 * @example
 * const ctx: ExactPermitTronSettleContext = { ...verifyContext, keys, feeLimitSun: 1e9, receiptTimeoutMs: 60_000, pollMs: 3000, solidified: false, preflight: true, sent };
 */
export type ExactPermitTronSettleContext = ExactPermitTronVerifyContext & {
  /** Settlement private keys by lowercase 20-byte `0x` body. */
  keys: ReadonlyMap<string, string>;
  feeLimitSun: number;
  receiptTimeoutMs: number;
  pollMs: number;
  solidified: boolean;
  preflight: boolean;
  sent: SentPermits;
};

/**
 * Options of one settlement.
 *
 * @example
 * const options: ExactPermitTronSettleOptions = { onBroadcast: (txid) => ledger.record(txid) };
 */
export type ExactPermitTronSettleOptions = {
  signal?: AbortSignal;
  /** Unix seconds; default now. */
  now?: number;
  /** Told the txid right after broadcast, before the receipt wait. */
  onBroadcast?: (transaction: string) => Promise<void> | void;
};

const TRANSFER_TOPIC = 'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

/**
 * Settles `payload`. Bad input and reverts are `success: false` with a reason; a receipt that does not
 * come in time, or a broadcast whose answer was lost (reset, 5xx, timeout), is `settlement_pending`
 * with the txid (64 hex, no `0x`): only a proven refusal of the broadcast is a failure. Node failures
 * before broadcast throw.
 *
 * @example
 * const result = await settleExactPermitTronPayment(ctx, payload, requirements, {});
 * result.transaction; // '9f3c…' (TRON txid)
 */
export async function settleExactPermitTronPayment(
  ctx: ExactPermitTronSettleContext,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options: ExactPermitTronSettleOptions = {},
): Promise<SettleResponse> {
  const networkId = requirements.network;
  const served = ctx.networkFor(networkId);
  const key = served ? sentPermitKey(served.network.chainId, payload.payload) : undefined;
  const earlier = key ? ctx.sent.get(key) : undefined;
  if (served && key && earlier) {
    const resumed = await resume(ctx, served, key, earlier, networkId, options);
    if (resumed) return resumed;
  }
  const { response, verified } = await verifyExactPermitTronPayment(ctx, payload, requirements, {
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  if (!response.isValid || !verified || !key) {
    const reason = response.invalidReason ?? Reasons.invalidPayload;
    return settleRefusal(reason, response.invalidMessage, networkId, '', response.payer);
  }
  const { permit, signature, payer, network } = verified;
  const caller = toTronAddress(permit.caller);
  const privateKey = ctx.keys.get(tronAddressBody(permit.caller));
  if (!privateKey)
    return settleRefusal(R.callerMismatch, `no key of ours is ${caller}`, networkId, '', payer);
  const data = encodeFunctionData({
    abi: paymentPermitAbi,
    functionName: 'permitTransferFrom',
    args: [permitTuple(permit), permit.buyer, signature],
  });
  const call = { owner: caller, contract: network.contract, data };
  if (ctx.preflight) {
    const dry = await network.node.triggerConstantContract(call);
    if (dry.reverted) {
      const reason = permitRevertReason(dry.constantResult[0]);
      return settleRefusal(reason, 'the settlement would revert (preflight)', networkId, '', payer);
    }
  }
  const tx = await network.node.triggerSmartContract({ ...call, feeLimit: ctx.feeLimitSun });
  let expiration: number;
  try {
    expiration = checkTriggerTransaction(tx, { ...call, maxFeeLimit: ctx.feeLimitSun }).expiration;
  } catch (error) {
    // the node built something else than our call: never sign it
    if (error instanceof X402Error) return settleRefusal(error.reason, error.message, networkId, '', payer);
    throw error;
  }
  const signed = await signTronTransaction(tx, privateKey);
  const record: SentPermit = {
    txid: signed.txID.toLowerCase(),
    expiration,
    payer,
    transfer: {
      token: tronAddressBody(permit.payment.payToken).slice(2),
      from: tronAddressBody(permit.buyer).slice(2),
      to: tronAddressBody(permit.payment.payTo).slice(2),
      amount: permit.payment.payAmount,
    },
  };
  ctx.sent.set(key, record);
  const refusal = await broadcast(network, signed, record.txid);
  if (refusal) {
    ctx.sent.delete(key);
    return settleRefusal(refusal.reason, refusal.message, networkId, '', payer);
  }
  // sent, or of unknown outcome (reset, 5xx, timeout): the txid may be mined, so it is recorded and watched
  await notifyBroadcast(options.onBroadcast, record.txid);
  return awaitOutcome(ctx, network, key, record, networkId, options.signal);
}

/**
 * Broadcast `signed`; resolves with the refusal only when the node proved it refused the
 * transaction and does not hold it (a refusal may answer the client's retry of bytes that got in
 * already), else `undefined`: the transaction is sent, or may be.
 */
async function broadcast(
  network: ExactPermitTronNetwork,
  signed: Parameters<ExactPermitTronNetwork['node']['broadcastTransaction']>[0],
  txid: string,
): Promise<{ reason: string; message: string } | undefined> {
  try {
    await network.node.broadcastTransaction(signed);
    return undefined;
  } catch (error) {
    if (tronBroadcastVerdict(error) !== 'refused' || !(error instanceof TronNodeError)) return undefined;
    const known = await network.node.getTransactionById(txid).catch(() => 'unknown' as const);
    return known === undefined ? { reason: error.reason, message: error.message } : undefined;
  }
}

async function resume(
  ctx: ExactPermitTronSettleContext,
  served: ExactPermitTronNetwork,
  key: string,
  earlier: SentPermit,
  networkId: string,
  options: ExactPermitTronSettleOptions,
): Promise<SettleResponse | undefined> {
  const info = await served.node.getTransactionInfoById(earlier.txid).catch(() => undefined);
  if (info?.blockNumber === undefined && earlier.expiration < Date.now()) {
    const known = await served.node.getTransactionById(earlier.txid).catch(() => 'unknown' as const);
    if (known === undefined) {
      ctx.sent.delete(key); // expired and never seen: safe to build a new transaction
      return undefined;
    }
  }
  return awaitOutcome(ctx, served, key, earlier, networkId, options.signal);
}

async function awaitOutcome(
  ctx: ExactPermitTronSettleContext,
  network: ExactPermitTronNetwork,
  key: string,
  record: SentPermit,
  networkId: string,
  signal: AbortSignal | undefined,
): Promise<SettleResponse> {
  const { txid, payer } = record;
  let info: TronTransactionInfo;
  try {
    info = await waitForTransactionInfo(network.node, txid, {
      timeoutMs: ctx.receiptTimeoutMs,
      pollMs: ctx.pollMs,
      solidified: ctx.solidified,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    const message =
      error instanceof TronNodeError && error.reason === TronReasons.waitTimeout
        ? error.message
        : `no receipt for ${txid} yet (${error instanceof Error ? error.message : String(error)}); it may still confirm`;
    return settleRefusal(Reasons.settlementPending, message, networkId, txid, payer);
  }
  ctx.sent.delete(key);
  const result = info.receipt?.result;
  if (result === 'SUCCESS' && hasPaymentTransferLog(info, record.transfer)) {
    return { success: true, transaction: txid, network: networkId, payer };
  }
  const reason =
    result === 'SUCCESS' ? R.transactionFailed : permitRevertReason(info.contractResult?.[0], result);
  return settleRefusal(
    reason,
    `transaction ${txid} ended ${result ?? 'without a result'}`,
    networkId,
    txid,
    payer,
  );
}

/** The token's `Transfer(buyer → payTo, amount)` must be in the receipt: the payment really moved. */
function hasPaymentTransferLog(info: TronTransactionInfo, expected: SentPermit['transfer']): boolean {
  const body = (value: string) => {
    const hex = value.replace(/^0x/, '').toLowerCase();
    return hex.length === 42 && hex.startsWith('41') ? hex.slice(2) : hex.slice(-40);
  };
  return (info.log ?? []).some((log) => {
    const [topic, from, to] = (log.topics ?? []).map((t) => t.replace(/^0x/, '').toLowerCase());
    if (topic !== TRANSFER_TOPIC || from === undefined || to === undefined) return false;
    const data = (log.data ?? '').replace(/^0x/, '');
    return (
      body(log.address) === expected.token &&
      body(from) === expected.from &&
      body(to) === expected.to &&
      data.length >= 64 &&
      BigInt(`0x${data.slice(0, 64)}`) === expected.amount
    );
  });
}
