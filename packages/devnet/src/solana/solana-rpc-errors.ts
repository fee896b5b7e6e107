import { X402Error } from '@x402kit/core';
import { DevnetReasons } from '../devnet-reasons.js';

/**
 * A JSON-RPC error the local Solana RPC answers (`{code, message, data?}`), with Solana's codes: -32600 invalid
 * request, -32601 unknown method, -32602 bad params, -32002 a transaction refused in preflight, -32003 a
 * signature verification failure. Its reason is `devnet_solana_rpc_error`.
 *
 * @example
 * ```ts
 * throw new SolanaRpcError(-32602, 'Invalid param: WrongSize');
 * ```
 */
export class SolanaRpcError extends X402Error {
  override readonly name = 'SolanaRpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(DevnetReasons.solanaRpc, message);
  }
}

/** `-32602 Invalid params: <detail>`. */
export function invalidParams(detail: string): SolanaRpcError {
  return new SolanaRpcError(-32602, `Invalid params: ${detail}`);
}
