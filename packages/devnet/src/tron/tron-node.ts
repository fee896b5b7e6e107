import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { DevnetOptionsError } from '../errors.js';
import { type LocalHttpServer, listenLocal } from '../local-http-server.js';
import { readRequestBody } from '../read-request-body.js';
import { AnvilRpc } from './anvil-rpc.js';
import { tronAddressToHex } from './tron-address.js';
import { TronBlocks } from './tron-blocks.js';
import { broadcastTransaction } from './tron-broadcast.js';
import type { TronAbiEntry } from './tron-contract-abis.js';
import {
  getAccount,
  getAccountResource,
  getContract,
  getContractInfo,
  getTransactionById,
  getTransactionInfoById,
} from './tron-handlers-accounts.js';
import { estimateEnergy, triggerConstantContract, triggerSmartContract } from './tron-handlers-calls.js';
import {
  blockHandlers,
  getBandwidthPrices,
  getChainParameters,
  getEnergyPrices,
  getNodeInfo,
} from './tron-handlers-chain.js';
import { TronLedger } from './tron-ledger.js';
import { DEFAULT_ENERGY_PRICE_SUN } from './tron-nile.js';
import type {
  KnownTronContract,
  TronHandler,
  TronNodeContext,
  TronRequestBody,
} from './tron-node-context.js';
import { decodeSignedHex, TronRequestError } from './tron-transactions.js';

/** Options of {@link startTronNode}. */
export interface StartTronNodeOptions {
  /** JSON-RPC URL of the anvil that executes the transactions. */
  rpcUrl: string;
  /** The anvil's chain id (Nile: 3448148188). */
  chainId: number;
  /** TCP port on 127.0.0.1; `0` or absent picks a free one. */
  port?: number;
  /** True (default) when anvil mines a block per transaction; false with interval mining. */
  automine?: boolean;
  /** Blocks `/walletsolidity/*` lags behind the head (default 0). */
  solidityLag?: number;
  /** SUN per energy burned from the owner (default 100). */
  energyPrice?: bigint;
  /** Contracts whose ABI `/wallet/getcontract` reports (address in any TRON form). */
  contracts?: readonly { address: string; name: string; abi: readonly TronAbiEntry[] }[];
  /** One line per node event (start, accepted transactions, unknown paths). */
  log?: (line: string) => void;
}

/** A running local TRON node; its `url` is TronWeb's `fullHost`. */
export interface TronNode extends Pick<LocalHttpServer, 'url' | 'port'> {
  /** `METHOD /path` of every request to a path the node does not implement, in order. */
  readonly unknownPaths: readonly string[];
  /** Closes the HTTP server. Safe to call twice. */
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1_000_000;

function routes(): Map<string, TronHandler> {
  const table = new Map<string, TronHandler>();
  const add = (path: string, handler: TronHandler) => table.set(path, handler);
  add('/wallet/triggerconstantcontract', triggerConstantContract);
  add('/walletsolidity/triggerconstantcontract', triggerConstantContract);
  add('/wallet/triggersmartcontract', triggerSmartContract);
  add('/wallet/estimateenergy', estimateEnergy);
  add('/walletsolidity/estimateenergy', estimateEnergy);
  add('/wallet/broadcasttransaction', broadcastTransaction);
  add('/wallet/broadcasthex', async (ctx, body) => {
    const tx = decodeSignedHex(typeof body.transaction === 'string' ? body.transaction : '');
    const answer = await broadcastTransaction(ctx, { ...tx });
    return { ...answer, transaction: JSON.stringify(tx) };
  });
  for (const [prefix, solidified] of [
    ['/wallet/', false],
    ['/walletsolidity/', true],
  ] as const) {
    for (const [name, handler] of Object.entries(blockHandlers(solidified))) add(prefix + name, handler);
    add(`${prefix}getaccount`, getAccount(solidified));
    add(`${prefix}gettransactionbyid`, getTransactionById(solidified));
    add(`${prefix}gettransactioninfobyid`, getTransactionInfoById(solidified));
  }
  add('/wallet/getaccountresource', getAccountResource);
  add('/wallet/getaccountnet', getAccountResource);
  add('/wallet/getcontract', getContract);
  add('/wallet/getcontractinfo', getContractInfo);
  add('/wallet/getchainparameters', getChainParameters);
  add('/wallet/getenergyprices', getEnergyPrices);
  add('/wallet/getbandwidthprices', getBandwidthPrices);
  add('/wallet/getnodeinfo', getNodeInfo);
  return table;
}

async function readBody(request: IncomingMessage, url: URL): Promise<TronRequestBody> {
  const body: TronRequestBody = Object.fromEntries(url.searchParams.entries());
  if (request.method !== 'POST') return body;
  const text = (await readRequestBody(request, MAX_BODY_BYTES))?.trim();
  if (text === undefined) throw new TronRequestError('request body too large');
  if (text === '') return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TronRequestError('request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TronRequestError('request body must be a JSON object');
  }
  return { ...body, ...(parsed as TronRequestBody) };
}

function send(response: ServerResponse, status: number, payload: unknown): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/**
 * Starts a local TRON full node on 127.0.0.1 over an anvil: the part of java-tron's HTTP API that TronWeb
 * and BofAI's TronClientSigner use (`/wallet/*` and `/walletsolidity/*`). Transactions are built and hashed
 * with TronWeb's protobuf encoder, signatures are checked against the owner, and accepted transactions run
 * on anvil as the owner. Bad requests answer `{Error}`; unknown paths 404 and are logged.
 *
 * @example
 * ```ts
 * const node = await startTronNode({ rpcUrl: anvil.rpcUrl, chainId: 3448148188 });
 * const tronWeb = new TronWeb({ fullHost: node.url, privateKey });
 * await node.stop();
 * ```
 */
export async function startTronNode(options: StartTronNodeOptions): Promise<TronNode> {
  const solidityLag = options.solidityLag ?? 0;
  if (!Number.isInteger(solidityLag) || solidityLag < 0) {
    throw new DevnetOptionsError('solidityLag', `must be an integer >= 0 (got ${String(solidityLag)})`);
  }
  const energyPrice = options.energyPrice ?? DEFAULT_ENERGY_PRICE_SUN;
  if (typeof energyPrice !== 'bigint' || energyPrice <= 0n) {
    throw new DevnetOptionsError('energyPrice', 'must be a positive bigint number of SUN');
  }
  const rpc = new AnvilRpc(options.rpcUrl);
  const automine = options.automine ?? true;
  const contracts = new Map<string, KnownTronContract>();
  for (const c of options.contracts ?? []) {
    const address = tronAddressToHex(c.address);
    contracts.set(address, { address, name: c.name, abi: c.abi });
  }
  const ledger = new TronLedger(rpc);
  const context: TronNodeContext = {
    rpc,
    blocks: new TronBlocks(rpc, { automine, solidityLag }),
    ledger,
    chainId: options.chainId,
    energyPrice,
    contracts,
    automine,
    log: options.log,
  };
  const table = routes();
  const unknownPaths: string[] = [];

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/\/+$/, '').toLowerCase();
    const handler = table.get(path);
    if (!handler) {
      const line = `${request.method ?? 'GET'} ${url.pathname}`;
      unknownPaths.push(line);
      options.log?.(`tron node: UNKNOWN PATH ${line} (not implemented by the local node)`);
      request.resume();
      send(response, 404, { Error: `${url.pathname} is not implemented by the x402kit local TRON node` });
      return;
    }
    readBody(request, url)
      .then((body) => handler(context, body))
      .then((payload) => send(response, 200, payload))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (!(error instanceof TronRequestError)) options.log?.(`tron node: ${path} failed: ${message}`);
        send(response, 200, {
          Error: `${error instanceof TronRequestError ? 'IllegalArgumentException' : 'Exception'} : ${message}`,
        });
      });
  });
  const local = await listenLocal(server, options.port);
  options.log?.(`tron node: listening on ${local.url} over ${options.rpcUrl} (chain id ${options.chainId})`);
  return {
    url: local.url,
    port: local.port,
    unknownPaths,
    stop() {
      ledger.close();
      return local.close();
    },
  };
}
