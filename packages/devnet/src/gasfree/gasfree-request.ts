import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Address } from 'viem';
import { readRequestBody } from '../read-request-body.js';
import { parseTronOrEvmAddress, tronAddressToBase58 } from '../tron/tron-address.js';
import type { GasFreeAuthConfig } from './gasfree-auth.js';
import { checkGasFreeAuth } from './gasfree-auth.js';
import { gasFreeJson, gasFreeTime } from './gasfree-json.js';
import type { GasFreeRelayer, GasFreeTransferRecord } from './gasfree-relayer.js';
import { isPending, toWireTransfer } from './gasfree-relayer.js';
import type {
  GasFreeChainView,
  GasFreeProviderConfig,
  GasFreeServiceToken,
  SubmitContext,
} from './gasfree-submit.js';
import { checkSubmit } from './gasfree-submit.js';
import type { GasFreeServiceReason, GasFreeWireAddressInfo } from './gasfree-wire.js';

/** Misbehaviour the local service can put on, to test how clients cope. Counted per trace. */
export interface GasFreeServiceFaults {
  /** The first `n` status polls of each trace answer HTTP 503 with a non-JSON body. */
  transientErrors?: number;
  /** After those, the next `n` status polls answer `{code: 200, data: null}`. */
  nullDataPolls?: number;
}

/** What the local GasFree service's request handling reads and updates (`faults` and `submitQueue` change). */
export interface GasFreeServiceState {
  readonly chainId: number;
  readonly basePath: string;
  readonly controller: Address;
  /** Provider addresses (hex, checksummed), in the order of the keys. */
  readonly providers: readonly Address[];
  readonly tokens: ReadonlyMap<Address, GasFreeServiceToken>;
  readonly providerConfig: GasFreeProviderConfig;
  readonly chainView: GasFreeChainView;
  readonly records: Map<string, GasFreeTransferRecord>;
  readonly relayer: GasFreeRelayer;
  readonly auth: GasFreeAuthConfig | undefined;
  readonly startedAt: number;
  readonly log?: (line: string) => void;
  faults: GasFreeServiceFaults;
  /** Submits are checked one at a time, so two racing submits cannot both take the same nonce. */
  submitQueue: Promise<unknown>;
}

type Answer = { status: number; body: unknown } | { status: number; text: string };

const BODY_LIMIT = 64 * 1024;

/**
 * Answers one HTTP request of the local GasFree service: the endpoint's envelope, or a 404/500 envelope.
 *
 * @example
 * ```ts
 * const server = createServer((request, response) => void handleGasFreeRequest(state, request, response));
 * ```
 */
export async function handleGasFreeRequest(
  state: GasFreeServiceState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { basePath } = state;
  let answer: Answer;
  try {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = (request.method ?? 'GET').toUpperCase();
    const inBase = basePath === '' || url.pathname === basePath || url.pathname.startsWith(`${basePath}/`);
    answer = inBase
      ? await route(state, method, url.pathname.slice(basePath.length), request)
      : fail(404, 'NotFoundException', `no endpoint ${url.pathname}`);
  } catch (error) {
    state.log?.(`gasfree: internal error ${error instanceof Error ? error.message : String(error)}`);
    answer = fail(500, 'InternalServerException', error instanceof Error ? error.message : 'internal error');
  }
  if (response.headersSent) return;
  if ('text' in answer) {
    response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.text);
  } else {
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(gasFreeJson(answer.body));
  }
}

async function route(
  state: GasFreeServiceState,
  method: string,
  path: string,
  request: IncomingMessage,
): Promise<Answer> {
  if (state.auth) {
    const refusal = checkGasFreeAuth(state.auth, {
      method,
      path: state.basePath + path,
      timestamp: request.headers.timestamp,
      authorization: request.headers.authorization,
    });
    if (refusal) return fail(401, 'UnauthorizedException', refusal);
  }
  const address = /^\/api\/v1\/address\/([^/]+)$/.exec(path);
  if (method === 'GET' && address?.[1]) return addressInfo(state, address[1]);
  if (method === 'GET' && path === '/api/v1/config/token/all') return tokenList(state);
  if (method === 'GET' && path === '/api/v1/config/provider/all') return providerList(state);
  if (method === 'POST' && path === '/api/v1/gasfree/submit') {
    const body = await readJson(request);
    if (body === invalidJson)
      return fail(400, 'ValidationException', 'body is not JSON (or larger than 64 KiB)');
    const answer = state.submitQueue.then(() => submit(state, body));
    state.submitQueue = answer.catch(() => undefined);
    return answer;
  }
  const trace = /^\/api\/v1\/gasfree\/([^/]+)$/.exec(path);
  if (method === 'GET' && trace?.[1]) return status(state, trace[1]);
  return fail(404, 'NotFoundException', `no endpoint ${method} ${state.basePath}${path}`);
}

async function addressInfo(state: GasFreeServiceState, raw: string): Promise<Answer> {
  const { chainView, tokens } = state;
  const user = parseTronOrEvmAddress(decodeURIComponent(raw));
  if (!user) return fail(400, 'GasFreeAddressNotFoundException', raw);
  const pending = [...state.records.values()].filter((r) => isPending(r) && r.user === user);
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
    allowSubmit: pending.length < state.providerConfig.maxPendingTransfer,
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

function tokenList(state: GasFreeServiceState): Answer {
  const created = gasFreeTime(state.startedAt);
  return ok({
    tokens: [...state.tokens.values()].map((t) => ({
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

function providerList(state: GasFreeServiceState): Answer {
  return ok({
    providers: state.providers.map((address, i) => ({
      address: tronAddressToBase58(address),
      name: `x402kit-local-provider-${i + 1}`,
      icon: '',
      website: '',
      config: state.providerConfig,
    })),
  });
}

async function submit(state: GasFreeServiceState, body: unknown): Promise<Answer> {
  const context: SubmitContext = {
    chainId: state.chainId,
    controller: state.controller,
    tokens: state.tokens,
    providers: new Set(state.providers),
    providerConfig: state.providerConfig,
    chain: state.chainView,
    records: state.records.values(),
    nowSeconds: Math.floor(Date.now() / 1000),
  };
  const result = await checkSubmit(body, context);
  if ('refusal' in result) return fail(result.refusal.code, result.refusal.reason, result.refusal.message);
  const { record } = result;
  state.records.set(record.id, record);
  state.log?.(`gasfree: accepted ${record.id} nonce ${record.nonce} of ${record.user}`);
  state.relayer.relay(record);
  return ok(toWireTransfer(record));
}

function status(state: GasFreeServiceState, traceId: string): Answer {
  const record = state.records.get(decodeURIComponent(traceId));
  if (!record) return fail(400, 'TransferNotFoundException', `no transfer with id ${traceId}`);
  const poll = record.polls++;
  const { faults } = state;
  const transient = faults.transientErrors ?? 0;
  if (poll < transient) return { status: 503, text: 'Service Temporarily Unavailable' };
  if (poll < transient + (faults.nullDataPolls ?? 0)) return ok(null);
  return ok(toWireTransfer(record));
}

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
