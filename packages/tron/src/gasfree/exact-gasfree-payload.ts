/**
 * The two `exact_gasfree` wires. G1 (BofAI `@bankofai/x402` 0.4–0.6): the permit dressed as an exact_permit
 * `paymentPermit` plus `extensions.gasfreeAddress`. G2 (BofAI 1.x): `payload.gasfree` with the PermitTransfer
 * fields and `payload.gasfreeAddress`. Both read into one {@link ExactGasFreePermit}.
 */
import { X402Error } from '@x402kit/core';
import type { Hex } from 'viem';
import { isTronAddress, toTronAddress } from '../address.js';
import { ExactGasFreeReasons } from './exact-gasfree-reasons.js';

/** A GasFree PermitTransfer as the scheme handles it: Base58 addresses, bigint numbers. */
export interface ExactGasFreePermit {
  token: string;
  serviceProvider: string;
  /** The user's main wallet (the signer). */
  user: string;
  receiver: string;
  value: bigint;
  maxFee: bigint;
  /** Unix seconds. */
  deadline: bigint;
  version: bigint;
  nonce: bigint;
}

/** What {@link readExactGasFreePayload} found. */
export interface ReadExactGasFreePayload {
  wire: 'g1' | 'g2';
  permit: ExactGasFreePermit;
  /** 65 bytes, `0x`-prefixed (BofAI may send it without). */
  signature: Hex;
  /** The GasFree account address the client names, Base58; absent when it named none. */
  gasFreeAddress?: string;
}

/** `extensions` keys of the G1 wire. */
export const EXACT_GASFREE_SCHEME = 'exact_gasfree';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(message: string): never {
  throw new X402Error(ExactGasFreeReasons.invalidPayload, `exact_gasfree: ${message}`);
}

function addr(value: unknown, path: string): string {
  if (!isTronAddress(value)) bad(`${path} is not a TRON address`);
  return toTronAddress(value);
}

function uint(value: unknown, path: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'string' && /^\d{1,78}$/.test(value)) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n) return value;
  return bad(`${path} must be a non-negative integer`);
}

function sig(value: unknown): Hex {
  const text = typeof value === 'string' ? value.replace(/^0x/i, '') : '';
  if (!/^[0-9a-fA-F]{130}$/.test(text)) bad('payload.signature must be 65 bytes of hex (r || s || v)');
  return `0x${text.toLowerCase()}`;
}

/**
 * Reads either wire from a payment payload's `payload` and `extensions`. Throws an {@link X402Error} with
 * `invalid_exact_gasfree_payload` saying which field is wrong.
 *
 * @example
 * const { permit, signature, gasFreeAddress, wire } = readExactGasFreePayload(paymentPayload);
 */
export function readExactGasFreePayload(paymentPayload: {
  payload: Record<string, unknown>;
  extensions?: Record<string, unknown> | undefined;
}): ReadExactGasFreePayload {
  const { payload, extensions } = paymentPayload;
  const signature = sig(payload.signature);
  const named = payload.gasfreeAddress ?? extensions?.gasfreeAddress;
  const gasFreeAddress = named === undefined ? undefined : addr(named, 'gasfreeAddress');
  const extra = gasFreeAddress === undefined ? {} : { gasFreeAddress };
  if (isObj(payload.gasfree)) {
    const g = payload.gasfree;
    const permit: ExactGasFreePermit = {
      token: addr(g.token, 'payload.gasfree.token'),
      serviceProvider: addr(g.serviceProvider, 'payload.gasfree.serviceProvider'),
      user: addr(g.user, 'payload.gasfree.user'),
      receiver: addr(g.receiver, 'payload.gasfree.receiver'),
      value: uint(g.value, 'payload.gasfree.value'),
      maxFee: uint(g.maxFee, 'payload.gasfree.maxFee'),
      deadline: uint(g.deadline, 'payload.gasfree.deadline'),
      version: uint(g.version ?? 1, 'payload.gasfree.version'),
      nonce: uint(g.nonce, 'payload.gasfree.nonce'),
    };
    return { wire: 'g2', permit, signature, ...extra };
  }
  const p = payload.paymentPermit;
  if (!isObj(p)) return bad('payload needs paymentPermit (G1) or gasfree (G2)');
  const meta = isObj(p.meta) ? p.meta : bad('payload.paymentPermit.meta is missing');
  const payment = isObj(p.payment) ? p.payment : bad('payload.paymentPermit.payment is missing');
  const fee = isObj(p.fee) ? p.fee : bad('payload.paymentPermit.fee is missing');
  const permit: ExactGasFreePermit = {
    token: addr(payment.payToken, 'payload.paymentPermit.payment.payToken'),
    serviceProvider: addr(fee.feeTo, 'payload.paymentPermit.fee.feeTo'),
    user: addr(p.buyer, 'payload.paymentPermit.buyer'),
    receiver: addr(payment.payTo, 'payload.paymentPermit.payment.payTo'),
    value: uint(payment.payAmount, 'payload.paymentPermit.payment.payAmount'),
    maxFee: uint(fee.feeAmount, 'payload.paymentPermit.fee.feeAmount'),
    deadline: uint(meta.validBefore, 'payload.paymentPermit.meta.validBefore'),
    version: 1n,
    nonce: uint(meta.nonce, 'payload.paymentPermit.meta.nonce'),
  };
  if (p.caller !== undefined && addr(p.caller, 'payload.paymentPermit.caller') !== permit.serviceProvider)
    bad('payload.paymentPermit.caller must be the service provider (fee.feeTo)');
  return { wire: 'g1', permit, signature, ...extra };
}

/** The payment-permit context values the G1 wire copies into `meta` (id and window start). */
export interface ExactGasFreeG1Meta {
  paymentId?: string;
  validAfter?: number;
}

/**
 * The G1 wire BofAI's 0.5.x facilitator expects: `payload = {signature, paymentPermit}`,
 * `extensions = {gasfreeAddress, scheme: 'exact_gasfree'}`.
 *
 * @example
 * const { payload, extensions } = toExactGasFreeG1(permit, signature, gasFreeAddress, { paymentId });
 */
export function toExactGasFreeG1(
  permit: ExactGasFreePermit,
  signature: Hex,
  gasFreeAddress: string,
  meta: ExactGasFreeG1Meta = {},
): { payload: Record<string, unknown>; extensions: Record<string, unknown> } {
  return {
    payload: {
      signature,
      paymentPermit: {
        meta: {
          kind: 'PAYMENT_ONLY',
          paymentId: meta.paymentId ?? '',
          nonce: permit.nonce.toString(),
          validAfter: meta.validAfter ?? 0,
          validBefore: Number(permit.deadline),
        },
        buyer: permit.user,
        caller: permit.serviceProvider,
        payment: { payToken: permit.token, payAmount: permit.value.toString(), payTo: permit.receiver },
        fee: { feeTo: permit.serviceProvider, feeAmount: permit.maxFee.toString() },
      },
    },
    extensions: { gasfreeAddress: gasFreeAddress, scheme: EXACT_GASFREE_SCHEME },
  };
}

/**
 * The G2 wire (BofAI 1.x): `payload = {signature, gasfreeAddress, gasfree: {...}}` with Base58 addresses and
 * decimal strings, `extensions = {scheme, gasfreeAddress}`.
 *
 * @example
 * const { payload } = toExactGasFreeG2(permit, signature, gasFreeAddress);
 */
export function toExactGasFreeG2(
  permit: ExactGasFreePermit,
  signature: Hex,
  gasFreeAddress: string,
): { payload: Record<string, unknown>; extensions: Record<string, unknown> } {
  return {
    payload: {
      signature,
      gasfreeAddress: gasFreeAddress,
      gasfree: {
        token: permit.token,
        serviceProvider: permit.serviceProvider,
        user: permit.user,
        receiver: permit.receiver,
        value: permit.value.toString(),
        maxFee: permit.maxFee.toString(),
        deadline: permit.deadline.toString(),
        version: permit.version.toString(),
        nonce: permit.nonce.toString(),
      },
    },
    extensions: { scheme: EXACT_GASFREE_SCHEME, gasfreeAddress: gasFreeAddress },
  };
}
