/**
 * The first step of every relayed settlement: hand the call to a relayer and sort the result into
 * "refused" (proven: the node said no and does not hold the transaction) and "sent" (accepted, or
 * of unknown outcome: the transaction may be mined and its hash must be recorded and watched).
 */
import type { Hash } from 'viem';
import { errorText } from '../error-text.js';
import type { RelayedCall } from './relayed-call.js';
import { type Relayer, RelayerSendError } from './relayer.js';

/** A call that was sent (as far as anyone knows), or that the node refused. */
export type SentCall =
  | { kind: 'refused'; message: string }
  | { kind: 'sent'; hash: Hash; unknownOutcome?: string };

/**
 * Send `call` through `relayer`: `refused` only when the node proved it refused the transaction;
 * a send of unknown outcome is sent as far as anyone knows (`unknownOutcome` says why), and its
 * hash is watched like any other.
 *
 * @example
 * const sent = await sendCall(relayer, call)
 * if (sent.kind === 'refused') return failure(sent.message)
 */
export async function sendCall(relayer: Pick<Relayer, 'send'>, call: RelayedCall): Promise<SentCall> {
  try {
    return { kind: 'sent', hash: await relayer.send(call) };
  } catch (error) {
    if (error instanceof RelayerSendError && error.ambiguous && error.hash) {
      return {
        kind: 'sent',
        hash: error.hash,
        unknownOutcome: `the broadcast's outcome is unknown (${errorText(error.cause)})`,
      };
    }
    return { kind: 'refused', message: errorText(error instanceof RelayerSendError ? error.cause : error) };
  }
}
