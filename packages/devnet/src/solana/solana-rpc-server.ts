import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { type LocalHttpServer, listenLocal } from '../local-http-server.js';
import { readRequestBody } from '../read-request-body.js';
import type { SolanaChain } from './solana-chain.js';
import { SolanaRpcError } from './solana-rpc-errors.js';
import type { SolanaRpcContext } from './solana-rpc-handlers.js';
import { SOLANA_RPC_HANDLERS } from './solana-rpc-handlers.js';

/** Options of {@link startSolanaRpcServer}. */
export interface StartSolanaRpcServerOptions {
  readonly chain: SolanaChain;
  /** Base58 genesis hash `getGenesisHash` answers (its first 32 characters are the CAIP-2 reference). */
  readonly genesisHash: string;
  /** TCP port on 127.0.0.1; `0` or absent picks a free one. */
  readonly port?: number;
  /** One line per server event (start, unknown methods, handler failures). */
  readonly log?: (line: string) => void;
}

/** A running local Solana JSON-RPC server; its `url` is the `rpcUrl` for `createSolanaRpc`. */
export interface SolanaRpcServer extends Pick<LocalHttpServer, 'url' | 'port'> {
  /** Every method asked for that the server does not implement, in order. */
  readonly unknownMethods: readonly string[];
  /** Closes the HTTP server. Safe to call twice. */
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 2_000_000;

type JsonRpcId = string | number | null;

/** JSON with bigints written as plain numbers, as Solana's RPC writes u64 values. */
function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `__u64__${v}__` : v)).replace(
    /"__u64__(\d+)__"/g,
    '$1',
  );
}

function errorObject(id: JsonRpcId, error: SolanaRpcError) {
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.data !== undefined) body.data = error.data;
  return { jsonrpc: '2.0', error: body, id };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const text = await readRequestBody(request, MAX_BODY_BYTES);
  if (text === undefined) throw new SolanaRpcError(-32600, 'Invalid Request: body too large');
  return text;
}

function send(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * Starts a Solana JSON-RPC 2.0 server on 127.0.0.1 in front of a {@link SolanaChain}: the methods `@solana/kit`
 * and `@x402/svm` call, in Solana's wire format. Unknown methods answer -32601 naming the method; bad params
 * answer -32602; nothing a client sends crashes it.
 *
 * @example
 * ```ts
 * const server = await startSolanaRpcServer({ chain: new SolanaChain(new LiteSVM()), genesisHash });
 * const rpc = createSolanaRpc(server.url);
 * ```
 */
export async function startSolanaRpcServer(options: StartSolanaRpcServerOptions): Promise<SolanaRpcServer> {
  const ctx: SolanaRpcContext = { chain: options.chain, genesisHash: options.genesisHash };
  const unknownMethods: string[] = [];

  const call = (request: unknown): object => {
    let id: JsonRpcId = null;
    try {
      if (typeof request !== 'object' || request === null || Array.isArray(request)) {
        throw new SolanaRpcError(-32600, 'Invalid Request');
      }
      const { jsonrpc, method, params } = request as Record<string, unknown>;
      const rawId = (request as Record<string, unknown>).id;
      if (typeof rawId === 'string' || typeof rawId === 'number') id = rawId;
      if (jsonrpc !== '2.0' || typeof method !== 'string')
        throw new SolanaRpcError(-32600, 'Invalid Request');
      const handler = Object.hasOwn(SOLANA_RPC_HANDLERS, method) ? SOLANA_RPC_HANDLERS[method] : undefined;
      if (!handler) {
        unknownMethods.push(method);
        options.log?.(`solana rpc: UNKNOWN METHOD ${method} (not implemented by the local RPC)`);
        throw new SolanaRpcError(
          -32601,
          `Method not found: ${method} is not served by the x402kit local Solana RPC`,
        );
      }
      if (params !== undefined && !Array.isArray(params)) {
        throw new SolanaRpcError(-32602, 'Invalid params: params must be an array');
      }
      return { jsonrpc: '2.0', result: handler(ctx, params ?? []), id };
    } catch (error) {
      if (error instanceof SolanaRpcError) return errorObject(id, error);
      const message = error instanceof Error ? error.message : String(error);
      options.log?.(`solana rpc: internal error: ${message}`);
      return errorObject(id, new SolanaRpcError(-32603, `Internal error: ${message}`));
    }
  };

  const server = createServer((request, response) => {
    if (request.method !== 'POST') {
      request.resume();
      send(
        response,
        405,
        stringify(errorObject(null, new SolanaRpcError(-32600, 'Invalid Request: use POST'))),
      );
      return;
    }
    readBody(request)
      .then((text) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return stringify(errorObject(null, new SolanaRpcError(-32700, 'Parse error')));
        }
        if (Array.isArray(parsed)) {
          if (parsed.length === 0)
            return stringify(errorObject(null, new SolanaRpcError(-32600, 'Invalid Request')));
          return stringify(parsed.map(call));
        }
        return stringify(call(parsed));
      })
      .then((text) => send(response, 200, text))
      .catch((error: unknown) => {
        const rpcError =
          error instanceof SolanaRpcError
            ? error
            : new SolanaRpcError(-32603, `Internal error: ${String(error)}`);
        send(response, 200, stringify(errorObject(null, rpcError)));
      });
  });
  const local = await listenLocal(server, options.port);
  options.log?.(`solana rpc: listening on ${local.url}`);
  return { url: local.url, port: local.port, unknownMethods, stop: () => local.close() };
}
