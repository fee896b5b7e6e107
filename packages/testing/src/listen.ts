/**
 * Serving an app (Express or a plain request listener) on 127.0.0.1 for tests, with a `close`
 * that drops kept-alive connections so the test run can end.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server started by a test: its base URL and how to stop it. */
export type Running = { url: string; close(): Promise<void> };

/**
 * Listen on a free port of 127.0.0.1.
 *
 * @example
 * const api = await listenLocal(app) // app: an Express app or any (req, res) handler
 * await fetch(`${api.url}/weather`)
 * await api.close()
 */
export async function listenLocal(app: RequestListener): Promise<Running & { server: Server }> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

/**
 * Close `server` now, kept-alive connections included.
 *
 * @example await closeServer(server)
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
