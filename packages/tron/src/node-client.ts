/**
 * A client of TRON's HTTP API (TronGrid or any java-tron compatible node): POST JSON, `visible: false`
 * with `41…` hex addresses on the wire, per-call timeouts, bounded 429/503 backoff honouring
 * `Retry-After`, answers validated with zod, and TRON's `{code, message (hex)}` refusals decoded.
 */
import { toTronHex } from './address.js';
import { broadcastReason, decodeTronMessage, TronNodeError } from './node-error.js';
import {
  BroadcastResponse,
  ConstantTriggerResponse,
  TriggerResponse,
  TronAccount,
  TronBlock,
  TronContractInfo,
  type TronReturn,
  TronTransaction,
  TronTransactionInfo,
} from './node-schemas.js';
import { callNode, type NodeTransport, requireNode } from './node-transport.js';
import {
  callBody,
  readTxId,
  type TriggerSmartContractParameters,
  type TronContractCall,
  wireInteger,
} from './node-wire.js';
import { TronReasons } from './reasons.js';

export type { TriggerSmartContractParameters, TronContractCall } from './node-wire.js';

/**
 * Options of {@link createTronNodeClient}.
 *
 * @example
 * const options: TronNodeClientOptions = { url: 'https://nile.trongrid.io', timeoutMs: 5000 };
 */
export type TronNodeClientOptions = {
  /** Base URL of the node, e.g. `https://api.trongrid.io` (no trailing `/wallet`). */
  url: string;
  /** TronGrid key, sent as `TRON-PRO-API-KEY`. */
  apiKey?: string;
  /** Per-request timeout, body included. Default 10 000 ms. */
  timeoutMs?: number;
  /** Retries after 429/502/503/504 or a connection failure. Default 3. */
  retries?: number;
  /** Longest wait before a retry, whatever `Retry-After` says. Default 5 000 ms. */
  maxRetryDelayMs?: number;
  /** `fetch` to use (tests, proxies). Default `globalThis.fetch`. */
  fetch?: typeof fetch;
};

/**
 * Result of a constant (read-only) call.
 *
 * @example
 * const { constantResult, reverted } = await node.triggerConstantContract(call);
 */
export type ConstantCallResult = {
  /** Return data of each call, `0x` hex. */
  constantResult: `0x${string}`[];
  energyUsed: number;
  /** True when the call reverted (return data then holds the revert reason). */
  reverted: boolean;
};

/**
 * The TRON HTTP API calls x402 needs.
 *
 * @example
 * const node: TronNodeClient = createTronNodeClient({ url: 'https://nile.trongrid.io' });
 */
export type TronNodeClient = {
  readonly url: string;
  triggerConstantContract(call: TronContractCall): Promise<ConstantCallResult>;
  triggerSmartContract(params: TriggerSmartContractParameters): Promise<TronTransaction>;
  broadcastTransaction(signed: TronTransaction): Promise<{ txid: string }>;
  getTransactionInfoById(
    id: string,
    options?: { solidified?: boolean },
  ): Promise<TronTransactionInfo | undefined>;
  getTransactionById(id: string): Promise<TronTransaction | undefined>;
  getAccount(address: string): Promise<TronAccount | undefined>;
  getContract(address: string): Promise<TronContractInfo | undefined>;
  getNowBlock(): Promise<TronBlock>;
};

/**
 * Creates a TRON HTTP API client. Every failure is a {@link TronNodeError} with a reason code.
 *
 * @example
 * const node = createTronNodeClient({ url: 'https://nile.trongrid.io', apiKey: process.env.TRONGRID_KEY });
 * const block = await node.getNowBlock();
 * console.log(block.block_header.raw_data.number);
 */
export function createTronNodeClient(options: TronNodeClientOptions): TronNodeClient {
  const node = readTransport(options);
  return {
    url: node.base,
    triggerConstantContract: (c) => triggerConstantContract(node, c),
    triggerSmartContract: (p) => triggerSmartContract(node, p),
    broadcastTransaction: (signed) => broadcastTransaction(node, signed),
    async getTransactionInfoById(id, opts) {
      const path = opts?.solidified
        ? '/walletsolidity/gettransactioninfobyid'
        : '/wallet/gettransactioninfobyid';
      return callNode(node, path, { value: readTxId(id, path) }, TronTransactionInfo);
    },
    async getTransactionById(id) {
      const path = '/wallet/gettransactionbyid';
      return callNode(node, path, { value: readTxId(id, path), visible: false }, TronTransaction);
    },
    async getAccount(address) {
      return callNode(
        node,
        '/wallet/getaccount',
        { address: toTronHex(address), visible: false },
        TronAccount,
      );
    },
    async getContract(address) {
      return callNode(
        node,
        '/wallet/getcontract',
        { value: toTronHex(address), visible: false },
        TronContractInfo,
      );
    },
    async getNowBlock() {
      return requireNode(node, '/wallet/getnowblock', {}, TronBlock);
    },
  };
}

async function triggerConstantContract(
  node: NodeTransport,
  c: TronContractCall,
): Promise<ConstantCallResult> {
  const path = '/wallet/triggerconstantcontract';
  const answer = await requireNode(node, path, callBody(c, path), ConstantTriggerResponse);
  checkReturn(path, answer);
  return {
    constantResult: (answer.constant_result ?? []).map((h) => `0x${h.replace(/^0x/, '')}` as const),
    energyUsed: answer.energy_used ?? 0,
    reverted: answer.transaction?.ret?.some((r) => r.ret === 'FAILED' || r.contractRet === 'REVERT') ?? false,
  };
}

async function triggerSmartContract(
  node: NodeTransport,
  p: TriggerSmartContractParameters,
): Promise<TronTransaction> {
  const path = '/wallet/triggersmartcontract';
  const body: Record<string, unknown> = {
    ...callBody(p, path),
    fee_limit: wireInteger(p.feeLimit, 'feeLimit', path),
  };
  if (p.permissionId !== undefined) body.Permission_id = wireInteger(p.permissionId, 'permissionId', path);
  const answer = await requireNode(node, path, body, TriggerResponse);
  checkReturn(path, answer);
  if (!answer.transaction) {
    throw new TronNodeError(TronReasons.nodeBadResponse, `${path}: the answer has no transaction`, {
      path,
    });
  }
  return answer.transaction;
}

async function broadcastTransaction(node: NodeTransport, signed: TronTransaction): Promise<{ txid: string }> {
  const path = '/wallet/broadcasttransaction';
  const answer = await requireNode(node, path, { ...signed, visible: false }, BroadcastResponse);
  if (answer.result === true) return { txid: answer.txid ?? signed.txID };
  const code = answer.code ?? 'OTHER_ERROR';
  const tronMessage = decodeTronMessage(answer.message);
  throw new TronNodeError(broadcastReason(code), `${path}: ${code}${tronMessage ? `: ${tronMessage}` : ''}`, {
    path,
    tronCode: code,
    ...(tronMessage ? { tronMessage } : {}),
  });
}

function checkReturn(path: string, answer: { result: TronReturn }): void {
  if (answer.result.result === true) return;
  const tronMessage = decodeTronMessage(answer.result.message);
  throw new TronNodeError(
    TronReasons.nodeContractFailed,
    `${path}: ${answer.result.code ?? 'failed'}${tronMessage ? `: ${tronMessage}` : ''}`,
    {
      path,
      ...(answer.result.code ? { tronCode: answer.result.code } : {}),
      ...(tronMessage ? { tronMessage } : {}),
    },
  );
}

/** The options read and checked once, in this order: url, timeoutMs, retries, maxRetryDelayMs. */
function readTransport(options: TronNodeClientOptions): NodeTransport {
  const base = readUrl(options.url);
  const timeoutMs = readPositive(options.timeoutMs, 10_000, 'timeoutMs');
  const retries = Math.floor(readPositive(options.retries, 3, 'retries', true));
  const maxRetryDelayMs = readPositive(options.maxRetryDelayMs, 5_000, 'maxRetryDelayMs', true);
  const fetchFn = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.apiKey) headers['TRON-PRO-API-KEY'] = options.apiKey;
  return { base, timeoutMs, retries, maxRetryDelayMs, fetchFn, headers };
}

function readUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new TronNodeError(TronReasons.nodeRequest, `url: ${JSON.stringify(url)} is not a URL`, {
      path: 'url',
      cause: error,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TronNodeError(TronReasons.nodeRequest, 'url: must be http(s)', { path: 'url' });
  }
  return parsed.href.replace(/\/+$/, '');
}

function readPositive(value: number | undefined, fallback: number, field: string, zeroOk = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (!zeroOk && value === 0)) {
    throw new TronNodeError(
      TronReasons.nodeRequest,
      `${field}: must be a ${zeroOk ? 'non-negative' : 'positive'} number`,
      {
        path: field,
      },
    );
  }
  return value;
}
