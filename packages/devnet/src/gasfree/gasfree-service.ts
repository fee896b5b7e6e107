import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Address, Hex } from 'viem';
import { createPublicClient, createWalletClient, erc20Abi, getAddress, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { devnetChain } from '../devnet-chain.js';
import { DevnetOptionsError } from '../errors.js';
import { gasFreeControllerArtifact } from '../generated/contracts.js';
import { listenLocal } from '../local-http-server.js';
import { readRequestBody } from '../read-request-body.js';
import { parseTronOrEvmAddress, tronAddressToBase58 } from '../tron/tron-address.js';
import { checkGasFreeAuth } from './gasfree-auth.js';
import { gasFreeAccountAddress } from './gasfree-controller.js';
import { checkGasFreeControllerSetup } from './gasfree-controller-check.js';
import { gasFreeJson, gasFreeTime } from './gasfree-json.js';
import type { GasFreeTransferRecord } from './gasfree-relayer.js';
import { createGasFreeRelayer, isPending, toWireTransfer } from './gasfree-relayer.js';
import type {
  GasFreeChainView,
  GasFreeProviderConfig,
  GasFreeServiceToken,
  SubmitContext,
} from './gasfree-submit.js';
import { checkSubmit } from './gasfree-submit.js';
import type { GasFreeServiceReason, GasFreeWireAddressInfo } from './gasfree-wire.js';

// The records getTransfer answers and the tokens and limits the options take are this service's public types.
export type { GasFreeTransferRecord } from './gasfree-relayer.js';
export type { GasFreeProviderConfig, GasFreeServiceToken } from './gasfree-submit.js';

/** Misbehaviour the local service can put on, to test how clients cope. Counted per trace. */
export interface GasFreeServiceFaults {
  /** The first `n` status polls of each trace answer HTTP 503 with a non-JSON body. */
  transientErrors?: number;
  /** After those, the next `n` status polls answer `{code: 200, data: null}`. */
  nullDataPolls?: number;
}

/** Options of {@link startGasFreeService}. */
export interface StartGasFreeServiceOptions {
  /** JSON-RPC URL of the chain the controller is on. */
  rpcUrl: string;
  chainId: number;
  /** Address of a GasFreeController (see `placeGasFreeController`) with these providers and tokens registered. */
  controller: Address;
  /** Private keys of the service providers (each must be registered on the controller and hold gas). */
  providerKeys: readonly Hex[];
  tokens: readonly GasFreeServiceToken[];
  /** Path prefix of every endpoint; default `/nile` (as `https://open-test.gasfree.io/nile`); `''` for none. */
  basePath?: string;
  /** With `apiSecret`: require GasFree's `Timestamp` + `Authorization: ApiKey …` headers. */
  apiKey?: string;
  apiSecret?: string;
  /** Allowed distance (s) of the `Timestamp` header from now; default 60. */
  authMaxSkewSeconds?: number;
  /** Provider limits; defaults: min 60 s, max 3600 s, default 180 s, 1 pending transfer per user. */
  providerConfig?: Partial<GasFreeProviderConfig>;
  faults?: GasFreeServiceFaults;
  /** Milliseconds an accepted transfer waits before it is sent (default 0) and stays ON_CHAIN (default 50). */
  timing?: { relayDelayMs?: number; solidifyDelayMs?: number };
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  log?: (line: string) => void;
}

/** A running local GasFree service. */
export interface GasFreeService {
  /** `http://127.0.0.1:<port><basePath>`: what GasFree clients take as their base URL. */
  readonly baseUrl: string;
  readonly port: number;
  readonly basePath: string;
  /** Provider addresses (hex, checksummed). */
  readonly providers: readonly Address[];
  /** The transfer with this trace id, as the service holds it (for tests). */
  getTransfer(traceId: string): GasFreeTransferRecord | undefined;
  /** Replaces the fault modes; counts already made per trace stay. */
  setFaults(faults: GasFreeServiceFaults): void;
  /** Resolves once every accepted transfer has reached SUCCEED or FAILED. */
  idle(): Promise<void>;
  /** Stops listening, after the transfers in flight have finished. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_PROVIDER_CONFIG: GasFreeProviderConfig = {
  minDeadlineDuration: 60,
  maxDeadlineDuration: 3600,
  defaultDeadlineDuration: 180,
  maxPendingTransfer: 1,
};
const BODY_LIMIT = 64 * 1024;

/**
 * Starts a local GasFree provider API on 127.0.0.1 that speaks the GasFree wire format (envelope
 * `{code, reason, message, data}`, Base58 addresses) and relays accepted transfers through our
 * GasFreeController as the provider: GET `/api/v1/address/{user}`, `/api/v1/config/token/all`,
 * `/api/v1/config/provider/all`, `/api/v1/gasfree/{traceId}`, POST `/api/v1/gasfree/submit`.
 *
 * @example
 * ```ts
 * const service = await startGasFreeService({
 *   rpcUrl: anvil.rpcUrl, chainId: 3448148188, controller, providerKeys: [devnetAccount(7).privateKey],
 *   tokens: [{ address: usdt, symbol: 'USDT', decimals: 6, activateFee: 1_000_000n, transferFee: 100_000n }],
 * });
 * const info = await fetch(`${service.baseUrl}/api/v1/address/${tronUser}`).then((r) => r.json());
 * await service.stop();
 * ```
 */
export async function startGasFreeService(options: StartGasFreeServiceOptions): Promise<GasFreeService> {
  const basePath = options.basePath ?? '/nile';
  if (basePath !== '' && !/^\/[A-Za-z0-9._~/-]*[^/]$/.test(basePath)) {
    throw new DevnetOptionsError(
      'basePath',
      `must be '' or start with / and not end with / (got ${basePath})`,
    );
  }
  if ((options.apiKey === undefined) !== (options.apiSecret === undefined)) {
    throw new DevnetOptionsError('apiKey', 'and apiSecret must be given together');
  }
  if (options.providerKeys.length === 0) throw new DevnetOptionsError('providerKeys', 'must not be empty');
  const providerConfig = { ...DEFAULT_PROVIDER_CONFIG, ...options.providerConfig };
  const chain = devnetChain({ chainId: options.chainId, rpcUrl: options.rpcUrl });
  const transport = http(options.rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 25 });
  const controller = getAddress(options.controller);
  const wallets = new Map(
    options.providerKeys.map((key) => {
      const account = privateKeyToAccount(key);
      return [account.address, createWalletClient({ chain, transport, account })] as const;
    }),
  );
  const tokens = new Map(
    options.tokens.map((t) => [getAddress(t.address), { ...t, address: getAddress(t.address) }]),
  );
  await checkGasFreeControllerSetup(publicClient, controller, [...wallets.keys()], [...tokens.values()]);

  const abi = gasFreeControllerArtifact.abi;
  const chainView: GasFreeChainView = {
    nonceOf: (user) =>
      publicClient.readContract({ address: controller, abi, functionName: 'nonces', args: [user] }),
    isActive: (user) =>
      publicClient.readContract({ address: controller, abi, functionName: 'isActive', args: [user] }),
    balanceOf: (token, holder) =>
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [holder] }),
    gasFreeAddressOf: (user) => gasFreeAccountAddress({ controller, user }),
  };
  const records = new Map<string, GasFreeTransferRecord>();
  const relayer = createGasFreeRelayer({
    publicClient,
    wallets,
    controller,
    relayDelayMs: options.timing?.relayDelayMs ?? 0,
    solidifyDelayMs: options.timing?.solidifyDelayMs ?? 50,
    log: options.log,
  });
  let faults: GasFreeServiceFaults = { ...options.faults };
  const auth =
    options.apiKey !== undefined && options.apiSecret !== undefined
      ? {
          apiKey: options.apiKey,
          apiSecret: options.apiSecret,
          maxSkewSeconds: options.authMaxSkewSeconds ?? 60,
        }
      : undefined;
  // Submits are checked one at a time, so two racing submits cannot both take the same nonce.
  let submitQueue: Promise<unknown> = Promise.resolve();

  async function addressInfo(raw: string): Promise<Answer> {
    const user = parseTronOrEvmAddress(decodeURIComponent(raw));
    if (!user) return fail(400, 'GasFreeAddressNotFoundException', raw);
    const pending = [...records.values()].filter((r) => isPending(r) && r.user === user);
    const gasFreeAddress = chainView.gasFreeAddressOf(user);
    const [nonce, active, balances] = await Promise.all([
      chainView.nonceOf(user),
      chainView.isActive(user),
      Promise.all([...tokens.values()].map((t) => chainView.balanceOf(t.address, gasFreeAddress))),
    ]);
    // Pending transfers whose nonce the chain has not used yet still hold a nonce and their amounts.
    const unexecuted = pending.filter((r) => r.nonce >= nonce);
    const nextNonce = unexecuted.reduce((next, r) => (r.nonce + 1n > next ? r.nonce + 1n : next), nonce);
    const data: GasFreeWireAddressInfo = {
      accountAddress: tronAddressToBase58(user),
      gasFreeAddress: tronAddressToBase58(gasFreeAddress),
      active,
      nonce: Number(nextNonce),
      allowSubmit: pending.length < providerConfig.maxPendingTransfer,
      assets: [...tokens.values()].map((t, i) => ({
        tokenAddress: tronAddressToBase58(t.address),
        tokenSymbol: t.symbol,
        activateFee: t.activateFee,
        transferFee: t.transferFee,
        decimal: t.decimals,
        frozen: unexecuted
          .filter((r) => r.token === t.address)
          .reduce((sum, r) => sum + r.value + r.activateFee + r.transferFee, 0n),
        balance: balances[i] ?? 0n,
      })),
    };
    return ok(data);
  }

  function tokenList(): Answer {
    const created = gasFreeTime(startedAt);
    return ok({
      tokens: [...tokens.values()].map((t) => ({
        tokenAddress: tronAddressToBase58(t.address),
        createdAt: created,
        updatedAt: created,
        activateFee: t.activateFee,
        transferFee: t.transferFee,
        supported: true,
        symbol: t.symbol,
        decimal: t.decimals,
      })),
    });
  }

  function providerList(): Answer {
    return ok({
      providers: [...wallets.keys()].map((address, i) => ({
        address: tronAddressToBase58(address),
        name: `x402kit-local-provider-${i + 1}`,
        icon: '',
        website: '',
        config: providerConfig,
      })),
    });
  }

  async function submit(body: unknown): Promise<Answer> {
    const context: SubmitContext = {
      chainId: options.chainId,
      controller,
      tokens,
      providers: new Set(wallets.keys()),
      providerConfig,
      chain: chainView,
      records: records.values(),
      nowSeconds: Math.floor(Date.now() / 1000),
    };
    const result = await checkSubmit(body, context);
    if ('refusal' in result) return fail(result.refusal.code, result.refusal.reason, result.refusal.message);
    const { record } = result;
    records.set(record.id, record);
    options.log?.(`gasfree: accepted ${record.id} nonce ${record.nonce} of ${record.user}`);
    relayer.relay(record);
    return ok(toWireTransfer(record));
  }

  function status(traceId: string): Answer {
    const record = records.get(decodeURIComponent(traceId));
    if (!record) return fail(400, 'TransferNotFoundException', `no transfer with id ${traceId}`);
    const poll = record.polls++;
    const transient = faults.transientErrors ?? 0;
    if (poll < transient) return { status: 503, text: 'Service Temporarily Unavailable' };
    if (poll < transient + (faults.nullDataPolls ?? 0)) return ok(null);
    return ok(toWireTransfer(record));
  }

  async function route(method: string, path: string, request: IncomingMessage): Promise<Answer> {
    if (auth) {
      const refusal = checkGasFreeAuth(auth, {
        method,
        path: basePath + path,
        timestamp: request.headers.timestamp,
        authorization: request.headers.authorization,
      });
      if (refusal) return fail(401, 'UnauthorizedException', refusal);
    }
    const address = /^\/api\/v1\/address\/([^/]+)$/.exec(path);
    if (method === 'GET' && address?.[1]) return addressInfo(address[1]);
    if (method === 'GET' && path === '/api/v1/config/token/all') return tokenList();
    if (method === 'GET' && path === '/api/v1/config/provider/all') return providerList();
    if (method === 'POST' && path === '/api/v1/gasfree/submit') {
      const body = await readJson(request);
      if (body === invalidJson)
        return fail(400, 'ValidationException', 'body is not JSON (or larger than 64 KiB)');
      const answer = submitQueue.then(() => submit(body));
      submitQueue = answer.catch(() => undefined);
      return answer;
    }
    const trace = /^\/api\/v1\/gasfree\/([^/]+)$/.exec(path);
    if (method === 'GET' && trace?.[1]) return status(trace[1]);
    return fail(404, 'NotFoundException', `no endpoint ${method} ${basePath}${path}`);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let answer: Answer;
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const method = (request.method ?? 'GET').toUpperCase();
      const inBase = basePath === '' || url.pathname === basePath || url.pathname.startsWith(`${basePath}/`);
      answer = inBase
        ? await route(method, url.pathname.slice(basePath.length), request)
        : fail(404, 'NotFoundException', `no endpoint ${url.pathname}`);
    } catch (error) {
      options.log?.(`gasfree: internal error ${error instanceof Error ? error.message : String(error)}`);
      answer = fail(
        500,
        'InternalServerException',
        error instanceof Error ? error.message : 'internal error',
      );
    }
    if (response.headersSent) return;
    if ('text' in answer) {
      response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.text);
    } else {
      response.writeHead(answer.status, { 'content-type': 'application/json' }).end(gasFreeJson(answer.body));
    }
  }

  const startedAt = Date.now();
  const server = createServer((request, response) => {
    void handle(request, response);
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  const local = await listenLocal(server, options.port);
  const { port } = local;
  const baseUrl = `${local.url}${basePath}`;
  options.log?.(`gasfree: service at ${baseUrl} (controller ${controller}, ${wallets.size} provider(s))`);
  let stopping: Promise<void> | undefined;
  return {
    baseUrl,
    port,
    basePath,
    providers: [...wallets.keys()],
    getTransfer: (traceId) => records.get(traceId),
    setFaults: (next) => {
      faults = { ...next };
    },
    idle: () => relayer.idle(),
    stop() {
      stopping ??= (async () => {
        await relayer.idle();
        await local.close();
        options.log?.('gasfree: service stopped');
      })();
      return stopping;
    },
  };
}

type Answer = { status: number; body: unknown } | { status: number; text: string };

function ok(data: unknown): Answer {
  return { status: 200, body: { code: 200, reason: null, message: null, data } };
}

/** Business errors answer HTTP 200 with the code in the envelope, as GasFree does; 401/404/5xx use the status too. */
function fail(code: number, reason: GasFreeServiceReason, message: string): Answer {
  const status = code === 400 ? 200 : code;
  return { status, body: { code, reason, message, data: null } };
}

const invalidJson = Symbol('invalid JSON');

async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = await readRequestBody(request, BODY_LIMIT);
  if (text === undefined) return invalidJson;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return invalidJson;
  }
}
