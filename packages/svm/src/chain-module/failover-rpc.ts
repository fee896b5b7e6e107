/**
 * One kit RPC over a network's JSON-RPC URLs: each request goes to the first URL, and to the next
 * when a URL cannot be reached (connection refused, timeout, an HTTP error). A node that answers,
 * even with a JSON-RPC error, has answered: its error is the answer. Sending a signed transaction
 * twice this way is harmless: the chain keeps one transaction per signature.
 */
import { createDefaultRpcTransport, createSolanaRpcFromTransport, type RpcTransport } from '@solana/kit';
import { X402Error } from '@x402kit/core';
import { SvmReasons } from '../reasons.js';

/** Options of {@link createFailoverRpc}. */
export type FailoverRpcOptions = {
  /** Per request and URL; absent: no limit beyond the caller's signal. */
  timeoutMs?: number;
};

/**
 * A Solana RPC over `urls`, in order.
 *
 * @example
 * const rpc = createFailoverRpc(['https://a.example', 'https://b.example'], { timeoutMs: 5000 })
 * await rpc.getLatestBlockhash().send()
 */
export function createFailoverRpc(urls: readonly string[], options: FailoverRpcOptions = {}) {
  if (urls.length === 0) throw new X402Error(SvmReasons.config, 'createFailoverRpc: give at least one URL');
  const transports = urls.map((url) => createDefaultRpcTransport({ url }));
  const transport: RpcTransport = async (config) => {
    let last: unknown;
    for (const send of transports) {
      const signals = [config.signal, options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined];
      const present = signals.filter((s): s is AbortSignal => s !== undefined);
      try {
        return await send({ ...config, ...(present.length > 0 ? { signal: AbortSignal.any(present) } : {}) });
      } catch (error) {
        if (config.signal?.aborted) throw error;
        last = error;
      }
    }
    throw last;
  };
  return createSolanaRpcFromTransport(transport);
}

/** The Solana RPC {@link createFailoverRpc} makes. */
export type FailoverRpc = ReturnType<typeof createFailoverRpc>;
