/**
 * A viem transport over several JSON-RPC URLs that fails over on transport trouble only: a refused
 * connection, an HTTP error status (5xx, 429, ...) or a timeout sends the same request to the next
 * URL, and the failing URL is skipped for a while (`cooldownMs`) so later requests do not pay for it
 * again. A JSON-RPC error answer (`nonce too low`, `execution reverted`, ...) is the chain's verdict
 * and is thrown as is, never asked again elsewhere. Re-sending one signed transaction to another
 * URL is safe: it has the same hash and can be mined once.
 */
import { X402Error } from '@x402kit/core';
import {
  createTransport,
  type EIP1193RequestFn,
  HttpRequestError,
  type HttpTransportConfig,
  http,
  TimeoutError,
  type Transport,
} from 'viem';
import { EvmReasons } from '../evm-reasons.js';

/** Options of `failover`. */
export type FailoverTransportOptions = Pick<HttpTransportConfig, 'timeout' | 'batch'> & {
  /** How long a URL that failed is tried only after the others; default 30 000 ms. */
  cooldownMs?: number;
  /** Retries of a whole failover round on retryable errors; default 1. */
  retryCount?: number;
};

/**
 * Create the transport. With one URL it is plain `http(url)`.
 *
 * @example
 * const client = createPublicClient({ transport: failover(['http://10.0.0.1:8545', 'http://10.0.0.2:8545'], { timeout: 10_000 }) })
 */
export function failover(urls: readonly string[], options: FailoverTransportOptions = {}): Transport {
  const [first] = urls;
  if (first === undefined) throw new X402Error(EvmReasons.config, 'failover: give at least one RPC URL');
  const httpOptions = { timeout: options.timeout ?? 10_000, batch: options.batch ?? false };
  if (urls.length === 1) return http(first, { ...httpOptions, retryCount: options.retryCount ?? 1 });
  const transports = urls.map((url) => http(url, { ...httpOptions, retryCount: 0 }));
  const cooldownMs = options.cooldownMs ?? 30_000;
  const downUntil = urls.map(() => 0);

  return ({ chain }) => {
    const instances = transports.map((transport) => transport({ chain, retryCount: 0 }));
    const request: EIP1193RequestFn = async (args, requestOptions) => {
      const now = Date.now();
      const order = instances
        .map((instance, i) => ({ instance, i }))
        .sort((a, b) => Number((downUntil[a.i] ?? 0) > now) - Number((downUntil[b.i] ?? 0) > now));
      let lastError: unknown;
      for (const { instance, i } of order) {
        try {
          return await instance.request(args, requestOptions);
        } catch (error) {
          if (!isTransportFailure(error)) throw error;
          downUntil[i] = Date.now() + cooldownMs;
          lastError = error;
        }
      }
      throw lastError;
    };
    return createTransport({
      key: 'failover',
      name: 'Failover',
      type: 'failover',
      request,
      retryCount: options.retryCount ?? 1,
      timeout: httpOptions.timeout,
    });
  };
}

/**
 * Is `error` the transport's fault (worth asking another URL) rather than the chain's answer?
 *
 * @example isTransportFailure(new TimeoutError({ body: {}, url: 'http://x' })) // true
 */
export function isTransportFailure(error: unknown): boolean {
  return error instanceof HttpRequestError || error instanceof TimeoutError;
}
