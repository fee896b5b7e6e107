/**
 * How `createTronNodeClient` talks to a node: one POST of JSON per call, a per-attempt timeout
 * covering the body, bounded 429/502/503/504 and connection-failure retries honouring `Retry-After`,
 * and the answer checked against a zod schema. Module-internal: not re-exported from the package entry.
 */
import { describeIssues } from '@x402kit/core';
import { errorText, isRecord, sleep } from '@x402kit/core/internal';
import type { z } from 'zod/v4';
import { TronNodeError } from './node-error.js';
import { TronReasons } from './reasons.js';

/**
 * A node's address and the settings every request to it uses, read once from the client's options.
 *
 * @example
 * const node: NodeTransport = { base: 'https://nile.trongrid.io', timeoutMs: 10_000, retries: 3,
 *   maxRetryDelayMs: 5_000, fetchFn: fetch, headers: { 'content-type': 'application/json' } };
 */
export type NodeTransport = {
  /** Base URL without a trailing `/`. */
  base: string;
  timeoutMs: number;
  retries: number;
  maxRetryDelayMs: number;
  fetchFn: typeof fetch;
  headers: Record<string, string>;
};

const RETRY_STATUSES = new Set([429, 502, 503, 504]);

/**
 * POSTs `body` to `path` and returns the answer checked against `schema`, or undefined when the node
 * answered `{}` (TRON's "not found"). A `{ Error }` answer is a `node_rejected` refusal.
 *
 * @example
 * const info = await callNode(node, '/wallet/gettransactioninfobyid', { value: txId }, TronTransactionInfo);
 */
export async function callNode<S extends z.ZodType>(
  node: NodeTransport,
  path: string,
  body: unknown,
  schema: S,
): Promise<z.infer<S> | undefined> {
  const raw = await postNode(node, path, body);
  if (isRecord(raw) && typeof raw.Error === 'string') {
    throw new TronNodeError(
      TronReasons.nodeRejected,
      `${path}: the node refused the request: ${raw.Error.slice(0, 300)}`,
      {
        path,
        tronMessage: raw.Error,
      },
    );
  }
  if (isRecord(raw) && Object.keys(raw).length === 0) return undefined;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new TronNodeError(
      TronReasons.nodeBadResponse,
      `${path}: unexpected answer: ${describeIssues(parsed.error.issues)}`,
      {
        path,
      },
    );
  }
  return parsed.data;
}

/**
 * {@link callNode} where an empty answer is an error (`node_bad_response`).
 *
 * @example
 * const block = await requireNode(node, '/wallet/getnowblock', {}, TronBlock);
 */
export async function requireNode<S extends z.ZodType>(
  node: NodeTransport,
  path: string,
  body: unknown,
  schema: S,
): Promise<z.infer<S>> {
  const result = await callNode(node, path, body, schema);
  if (result === undefined) {
    throw new TronNodeError(TronReasons.nodeBadResponse, `${path}: the node answered with an empty object`, {
      path,
    });
  }
  return result;
}

/** POSTs `body` as JSON, retrying as {@link NodeTransport} allows; the parsed JSON answer. */
async function postNode(node: NodeTransport, path: string, body: unknown): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const signal = AbortSignal.timeout(node.timeoutMs);
    const response = await sendAttempt(node, path, body, signal, attempt);
    if (response === undefined) continue;
    return readJsonAnswer(node, path, response, signal);
  }
}

/**
 * One attempt: the response, or undefined once it waited before the next attempt (a connection failure or a
 * retryable status with attempts left); throws when no attempt is left.
 */
async function sendAttempt(
  node: NodeTransport,
  path: string,
  body: unknown,
  signal: AbortSignal,
  attempt: number,
): Promise<Response | undefined> {
  let response: Response;
  try {
    response = await node.fetchFn(`${node.base}${path}`, {
      method: 'POST',
      headers: node.headers,
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw timeoutError(node, path, error);
    if (attempt < node.retries) {
      await sleep(backoff(attempt, node.maxRetryDelayMs));
      return undefined;
    }
    throw new TronNodeError(
      TronReasons.nodeHttpError,
      `${path}: cannot reach ${node.base} (${errorText(error)})`,
      {
        path,
        cause: error,
      },
    );
  }
  if (!RETRY_STATUSES.has(response.status)) return response;
  await response.body?.cancel().catch(() => undefined);
  if (attempt < node.retries) {
    const asked = retryAfterMs(response.headers.get('retry-after'));
    await sleep(Math.min(asked ?? backoff(attempt, node.maxRetryDelayMs), node.maxRetryDelayMs));
    return undefined;
  }
  const reason = response.status === 429 ? TronReasons.nodeRateLimited : TronReasons.nodeHttpError;
  throw new TronNodeError(
    reason,
    `${path}: HTTP ${response.status} after ${attempt + 1} attempts; slow down or add an apiKey`,
    {
      path,
      status: response.status,
    },
  );
}

/** Reads the body of a non-retryable response: its JSON when the status is 2xx, else an error. */
async function readJsonAnswer(
  node: NodeTransport,
  path: string,
  response: Response,
  signal: AbortSignal,
): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (signal.aborted) throw timeoutError(node, path, error);
    throw new TronNodeError(TronReasons.nodeHttpError, `${path}: reading the answer failed`, {
      path,
      cause: error,
    });
  }
  if (!response.ok) {
    throw new TronNodeError(
      TronReasons.nodeHttpError,
      `${path}: HTTP ${response.status}: ${text.slice(0, 200)}`,
      {
        path,
        status: response.status,
      },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TronNodeError(
      TronReasons.nodeBadResponse,
      `${path}: the answer is not JSON: ${text.slice(0, 100)}`,
      {
        path,
        status: response.status,
        cause: error,
      },
    );
  }
}

function timeoutError(node: NodeTransport, path: string, cause: unknown): TronNodeError {
  return new TronNodeError(TronReasons.nodeTimeout, `${path}: no answer within ${node.timeoutMs} ms`, {
    path,
    cause,
  });
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function backoff(attempt: number, cap: number): number {
  return Math.min(cap, 200 * 2 ** attempt + Math.floor(Math.random() * 100));
}
