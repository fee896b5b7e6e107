import type { IncomingMessage } from 'node:http';

/**
 * The body of a request to one of the devnet's HTTP services (the TRON node, the GasFree API, the Solana
 * JSON-RPC) as UTF-8 text, or `undefined` as soon as it grows past `maxBytes`: each service answers that
 * in its own wire format.
 *
 * @example
 * const text = await readRequestBody(request, 1_000_000);
 * if (text === undefined) throw new TronRequestError('request body too large');
 */
export async function readRequestBody(
  request: IncomingMessage,
  maxBytes: number,
): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
