/**
 * The send-error classifier against the errors viem really throws: a real HTTP server on 127.0.0.1
 * answers `eth_sendRawTransaction` the way nodes and broken proxies do (a JSON-RPC refusal, "already
 * known", a reset connection, 502, a non-JSON 200, a JSON-RPC error inside a 5xx, silence), and a
 * real viem client sends through it.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createPublicClient, HttpRequestError, http, RpcRequestError, TimeoutError } from 'viem';
import { classifySendError, type SendErrorClass } from './classify-send-error.js';

type Reply = (res: ServerResponse, id: unknown) => void;

const rpcError = (code: number, message: string, status = 200): Reply => {
  return (res, id) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }));
  };
};

const replies: Record<string, Reply> = {
  'nonce-too-low': rpcError(-32000, 'nonce too low: next nonce 7, tx nonce 3'),
  'insufficient-funds': rpcError(-32003, 'insufficient funds for gas * price + value'),
  underpriced: rpcError(-32000, 'replacement transaction underpriced'),
  'already-known': rpcError(-32000, 'already known'),
  'gateway-timeout-json': rpcError(-32603, 'upstream request timed out'),
  'error-in-502': rpcError(-32000, 'nonce too low', 502),
  reset: (res) => res.socket?.destroy(),
  '502': (res) => {
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<html>Bad Gateway</html>');
  },
  'non-json-200': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>maintenance</html>');
  },
  silence: () => {},
};

let url = '';
let server: ReturnType<typeof createServer>;

before(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const { id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: unknown };
      const reply = replies[(req.url ?? '/').slice(1)];
      if (reply) reply(res, id);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** What viem throws for a send answered by `path`, classified. */
async function classifyReply(path: string): Promise<{ verdict: SendErrorClass; error: unknown }> {
  const client = createPublicClient({ transport: http(`${url}/${path}`, { retryCount: 0, timeout: 300 }) });
  try {
    await client.sendRawTransaction({ serializedTransaction: '0x02f86c' });
  } catch (error) {
    return { verdict: classifySendError(error), error };
  }
  throw new Error(`${path}: the send did not fail`);
}

describe('classifySendError on what viem throws', () => {
  for (const path of ['nonce-too-low', 'insufficient-funds', 'underpriced']) {
    it(`a JSON-RPC refusal in a well-formed reply is a refusal (${path})`, async () => {
      const { verdict, error } = await classifyReply(path);
      assert.equal(verdict, 'refused', String(error));
    });
  }

  it('"already known" means the node holds the transaction', async () => {
    assert.equal((await classifyReply('already-known')).verdict, 'known');
  });

  const unknown: Array<[string, (error: unknown) => boolean]> = [
    ['reset', (e) => e instanceof HttpRequestError],
    ['502', (e) => e instanceof HttpRequestError],
    ['non-json-200', (e) => e instanceof HttpRequestError],
    ['error-in-502', (e) => e instanceof Error],
    ['gateway-timeout-json', (e) => e instanceof Error],
    ['silence', (e) => e instanceof TimeoutError],
  ];
  for (const [path, shape] of unknown) {
    it(`a reply that proves nothing is unknown (${path})`, async () => {
      const { verdict, error } = await classifyReply(path);
      assert.ok(shape(error), `${path} threw ${String(error)}`);
      assert.equal(verdict, 'unknown', String(error));
    });
  }

  it('errors that are not viem replies are unknown; a bare JSON-RPC error object is a refusal', () => {
    assert.equal(classifySendError(new Error('read ECONNRESET')), 'unknown');
    assert.equal(classifySendError('socket hang up'), 'unknown');
    const refusal = new RpcRequestError({ body: {}, url, error: { code: -32000, message: 'nonce too low' } });
    assert.equal(classifySendError(refusal), 'refused');
  });
});
