/**
 * What a failed `/wallet/broadcasttransaction` says about the transaction: the node refused it
 * (java-tron's `result: false` with a code such as `SIGERROR`, `CONTRACT_VALIDATE_ERROR`,
 * `TRANSACTION_EXPIRATION_ERROR`, `SERVER_BUSY`, or a request it could not parse), the node has it
 * already (`DUP_TRANSACTION_ERROR`), or nothing is known (the connection was reset, a proxy
 * answered 5xx or garbage, the request timed out: the signed bytes may have reached the node).
 */
import { TronNodeError } from './node-error.js';
import { TronReasons } from './reasons.js';

/**
 * `refused`: proven not accepted; `known`: the node holds the transaction; `unknown`: it may or may
 * not have reached the node.
 */
export type TronBroadcastVerdict = 'refused' | 'known' | 'unknown';

const DUPLICATE = `${TronReasons.broadcastPrefix}dup_transaction_error`;

/**
 * Classify an error thrown by `node.broadcastTransaction`.
 *
 * @example
 * tronBroadcastVerdict(new TronNodeError('tron_broadcast_sigerror', 'SIGERROR', { path })) // 'refused'
 * tronBroadcastVerdict(new TronNodeError('tron_broadcast_dup_transaction_error', 'DUP', { path })) // 'known'
 * tronBroadcastVerdict(new TronNodeError('tron_node_http_error', 'socket hang up', { path })) // 'unknown'
 */
export function tronBroadcastVerdict(error: unknown): TronBroadcastVerdict {
  if (!(error instanceof TronNodeError)) return 'unknown';
  if (error.reason === DUPLICATE) return 'known';
  // java-tron's own `{result: false, code}` in a well-formed reply: checked before the pool
  if (error.reason.startsWith(TronReasons.broadcastPrefix)) return 'refused';
  // `{Error: ...}`: the node could not read the request; a bad argument never left the client
  if (error.reason === TronReasons.nodeRejected || error.reason === TronReasons.nodeRequest) return 'refused';
  return 'unknown';
}
