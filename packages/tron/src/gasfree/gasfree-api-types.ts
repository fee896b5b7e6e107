import type { GasFreeAddressInfo, GasFreeTransferState, GasFreeTxnState } from '@x402kit/core';
import { GasFreeError, GasFreeReasons } from './gasfree-error.js';

export type { GasFreeAddressInfo, GasFreeAsset, GasFreeTransferState, GasFreeTxnState } from '@x402kit/core';

/** A token of `GET /api/v1/config/token/all`. */
export interface GasFreeToken {
  tokenAddress: string;
  symbol: string;
  decimal: number;
  activateFee: bigint;
  transferFee: bigint;
  supported: boolean;
}

/** A provider of `GET /api/v1/config/provider/all`. */
export interface GasFreeProvider {
  address: string;
  name: string;
  icon: string;
  website: string;
  config: {
    maxPendingTransfer: number;
    minDeadlineDuration: number;
    maxDeadlineDuration: number;
    defaultDeadlineDuration: number;
  };
}

/** A transfer authorization (`GET /api/v1/gasfree/{traceId}`, and the answer to submit). */
export interface GasFreeTransfer {
  /** The trace id. */
  id: string;
  state: GasFreeTransferState | (string & {});
  txnState?: GasFreeTxnState | (string & {});
  txnHash?: string;
  reason?: string;
  accountAddress?: string;
  gasFreeAddress?: string;
  providerAddress?: string;
  targetAddress?: string;
  tokenAddress?: string;
  nonce?: number;
  amount?: bigint;
  createdAt?: string;
  expiredAt?: string;
  /** The whole `data` object as received. */
  raw: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

const bad = (what: string) => new GasFreeError(GasFreeReasons.badResponse, `GasFree answer: ${what}`);

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(o: Obj, key: string, required = true): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  if (!required && (v === undefined || v === null)) return '';
  throw bad(`${key} must be a string`);
}

function optStr(o: Obj, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(o: Obj, key: string, fallback?: number): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (fallback !== undefined && (v === undefined || v === null)) return fallback;
  throw bad(`${key} must be a number`);
}

function amount(o: Obj, key: string, fallback?: bigint): bigint {
  const v = o[key];
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (fallback !== undefined && (v === undefined || v === null)) return fallback;
  throw bad(`${key} must be an integer amount`);
}

function bool(o: Obj, ...keys: string[]): boolean {
  for (const key of keys) if (typeof o[key] === 'boolean') return o[key] === true;
  throw bad(`${keys[0]} must be a boolean`);
}

export function parseAddressInfo(data: Obj): GasFreeAddressInfo {
  const assets = Array.isArray(data.assets) ? data.assets.filter(isObject) : [];
  return {
    accountAddress: str(data, 'accountAddress'),
    gasFreeAddress: str(data, 'gasFreeAddress'),
    active: bool(data, 'active'),
    nonce: num(data, 'nonce'),
    // The docs' example writes allow_submit; BofAI and the field list say allowSubmit.
    allowSubmit:
      typeof data.allowSubmit === 'boolean' || typeof data.allow_submit === 'boolean'
        ? bool(data, 'allowSubmit', 'allow_submit')
        : false,
    assets: assets.map((a) => ({
      tokenAddress: str(a, 'tokenAddress'),
      tokenSymbol: str(a, 'tokenSymbol', false),
      activateFee: amount(a, 'activateFee'),
      transferFee: amount(a, 'transferFee'),
      decimal: num(a, 'decimal'),
      frozen: amount(a, 'frozen', 0n),
      ...(a.balance === undefined || a.balance === null ? {} : { balance: amount(a, 'balance') }),
    })),
  };
}

export function parseTokens(data: Obj): GasFreeToken[] {
  if (!Array.isArray(data.tokens)) throw bad('data.tokens must be an array');
  return data.tokens.filter(isObject).map((t) => ({
    tokenAddress: str(t, 'tokenAddress'),
    symbol: str(t, 'symbol', false),
    decimal: num(t, 'decimal'),
    activateFee: amount(t, 'activateFee'),
    transferFee: amount(t, 'transferFee'),
    supported: t.supported !== false,
  }));
}

export function parseProviders(data: Obj): GasFreeProvider[] {
  if (!Array.isArray(data.providers)) throw bad('data.providers must be an array');
  return data.providers.filter(isObject).map((p) => {
    const config = isObject(p.config) ? p.config : {};
    return {
      address: str(p, 'address'),
      name: str(p, 'name', false),
      icon: str(p, 'icon', false),
      website: str(p, 'website', false),
      config: {
        maxPendingTransfer: num(config, 'maxPendingTransfer', 1),
        minDeadlineDuration: num(config, 'minDeadlineDuration', 60),
        maxDeadlineDuration: num(config, 'maxDeadlineDuration', 600),
        defaultDeadlineDuration: num(config, 'defaultDeadlineDuration', 180),
      },
    };
  });
}

export function parseTransfer(data: Obj): GasFreeTransfer {
  const id = data.id;
  if (typeof id !== 'string' && typeof id !== 'number') throw bad('data.id is missing');
  const transfer: GasFreeTransfer = {
    id: String(id),
    state: str(data, 'state', false).toUpperCase(),
    raw: data,
  };
  const txnState = optStr(data, 'txnState');
  if (txnState) transfer.txnState = txnState.toUpperCase();
  for (const key of [
    'txnHash',
    'reason',
    'accountAddress',
    'gasFreeAddress',
    'providerAddress',
    'targetAddress',
    'tokenAddress',
    'createdAt',
    'expiredAt',
  ] as const) {
    const value = optStr(data, key);
    if (value !== undefined) transfer[key] = value;
  }
  if (data.nonce !== undefined && data.nonce !== null) transfer.nonce = num(data, 'nonce');
  if (data.amount !== undefined && data.amount !== null) transfer.amount = amount(data, 'amount');
  return transfer;
}

/**
 * `JSON.parse` that keeps integers beyond 2^53 exact by reading them as strings (GasFree writes 18-decimal
 * amounts as JSON numbers).
 */
export function parseJsonExact(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const startsNumber = (c === '-' || (c >= '0' && c <= '9')) && !/[\d.eE+-]/.test(text[i - 1] ?? '');
    const m = startsNumber ? /^-?\d{16,}(?![.\deE])/.exec(text.slice(i, i + 100)) : null;
    if (m) {
      out += `"${m[0]}"`;
      i += m[0].length - 1;
      continue;
    }
    out += c;
  }
  return JSON.parse(out) as unknown;
}
