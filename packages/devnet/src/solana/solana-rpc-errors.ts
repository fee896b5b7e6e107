/**
 * A JSON-RPC error the local Solana RPC answers (`{code, message, data?}`), with Solana's codes: -32600 invalid
 * request, -32601 unknown method, -32602 bad params, -32002 a transaction refused in preflight, -32003 a
 * signature verification failure.
 *
 * @example
 * ```ts
 * throw new SolanaRpcError(-32602, 'Invalid param: WrongSize');
 * ```
 */
export class SolanaRpcError extends Error {
  override readonly name = 'SolanaRpcError';
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** `-32602 Invalid params: <detail>`. */
export function invalidParams(detail: string): SolanaRpcError {
  return new SolanaRpcError(-32602, `Invalid params: ${detail}`);
}
