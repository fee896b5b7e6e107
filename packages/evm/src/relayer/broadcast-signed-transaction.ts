/**
 * One signed transaction out to the chain, with an answer that never lies about it: `accepted`
 * (the node took it, or already had it), `refused` (proven: a JSON-RPC refusal, and the node does
 * not know the hash), or `unknown` (the bytes may have reached a node: watch the hash). The hash is
 * computed from the signed bytes before they leave, so every answer names the transaction.
 */
import { X402Error } from '@x402kit/core';
import { type Hash, type Hex, keccak256, type PublicClient } from 'viem';
import { errorText } from '../error-text.js';
import { EvmReasons } from '../evm-reasons.js';
import { classifySendError } from './classify-send-error.js';

export type BroadcastOutcome =
  | { kind: 'accepted'; hash: Hash }
  | { kind: 'refused' | 'unknown'; hash: Hash; error: unknown; message: string };

/**
 * Send `serializedTransaction`. After a failure it asks the node whether it holds the hash (a
 * refusal can be the answer to a retry, viem's or another URL's, of bytes that got in already), and
 * after a failure that proves nothing it sends the same bytes once more: harmless (one hash, mined
 * at most once), and an acceptance ends the doubt. Never throws.
 *
 * @example
 * const sent = await broadcastSignedTransaction(client, signed)
 * if (sent.kind === 'refused') return fail(sent.message) // else sent.hash may be mined: watch it
 */
export async function broadcastSignedTransaction(
  client: Pick<PublicClient, 'sendRawTransaction' | 'request'>,
  serializedTransaction: Hex,
): Promise<BroadcastOutcome> {
  const hash = keccak256(serializedTransaction);
  const send = async (): Promise<unknown> => {
    try {
      await client.sendRawTransaction({ serializedTransaction });
      return undefined;
    } catch (error) {
      return error ?? new X402Error(EvmReasons.relayerSend, 'sendRawTransaction failed');
    }
  };
  const error = await send();
  if (error === undefined) return { kind: 'accepted', hash };
  const verdict = classifySendError(error);
  if (verdict === 'known') return { kind: 'accepted', hash };
  const seen = await lookUp(client, hash);
  if (seen === 'known') return { kind: 'accepted', hash };
  const message = errorText(error);
  if (verdict === 'refused' && seen === 'absent') return { kind: 'refused', hash, error, message };
  if (verdict === 'unknown') {
    const again = await send();
    if (again === undefined || classifySendError(again) === 'known') return { kind: 'accepted', hash };
  }
  return { kind: 'unknown', hash, error, message };
}

/** Does a node know `hash`? `unknown` when the node could not be asked. */
async function lookUp(
  client: Pick<PublicClient, 'request'>,
  hash: Hash,
): Promise<'known' | 'absent' | 'unknown'> {
  try {
    const found = await client.request({ method: 'eth_getTransactionByHash', params: [hash] });
    return found === null ? 'absent' : 'known';
  } catch {
    return 'unknown';
  }
}
