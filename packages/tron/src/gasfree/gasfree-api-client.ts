import { createHmac } from 'node:crypto';
import { toEvmHex, toTronAddress } from '../address.js';
import type {
  GasFreeAddressInfo,
  GasFreeProvider,
  GasFreeToken,
  GasFreeTransfer,
} from './gasfree-api-types.js';
import {
  isObject,
  parseAddressInfo,
  parseJsonExact,
  parseProviders,
  parseTokens,
  parseTransfer,
} from './gasfree-api-types.js';
import { GasFreeError, GasFreeReasons } from './gasfree-error.js';
import type { GasFreePermitInput } from './typed-data.js';
import { gasFreePermitMessage } from './typed-data.js';

/** Options of {@link createGasFreeApiClient}. */
export interface GasFreeApiClientOptions {
  /** API base including the network prefix: `https://open-test.gasfree.io/nile`, `https://facilitator.bankofai.io/nile`. */
  baseUrl: string;
  /** With `apiSecret`: sign every request (official API). Leave both out for unauthenticated proxies. */
  apiKey?: string;
  apiSecret?: string;
  /** Per-request timeout; default 30000 ms. */
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Address form of the submit body: `base58` (default, as GasFree documents) or `hex`. */
  submitAddressFormat?: 'base58' | 'hex';
}

/** Options of {@link GasFreeApiClient.waitForTransfer}. */
export interface WaitForTransferOptions {
  /** Default 120000 ms. */
  timeoutMs?: number;
  /** Default 5000 ms. */
  pollMs?: number;
  /** Consecutive failed polls tolerated before giving up (default 3); `data: null` answers are not failures. */
  maxConsecutiveErrors?: number;
  /** Called after every poll with what it returned (`null` for `data: null`) or the error. */
  onPoll?: (status: GasFreeTransfer | null, error?: GasFreeError) => void;
}

/** A GasFree provider API client. */
export interface GasFreeApiClient {
  readonly baseUrl: string;
  /** The user's GasFree account: address, activation, nonce, per-token fees. `user` in any TRON form. */
  getAddressInfo(user: string): Promise<GasFreeAddressInfo>;
  getProviders(): Promise<GasFreeProvider[]>;
  getTokens(): Promise<GasFreeToken[]>;
  /** Submits a signed permit; returns the accepted transfer (its `id` is the trace id). */
  submit(permit: GasFreePermitInput, signature: string): Promise<GasFreeTransfer>;
  /** The transfer's status, or `null` when the API has none yet (`data: null`). */
  getStatus(traceId: string): Promise<GasFreeTransfer | null>;
  /**
   * Polls until the transfer succeeds (state SUCCEED, or a txnHash with txnState ON_CHAIN/SOLIDITY) and returns
   * it; throws `gasfree_transfer_failed` (FAILED/ON_CHAIN_FAILED), `gasfree_timeout`, or the last error after too
   * many consecutive failed polls. Errors carry the last status seen (`details.lastStatus`, with any txnHash).
   */
  waitForTransfer(traceId: string, options?: WaitForTransferOptions): Promise<GasFreeTransfer>;
}

/**
 * Creates a client for the GasFree provider API (official API with HMAC `ApiKey` auth, or an unauthenticated
 * proxy such as BofAI's `https://facilitator.bankofai.io/nile`).
 *
 * @example
 * ```ts
 * const gasfree = createGasFreeApiClient({ baseUrl: 'https://open-test.gasfree.io/nile', apiKey, apiSecret });
 * const info = await gasfree.getAddressInfo('TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz');
 * const { id } = await gasfree.submit(permit, signature);
 * const done = await gasfree.waitForTransfer(id);
 * console.log(done.txnHash);
 * ```
 */
export function createGasFreeApiClient(options: GasFreeApiClientOptions): GasFreeApiClient {
  const api = readGasFreeApi(options);
  const client: GasFreeApiClient = {
    baseUrl: api.baseUrl,
    async getAddressInfo(user) {
      const tron = toTronAddress(user);
      return parseAddressInfo(await callData(api, 'GET', `/api/v1/address/${tron}`));
    },
    async getProviders() {
      return parseProviders(await callData(api, 'GET', '/api/v1/config/provider/all'));
    },
    async getTokens() {
      return parseTokens(await callData(api, 'GET', '/api/v1/config/token/all'));
    },
    submit: (permit, signature) => submit(api, permit, signature),
    getStatus: (traceId) => getStatus(api, traceId),
    waitForTransfer: (traceId, waitOptions = {}) => waitForTransfer(client, traceId, waitOptions),
  };
  return client;
}

/** What every request needs: the options (read at each request, as before) and what is derived from them once. */
type GasFreeApi = {
  options: GasFreeApiClientOptions;
  baseUrl: string;
  basePath: string;
  timeoutMs: number;
  doFetch: typeof globalThis.fetch;
};

function readGasFreeApi(options: GasFreeApiClientOptions): GasFreeApi {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch (error) {
    throw new GasFreeError(
      GasFreeReasons.invalidOptions,
      `baseUrl is not a URL: ${options.baseUrl}`,
      {},
      error,
    );
  }
  if ((options.apiKey === undefined) !== (options.apiSecret === undefined)) {
    throw new GasFreeError(GasFreeReasons.invalidOptions, 'apiKey and apiSecret must be given together');
  }
  return {
    options,
    baseUrl: `${base.origin}${base.pathname.replace(/\/+$/, '')}`,
    basePath: base.pathname.replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs ?? 30_000,
    doFetch: options.fetch ?? globalThis.fetch,
  };
}

function authHeaders(api: GasFreeApi, method: string, path: string): Record<string, string> {
  const { apiKey, apiSecret } = api.options;
  if (apiKey === undefined || apiSecret === undefined) return {};
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', apiSecret)
    .update(`${method}${api.basePath}${path}${timestamp}`)
    .digest('base64');
  return { Timestamp: String(timestamp), Authorization: `ApiKey ${apiKey}:${signature}` };
}

/** One call; returns the envelope's `data` (possibly null). */
async function call(api: GasFreeApi, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const response = await send(api, method, path, body);
  return readEnvelopeData(method, path, response);
}

/** The request on the wire; a connection failure or timeout is a transient `GasFreeError`. */
async function send(api: GasFreeApi, method: 'GET' | 'POST', path: string, body: unknown): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(api, method, path) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await api.doFetch(`${api.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(api.timeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new GasFreeError(
      timedOut ? GasFreeReasons.timeout : GasFreeReasons.httpError,
      timedOut
        ? `GasFree ${method} ${path} timed out after ${api.timeoutMs} ms`
        : `GasFree ${method} ${path} failed: ${String(error)}`,
      { transient: true },
      error,
    );
  }
}

/** The `data` of a GasFree envelope `{ code: 200, data }` (null when absent); any other answer throws. */
async function readEnvelopeData(method: 'GET' | 'POST', path: string, response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  let envelope: unknown;
  try {
    envelope = parseJsonExact(text);
  } catch {
    envelope = undefined;
  }
  const apiReason = isObject(envelope) && typeof envelope.reason === 'string' ? envelope.reason : undefined;
  const apiMessage =
    isObject(envelope) && typeof envelope.message === 'string' ? envelope.message : undefined;
  if (!response.ok) {
    throw new GasFreeError(
      GasFreeReasons.httpError,
      `GasFree ${method} ${path}: HTTP ${response.status}${apiReason ? ` ${apiReason}` : ''}${apiMessage ? `: ${apiMessage}` : ''}`,
      { status: response.status, apiReason, transient: response.status >= 500 || response.status === 429 },
    );
  }
  if (!isObject(envelope) || typeof envelope.code !== 'number') {
    throw new GasFreeError(GasFreeReasons.badResponse, `GasFree ${method} ${path}: not a GasFree envelope`, {
      status: response.status,
      transient: true,
    });
  }
  if (envelope.code !== 200) {
    throw new GasFreeError(
      GasFreeReasons.apiError,
      `GasFree ${method} ${path}: ${apiReason ?? `code ${envelope.code}`}${apiMessage ? `: ${apiMessage}` : ''}`,
      { status: response.status, apiReason, code: envelope.code, transient: envelope.code >= 500 },
    );
  }
  return envelope.data ?? null;
}

async function callData(
  api: GasFreeApi,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const data = await call(api, method, path, body);
  if (data === null)
    throw new GasFreeError(GasFreeReasons.nullData, `GasFree ${method} ${path} returned data: null`);
  if (!isObject(data))
    throw new GasFreeError(GasFreeReasons.badResponse, `GasFree ${method} ${path}: data is not an object`);
  return data;
}

async function submit(
  api: GasFreeApi,
  permit: GasFreePermitInput,
  signature: string,
): Promise<GasFreeTransfer> {
  const message = gasFreePermitMessage(permit);
  const sig = signature.startsWith('0x') ? signature.slice(2) : signature;
  if (!/^[0-9a-fA-F]{130}$/.test(sig)) {
    throw new GasFreeError(GasFreeReasons.invalidPermit, 'signature must be 65 bytes of hex (r || s || v)');
  }
  const form =
    api.options.submitAddressFormat === 'hex' ? (a: string) => toEvmHex(a) : (a: string) => toTronAddress(a);
  const body = {
    token: form(message.token),
    serviceProvider: form(message.serviceProvider),
    user: form(message.user),
    receiver: form(message.receiver),
    value: message.value.toString(),
    maxFee: message.maxFee.toString(),
    deadline: Number(message.deadline),
    version: Number(message.version),
    nonce: Number(message.nonce),
    sig,
    requestId: `x402-${Date.now()}-${sig.slice(0, 8)}`,
  };
  return parseTransfer(await callData(api, 'POST', '/api/v1/gasfree/submit', body));
}

async function getStatus(api: GasFreeApi, traceId: string): Promise<GasFreeTransfer | null> {
  const data = await call(api, 'GET', `/api/v1/gasfree/${encodeURIComponent(traceId)}`);
  if (data === null) return null;
  if (!isObject(data))
    throw new GasFreeError(GasFreeReasons.badResponse, 'GasFree status: data is not an object');
  return parseTransfer(data);
}

/** True when the transfer has landed: SUCCEED, or a txnHash with txnState ON_CHAIN or SOLIDITY. */
export function isGasFreeTransferSuccessful(transfer: GasFreeTransfer): boolean {
  return (
    transfer.state === 'SUCCEED' ||
    (transfer.txnHash !== undefined && (transfer.txnState === 'ON_CHAIN' || transfer.txnState === 'SOLIDITY'))
  );
}

/** True when the transfer has failed for good: FAILED or ON_CHAIN_FAILED. */
export function isGasFreeTransferFailed(transfer: GasFreeTransfer): boolean {
  return transfer.state === 'FAILED' || transfer.txnState === 'ON_CHAIN_FAILED';
}

async function waitForTransfer(
  client: GasFreeApiClient,
  traceId: string,
  options: WaitForTransferOptions,
): Promise<GasFreeTransfer> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const pollMs = options.pollMs ?? 5_000;
  const maxErrors = options.maxConsecutiveErrors ?? 3;
  const deadline = Date.now() + timeoutMs;
  let lastStatus: GasFreeTransfer | undefined;
  let errors = 0;
  let lastError: GasFreeError | undefined;
  for (;;) {
    try {
      const status = await client.getStatus(traceId);
      errors = 0;
      options.onPoll?.(status);
      if (status !== null) {
        lastStatus = status;
        if (isGasFreeTransferSuccessful(status)) return status;
        if (isGasFreeTransferFailed(status)) {
          throw new GasFreeError(
            GasFreeReasons.transferFailed,
            `GasFree transfer ${traceId} failed (${status.state}/${status.txnState ?? '-'}): ${status.reason ?? 'no reason given'}`,
            { traceId, lastStatus: status },
          );
        }
      }
    } catch (error) {
      if (error instanceof GasFreeError && error.reason === GasFreeReasons.transferFailed) throw error;
      errors++;
      lastError =
        error instanceof GasFreeError
          ? error
          : new GasFreeError(GasFreeReasons.httpError, String(error), { transient: true }, error);
      options.onPoll?.(null, lastError);
      if (errors >= maxErrors) {
        throw new GasFreeError(
          lastError.reason,
          `GasFree status of ${traceId} failed ${errors} times in a row: ${lastError.message}` +
            (lastStatus?.txnHash ? ` (last seen txnHash ${lastStatus.txnHash})` : ''),
          { traceId, lastStatus, apiReason: lastError.apiReason, status: lastError.status, transient: true },
          lastError,
        );
      }
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new GasFreeError(
        GasFreeReasons.timeout,
        `GasFree transfer ${traceId} not confirmed after ${timeoutMs} ms` +
          (lastStatus ? ` (last ${lastStatus.state}/${lastStatus.txnState ?? '-'})` : ' (no status yet)'),
        { traceId, lastStatus, transient: true },
        lastError,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
  }
}
