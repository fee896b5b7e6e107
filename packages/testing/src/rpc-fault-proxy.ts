/**
 * A real HTTP proxy in front of a JSON-RPC node (anvil) or any HTTP API (a TRON node, the GasFree
 * API), for fault-injection tests. Faults are set per JSON-RPC method, or per URL path for requests
 * that are not JSON-RPC (`/wallet/broadcasttransaction`, `/nile/api/v1/gasfree/submit`). It can
 * delay answers, drop requests (never forwarded, never answered), or forward the request (the node
 * acts on it) and then lose the answer, reset the connection or answer 502: the "was my
 * transaction sent?" ambiguity; or cut the connection without forwarding. Everything else is forwarded untouched (method, path, headers and
 * body). Batches are faulted when any of their methods is.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What happens to requests for one method (or path). */
export type RpcFault =
  /** Forward, then answer `ms` later. */
  | { kind: 'delay'; ms: number }
  /** Neither forward nor answer; the connection stays open until the client gives up. */
  | { kind: 'drop' }
  /** Forward (the node acts on it) and never answer. */
  | { kind: 'lose-answer' }
  /** Forward (the node acts on it), then destroy the client's socket: ECONNRESET, "socket hang up". */
  | { kind: 'reset' }
  /** Forward (the node acts on it), then answer 502 with an HTML body, as a load balancer would. */
  | { kind: 'bad-gateway' }
  /** Never forward; reset the connection at once (the request provably never reached the node). */
  | { kind: 'cut' };

export type RpcFaultProxy = {
  /** The proxy's URL, to give the facilitator as its RPC. */
  readonly url: string;
  /** Set (or clear, with `undefined`) the fault of a JSON-RPC method or a URL path (`/wallet/broadcasttransaction`). */
  setFault(method: string, fault: RpcFault | undefined): void;
  /** Clear every fault: the RPC heals. */
  heal(): void;
  /** Requests seen per method (or path), and how many of them were faulted. */
  readonly seen: ReadonlyMap<string, { total: number; faulted: number }>;
  close(): Promise<void>;
};

/**
 * Start a proxy on 127.0.0.1 in front of `target` (requests keep their path: `target` is the base).
 *
 * @example
 * const proxy = await startRpcFaultProxy({ target: devnet.rpcUrl })
 * proxy.setFault('eth_getTransactionReceipt', { kind: 'delay', ms: 5000 })
 * createEvmFacilitator({ rpc: { [devnet.network]: proxy.url }, privateKeys: [key] })
 */
export async function startRpcFaultProxy(options: { target: string }): Promise<RpcFaultProxy> {
  const state: ProxyState = { target: options.target, faults: new Map(), seen: new Map() };
  const { faults, seen } = state;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    handle(state, req, res).catch((error: unknown) => {
      answer(res, 502, JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setFault(method, fault) {
      if (fault) faults.set(method, fault);
      else faults.delete(method);
    },
    heal() {
      faults.clear();
    },
    seen,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** What the proxy's handler shares with its controls: the target, the faults set and the counts. */
type ProxyState = {
  target: string;
  faults: Map<string, RpcFault>;
  seen: Map<string, { total: number; faulted: number }>;
};

/** Read the request, count it, then forward it or play its fault. */
async function handle(state: ProxyState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const body = Buffer.concat(chunks).toString('utf8');
  const methods = methodsOf(body);
  const fault = faultOf(
    state,
    methods.length > 0 ? methods : [new URL(req.url ?? '/', 'http://proxy').pathname],
  );
  if (!fault) {
    const forwarded = await forward(state.target, req, body);
    answer(res, forwarded.status, forwarded.text);
    return;
  }
  if (fault.kind === 'drop') return; // held open: the client times out
  if (fault.kind === 'cut') {
    req.socket.destroy(); // never forwarded
    return;
  }
  const forwarded = await forward(state.target, req, body);
  if (fault.kind === 'lose-answer') return; // the node acted; the answer is lost
  if (fault.kind === 'reset') {
    req.socket.destroy(); // the node acted; the connection drops before the answer
    return;
  }
  if (fault.kind === 'bad-gateway') {
    answer(res, 502, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html');
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, fault.ms));
  answer(res, forwarded.status, forwarded.text);
}

/** Count a request of `methods` in `seen`; the fault of the first faulted one, if any. */
function faultOf({ faults, seen }: ProxyState, methods: string[]): RpcFault | undefined {
  let found: RpcFault | undefined;
  for (const method of methods) {
    const fault = faults.get(method);
    const count = seen.get(method) ?? { total: 0, faulted: 0 };
    count.total++;
    if (fault) count.faulted++;
    seen.set(method, count);
    found ??= fault;
  }
  return found;
}

/** Pass the request on to `target` (same method, path, headers and body) and read the answer. */
async function forward(
  target: string,
  req: IncomingMessage,
  body: string,
): Promise<{ status: number; text: string }> {
  const method = req.method ?? 'POST';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && !HOP_HEADERS.has(name)) headers[name] = value;
  }
  const response = await fetch(new URL(req.url ?? '/', target), {
    method,
    headers,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
  });
  return { status: response.status, text: await response.text() };
}

function answer(res: ServerResponse, status: number, text: string, type = 'application/json'): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Connection-level headers a proxy does not pass on (fetch sets its own). */
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

function methodsOf(body: string): string[] {
  try {
    const parsed: unknown = JSON.parse(body);
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    return calls.flatMap((call: unknown) => {
      const method = typeof call === 'object' && call !== null ? Reflect.get(call, 'method') : undefined;
      return typeof method === 'string' ? [method] : [];
    });
  } catch {
    return [];
  }
}
