/**
 * Settling a verified `exact` SVM payment: co-sign as the fee payer, send, and wait (bounded) for
 * the signature's status. A send whose outcome is unknown, or a confirmation that does not come in
 * time, answers `settlement_pending` with the signature, never a failure: the transaction may land.
 * A replay the chain refuses as `AlreadyProcessed` is already there: its status decides.
 */
import type {
  Base64EncodedWireTransaction,
  GetSignatureStatusesApi,
  KeyPairSigner,
  Rpc,
  SendTransactionApi,
  Signature,
  Transaction,
} from '@solana/kit';
import {
  getBase64EncodedWireTransaction,
  isSolanaError,
  partiallySignTransaction,
  SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED,
} from '@solana/kit';
import type { SettleResponse } from '@x402kit/core';
import { SvmReasons } from '../reasons.js';
import { transactionSignatureOf } from '../transaction.js';

/** The RPC methods settlement uses. */
export type ExactSvmSettleRpc = Rpc<SendTransactionApi & GetSignatureStatusesApi>;

/** Options of {@link settleExactSvmTransaction}. */
export type ExactSvmSettleOptions = {
  rpc: ExactSvmSettleRpc;
  network: string;
  /** The paying wallet, echoed in the answer. */
  payer: string;
  /** How long to wait for the signature's status before answering `settlement_pending`. */
  confirmTimeoutMs: number;
  pollingIntervalMs: number;
  signal?: AbortSignal;
  onBroadcast?: (transaction: string) => Promise<void> | void;
};

/** What the chain says about a signature: landed (with or without an error) or not seen yet. */
type Status = { landed: true; err: unknown } | { landed: false };

/**
 * Co-signs `transaction` with `feePayer`, sends it and waits for it.
 *
 * @example
 * const result = await settleExactSvmTransaction(decoded.transaction, feePayer, {
 *   rpc, network, payer, confirmTimeoutMs: 30_000, pollingIntervalMs: 400,
 * })
 * result.transaction // the base58 signature
 */
export async function settleExactSvmTransaction(
  transaction: Transaction,
  feePayer: KeyPairSigner,
  options: ExactSvmSettleOptions,
): Promise<SettleResponse> {
  const signed = await partiallySignTransaction([feePayer.keyPair], transaction);
  const signature = transactionSignatureOf(signed) ?? '';
  const answer = (fields: Partial<SettleResponse>): SettleResponse => ({
    success: false,
    transaction: signature,
    network: options.network,
    payer: options.payer,
    ...fields,
  });
  try {
    await options.rpc
      .sendTransaction(getBase64EncodedWireTransaction(signed) as Base64EncodedWireTransaction, {
        encoding: 'base64',
        skipPreflight: true,
        preflightCommitment: 'confirmed',
      })
      .send();
  } catch (error) {
    // The node answered and refused (not as a replay): the transaction will not land.
    if (!alreadyProcessed(error) && nodeRefused(error)) {
      return answer({
        errorReason: SvmReasons.transactionFailed,
        transaction: '',
        errorMessage: text(error),
      });
    }
    // AlreadyProcessed (it is there) or an unknown outcome (timeout, connection lost): look it up.
  }
  await options.onBroadcast?.(signature);
  const status = await waitForStatus(options, signature);
  if (!status.landed) {
    return answer({
      errorReason: SvmReasons.settlementPending,
      errorMessage: `no status for ${signature} within ${options.confirmTimeoutMs} ms; settle the same payment again to follow it`,
    });
  }
  if (status.err !== null && status.err !== undefined) {
    return answer({
      errorReason: SvmReasons.transactionFailed,
      errorMessage: `failed on chain: ${text(status.err)}`,
    });
  }
  return answer({ success: true });
}

/**
 * The status of `signature` right now (one lookup), `undefined` if the RPC could not answer.
 *
 * @example
 * await signatureStatus(rpc, signature) // { landed: true, err: null }
 */
export async function signatureStatus(
  rpc: ExactSvmSettleRpc,
  signature: string,
): Promise<Status | undefined> {
  try {
    const { value } = await rpc.getSignatureStatuses([signature as Signature]).send();
    const status = value[0];
    if (!status) return { landed: false };
    if (status.err) return { landed: true, err: status.err };
    if (status.confirmationStatus === 'confirmed' || status.confirmationStatus === 'finalized') {
      return { landed: true, err: null };
    }
    return { landed: false };
  } catch {
    return undefined;
  }
}

async function waitForStatus(options: ExactSvmSettleOptions, signature: string): Promise<Status> {
  const deadline = Date.now() + options.confirmTimeoutMs;
  for (;;) {
    const status = await signatureStatus(options.rpc, signature);
    if (status?.landed) return status;
    if (options.signal?.aborted || Date.now() + options.pollingIntervalMs > deadline)
      return { landed: false };
    await new Promise((resolve) => setTimeout(resolve, options.pollingIntervalMs));
  }
}

function alreadyProcessed(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isSolanaError(e, SOLANA_ERROR__TRANSACTION_ERROR__ALREADY_PROCESSED)) return true;
    if (e instanceof Error && e.message.includes('AlreadyProcessed')) return true;
  }
  return false;
}

/** A JSON-RPC error answer (codes -32768..-32000): the node saw the request and refused it. */
function nodeRefused(error: unknown): boolean {
  if (!isSolanaError(error)) return false;
  const code = (error.context as { __code?: unknown }).__code;
  return typeof code === 'number' && code >= -32768 && code <= -32000;
}

function text(value: unknown): string {
  if (value instanceof Error) return value.message;
  try {
    return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(value);
  }
}
