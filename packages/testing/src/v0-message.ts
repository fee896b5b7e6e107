import type { Address, KeyPairSigner } from '@solana/kit';
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  setTransactionMessageFeePayer,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
} from '@solana/kit';

/**
 * A v0 Solana transaction message carrying `instructions`, paid by `feePayer` (a signer, or the address of
 * one who co-signs later, as an x402 facilitator does) and valid within `lifetime` (a recent blockhash).
 *
 * @example const signed = await signTransactionMessageWithSigners(v0Message(payer, blockhash, [transfer]))
 */
export function v0Message(
  feePayer: KeyPairSigner | Address,
  lifetime: Parameters<typeof setTransactionMessageLifetimeUsingBlockhash>[0],
  instructions: Parameters<typeof appendTransactionMessageInstructions>[0],
) {
  const empty = createTransactionMessage({ version: 0 });
  const paid =
    typeof feePayer === 'string'
      ? setTransactionMessageFeePayer(feePayer, empty)
      : setTransactionMessageFeePayerSigner(feePayer, empty);
  return appendTransactionMessageInstructions(
    instructions,
    setTransactionMessageLifetimeUsingBlockhash(lifetime, paid),
  );
}
