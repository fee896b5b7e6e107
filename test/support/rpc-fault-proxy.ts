/**
 * A real HTTP JSON-RPC proxy in front of a node (anvil), for fault-injection tests: per method it
 * can delay answers, drop requests (never forwarded, never answered), or lose answers (the request
 * reaches the node, which acts on it, but its answer never comes back: the "was my transaction
 * sent?" ambiguity). Everything else is forwarded untouched. Batches are faulted when any of their
 * methods is.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What happens to requests for one method. */
export type RpcFault =
  /** Forward, then answer `ms` later. */
  | { kind: 'delay'; ms: number }
  /** Neither forward nor answer; the connection stays open until the client gives up. */
  | { kind: 'drop' }
  /** Forward (the node acts on it) and never answer. */
  | { kind: 'lose-answer' };

export type RpcFaultProxy = {
  /** The proxy's URL, to give the facilitator as its RPC. */
  readonly url: string;
  /** Set (or clear, with `undefined`) the fault of a method. */
  setFault(method: string, fault: RpcFault | undefined): void;
  /** Clear every fault: the RPC heals. */
  heal(): void;
  /** Requests seen per method, and how many of them were faulted. */
  readonly seen: ReadonlyMap<string, { total: number; faulted: number }>;
  close(): Promise<void>;
};

/**
 * Start a proxy on 127.0.0.1 in front of `target`.
 *
 * @example
 * const proxy = await startRpcFaultProxy({ target: devnet.rpcUrl })
 * proxy.setFault('eth_getTransactionReceipt', { kind: 'delay', ms: 5000 })
 * createEvmFacilitator({ rpc: { [devnet.network]: proxy.url }, privateKeys: [key] })
 */
export async function startRpcFaultProxy(options: { target: string }): Promise<RpcFaultProxy> {
  const faults = new Map<string, RpcFault>();
  const seen = new Map<string, { total: number; faulted: number }>();
  const sockets = new Set<Socket>();

  async function forward(body: string): Promise<{ status: number; text: string }> {
    const response = await fetch(options.target, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, text: await response.text() };
  }

  function answer(res: ServerResponse, status: number, text: string): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const body = Buffer.concat(chunks).toString('utf8');
    const fault = faultOf(methodsOf(body));
    if (!fault) {
      const forwarded = await forward(body);
      answer(res, forwarded.status, forwarded.text);
      return;
    }
    if (fault.kind === 'drop') return; // held open: the client times out
    const forwarded = await forward(body);
    if (fault.kind === 'lose-answer') return; // the node acted; the answer is lost
    await new Promise((resolve) => setTimeout(resolve, fault.ms));
    answer(res, forwarded.status, forwarded.text);
  }

  function faultOf(methods: string[]): RpcFault | undefined {
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

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
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
