import type { Server } from 'node:http';
import { Reasons, X402Error } from '@x402kit/core';

/** One of the devnet's HTTP services, listening on 127.0.0.1. */
export type LocalHttpServer = {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open connections; resolves once closed. Safe to call twice. */
  close(): Promise<void>;
};

/**
 * Binds `server` to 127.0.0.1 on `port` (0, the default: a free one), as the devnet's local TRON node,
 * GasFree API and Solana JSON-RPC do; rejects with the listen error (a port in use).
 *
 * @example
 * const local = await listenLocal(createServer(handler), options.port);
 * console.log(local.url); // http://127.0.0.1:54321
 * await local.close();
 */
export async function listenLocal(server: Server, port = 0): Promise<LocalHttpServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null)
    throw new X402Error(Reasons.internalError, 'no TCP port bound on 127.0.0.1');
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
