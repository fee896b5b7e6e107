/**
 * What a failed `eth_sendRawTransaction` says about the transaction: the node refused it (a JSON-RPC
 * error object in a well-formed reply), the node already has it ("already known"), or nothing is
 * known (the connection was reset, a proxy answered 5xx or something that is not JSON, the request
 * timed out, ...). Only a refusal proves the transaction is not in the pool; every other failure
 * came after the signed bytes may have left the process, so the transaction may still be mined.
 */
import { BaseError, RpcRequestError } from 'viem';
import { errorText } from '../error-text.js';

/**
 * `refused`: the node answered with a JSON-RPC error (nonce too low, insufficient funds, ...);
 * `known`: the node has the transaction already; `unknown`: the send may or may not have reached
 * a node.
 */
export type SendErrorClass = 'refused' | 'known' | 'unknown';

/** The node holds the transaction already: it is in the pool (or mined), as if the send succeeded. */
const ALREADY_KNOWN = /already known|already imported|known transaction|already in (the )?(mem)?pool/i;
/**
 * JSON-RPC errors that a gateway in front of the node writes when it lost the node's answer (an
 * upstream timeout or dropped connection): no verdict on the transaction.
 */
const GATEWAY_TROUBLE =
  /time(d)?[ -]?out|upstream|gateway|connection (reset|refused|closed)|econnreset|socket hang up|service unavailable|temporarily unavailable/i;

/**
 * Classify an error thrown by `sendRawTransaction` (viem's, through any transport).
 *
 * @example
 * classifySendError(new InvalidInputRpcError(new RpcRequestError({ body: {}, url: '', error: { code: -32000, message: 'nonce too low' } }))) // 'refused'
 * classifySendError(new HttpRequestError({ url: '', details: 'fetch failed' })) // 'unknown'
 * classifySendError(new TimeoutError({ body: {}, url: '' })) // 'unknown'
 */
export function classifySendError(error: unknown): SendErrorClass {
  const text = errorText(error);
  if (ALREADY_KNOWN.test(text)) return 'known';
  const reply = jsonRpcReply(error);
  if (!reply) return 'unknown';
  // a JSON-RPC error in a non-2xx reply was written by something between us and the node
  if (reply.status !== undefined && (reply.status < 200 || reply.status > 299)) return 'unknown';
  if (GATEWAY_TROUBLE.test(text)) return 'unknown';
  return 'refused';
}

/** The JSON-RPC error reply inside `error`, when there is one. */
function jsonRpcReply(error: unknown): RpcRequestError | undefined {
  if (error instanceof RpcRequestError) return error;
  if (!(error instanceof BaseError)) return undefined;
  const found = error.walk((e) => e instanceof RpcRequestError);
  return found instanceof RpcRequestError ? found : undefined;
}
