/**
 * Finishing an `exact` Solana settlement whose outcome the ledger does not know (the instance
 * crashed, or the confirmation did not come in time), from the status of its transaction: the fee
 * payer's signature, which the ledger recorded at broadcast (or which is recomputed: Ed25519 is
 * deterministic, and the fee payer is ours).
 *
 * - confirmed or finalized without error: settled, with that signature;
 * - confirmed or finalized with an error: a final failure (it ran and moved nothing);
 * - unknown to the chain while its blockhash is no longer valid (checked at the finalized
 *   commitment, then the status read again): it can never land, a final failure;
 * - anything else (not yet seen, only processed, the node not answering): unknown, asked again later.
 */
import type { Blockhash, GetSignatureStatusesApi, IsBlockhashValidApi, Rpc, Signature } from '@solana/kit';
import { signBytes } from '@solana/kit';
import { encodeBase58, networkForVersion, type Reconcile, type SettleResponse } from '@x402kit/core';
import type { FeePayers } from '../fee-payers.js';
import { SvmReasons } from '../reasons.js';
import { decodeSvmTransaction } from '../transaction.js';
import { SOLANA_SIGNATURE_NONCE } from './identify-exact-svm.js';
import { solanaNetworkId } from './solana-config.js';

/** The RPC methods reconciliation uses. */
export type ExactSvmReconcileRpc = Rpc<GetSignatureStatusesApi & IsBlockhashValidApi>;

/** Options of {@link createExactSvmReconciler}. */
export type ExactSvmReconcilerOptions = {
  /** The RPC of a network (CAIP-2), or `undefined` when it is not served. */
  rpcFor(network: string): ExactSvmReconcileRpc | undefined;
  /** The fee payers, to recompute the signature of a settlement the ledger recorded none for. */
  feePayers: FeePayers;
};

const BASE58_SIGNATURE = /^[1-9A-HJ-NP-Za-km-z]{64,88}$/;

type Status = 'landed' | { err: unknown } | 'seen' | 'absent';

/**
 * Create the reconciler of `exact` Solana payments (rows whose key is `solsig:`).
 *
 * @example
 * const reconcile = createExactSvmReconciler({ rpcFor: (network) => rpcs.get(network), feePayers })
 * await reconcile(payment, { key, transaction: '5VER…' }) // { success: true, transaction: '5VER…', … }
 */
export function createExactSvmReconciler(options: ExactSvmReconcilerOptions): Reconcile {
  return async function reconcileExactSvm(payment, record) {
    if (payment.requirements.scheme !== 'exact') return undefined;
    if (!record.key.nonce.startsWith(`${SOLANA_SIGNATURE_NONCE}:`)) return undefined;
    const network = solanaNetworkId(payment.requirements.network);
    const rpc = network === undefined ? undefined : options.rpcFor(network);
    const decoded = decodeSvmTransaction(payment.payload.payload.transaction);
    if (!rpc || !decoded) return undefined;
    const signature =
      record.transaction && BASE58_SIGNATURE.test(record.transaction)
        ? record.transaction
        : await feePayerSignature(decoded, options.feePayers);
    if (!signature) return undefined;
    const answer = (fields: Partial<SettleResponse>): SettleResponse => ({
      success: false,
      transaction: signature,
      network: networkForVersion(payment.requirements.network, payment.x402Version),
      payer: record.key.payer,
      ...fields,
    });
    const final = (status: Status): SettleResponse | undefined => {
      if (status === 'landed') return answer({ success: true });
      if (typeof status === 'object') {
        return answer({
          errorReason: SvmReasons.transactionFailed,
          errorMessage: `failed on chain: ${text(status.err)}`,
        });
      }
      return undefined;
    };
    const first = await statusOf(rpc, signature);
    if (first !== 'absent') return final(first);
    const message = decoded.message;
    const blockhash = 'lifetimeToken' in message ? message.lifetimeToken : undefined;
    if (!blockhash) return undefined;
    const { value: valid } = await rpc
      .isBlockhashValid(blockhash as Blockhash, { commitment: 'finalized' })
      .send();
    if (valid) return undefined;
    // the blockhash expired: a transaction that landed before did so in a block the status lookup sees now
    const second = await statusOf(rpc, signature);
    if (second !== 'absent') return final(second);
    return answer({
      errorReason: SvmReasons.transactionExpired,
      errorMessage:
        `transaction ${signature} never landed and its blockhash ${blockhash} has expired (a blockhash is ` +
        'valid for about 150 blocks): it can never land and nothing was charged; sign a new payment',
    });
  };
}

/** The signature the fee payer the transaction names gives it, if that fee payer is ours. */
async function feePayerSignature(
  decoded: NonNullable<ReturnType<typeof decodeSvmTransaction>>,
  feePayers: FeePayers,
): Promise<string | undefined> {
  const signer = feePayers.signer(decoded.accounts[0] ?? '');
  if (!signer) return undefined;
  const { keyPair } = await signer;
  return encodeBase58(await signBytes(keyPair.privateKey, decoded.messageBytes));
}

async function statusOf(rpc: ExactSvmReconcileRpc, signature: string): Promise<Status> {
  const { value } = await rpc
    .getSignatureStatuses([signature as Signature], { searchTransactionHistory: true })
    .send();
  const status = value[0];
  if (!status) return 'absent';
  if (status.confirmationStatus !== 'confirmed' && status.confirmationStatus !== 'finalized') return 'seen';
  return status.err ? { err: status.err } : 'landed';
}

function text(value: unknown): string {
  try {
    return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(value);
  }
}
