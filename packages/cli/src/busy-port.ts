/**
 * A command that cannot listen because its port is taken (another devnet, facilitator or program
 * holds it) ends with one line that names the port and the way out, not a stack trace.
 */

/**
 * The one-line message for an error whose cause chain holds an `EADDRINUSE`, or `undefined`.
 *
 * @example
 * busyPortMessage(error) // 'port 8545 on 127.0.0.1 is already in use: pass --port 0 to pick a free port (or --port <n>)'
 */
export function busyPortMessage(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (Reflect.get(e, 'code') !== 'EADDRINUSE') continue;
    const port: unknown = Reflect.get(e, 'port');
    const address: unknown = Reflect.get(e, 'address');
    const where =
      typeof port === 'number'
        ? `port ${port}${typeof address === 'string' ? ` on ${address}` : ''}`
        : 'the port';
    return `${where} is already in use (another devnet, facilitator or program holds it): pass --port 0 to pick a free port (or --port <n>)`;
  }
  return undefined;
}
