import { randomUUID } from 'node:crypto';
import { X402Error } from '@x402kit/core';
import type { Address, Hex } from 'viem';
import { isHex, recoverTypedDataAddress } from 'viem';
import { DevnetReasons } from '../devnet-reasons.js';
import { parseTronOrEvmAddress } from '../tron/tron-address.js';
import { GASFREE_PERMIT_TRANSFER_TYPES, gasFreeControllerDomain } from './gasfree-controller.js';
import type { GasFreeTransferRecord } from './gasfree-relayer.js';
import { isPending } from './gasfree-relayer.js';
import type { GasFreeServiceReason } from './gasfree-wire.js';

/** A token the local GasFree service supports, with its fees in the token's smallest unit. */
export interface GasFreeServiceToken {
  address: Address;
  symbol: string;
  decimals: number;
  activateFee: bigint;
  transferFee: bigint;
}

/** Limits a provider announces in `GET /api/v1/config/provider/all` (seconds; count). */
export interface GasFreeProviderConfig {
  minDeadlineDuration: number;
  maxDeadlineDuration: number;
  defaultDeadlineDuration: number;
  maxPendingTransfer: number;
}

/** What the submit check reads from the chain. */
export interface GasFreeChainView {
  nonceOf(user: Address): Promise<bigint>;
  isActive(user: Address): Promise<boolean>;
  balanceOf(token: Address, holder: Address): Promise<bigint>;
  gasFreeAddressOf(user: Address): Address;
}

/** Everything {@link checkSubmit} needs. */
export interface SubmitContext {
  chainId: number;
  controller: Address;
  tokens: ReadonlyMap<Address, GasFreeServiceToken>;
  providers: ReadonlySet<Address>;
  providerConfig: GasFreeProviderConfig;
  chain: GasFreeChainView;
  /** Every record so far (pending ones hold nonces and balance). */
  records: Iterable<GasFreeTransferRecord>;
  nowSeconds: number;
}

/** A refused submit: the envelope's code, reason and message. */
export interface SubmitRefusal {
  code: number;
  reason: GasFreeServiceReason;
  message: string;
}

const refuse = (reason: GasFreeServiceReason, message: string): SubmitRefusal => ({
  code: 400,
  reason,
  message,
});

/** Thrown while reading the body; turned into a ValidationException answer. */
class InvalidField extends X402Error {
  constructor(message: string) {
    super(DevnetReasons.gasFreeSubmit, message);
  }
}

/** Thrown by the checks; carries the answer. */
class Refused extends X402Error {
  constructor(readonly refusal: SubmitRefusal) {
    super(DevnetReasons.gasFreeSubmit, refusal.message);
  }
}

function deny(reason: GasFreeServiceReason, message: string): never {
  throw new Refused(refuse(reason, message));
}

function readAddress(body: Record<string, unknown>, ...names: string[]): Address {
  for (const name of names) {
    const raw = body[name];
    if (raw === undefined || raw === null) continue;
    const parsed = typeof raw === 'string' ? parseTronOrEvmAddress(raw) : undefined;
    if (parsed === undefined) throw new InvalidField(`${name} is not a TRON (Base58) or hex address`);
    return parsed;
  }
  throw new InvalidField(`${names.join(' or ')} is required`);
}

function readUint(body: Record<string, unknown>, name: string): bigint {
  const raw = body[name];
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return BigInt(raw);
  if (typeof raw === 'string' && /^\d{1,78}$/.test(raw)) return BigInt(raw);
  throw new InvalidField(`${name} must be a non-negative integer (number or decimal string)`);
}

function readSig(body: Record<string, unknown>): Hex {
  const raw = body.sig;
  const sig = typeof raw === 'string' ? (raw.startsWith('0x') ? raw : `0x${raw}`) : '';
  if (!isHex(sig) || sig.length !== 132) {
    throw new InvalidField('sig must be 65 bytes of hex (r || s || v), with or without 0x');
  }
  return sig;
}

function readBody(body: unknown) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidField('body must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  return {
    token: readAddress(input, 'token'),
    provider: readAddress(input, 'serviceProvider', 'provider'),
    user: readAddress(input, 'user'),
    receiver: readAddress(input, 'receiver'),
    value: readUint(input, 'value'),
    maxFee: readUint(input, 'maxFee'),
    deadline: readUint(input, 'deadline'),
    version: readUint(input, 'version'),
    nonce: readUint(input, 'nonce'),
    sig: readSig(input),
  };
}

/**
 * Validates a `POST /api/v1/gasfree/submit` body the way a GasFree provider does before accepting it (token,
 * provider, version, deadline bounds, pending count, nonce, fee, balance, signature) and builds the record.
 * Addresses may be Base58 or hex; `serviceProvider` (BofAI) and `provider` (GasFree docs) are both read.
 *
 * @example
 * ```ts
 * const result = await checkSubmit(body, context);
 * if ('refusal' in result) return answer(result.refusal);
 * ```
 */
export async function checkSubmit(
  body: unknown,
  context: SubmitContext,
): Promise<{ record: GasFreeTransferRecord } | { refusal: SubmitRefusal }> {
  try {
    return { record: await check(body, context) };
  } catch (error) {
    if (error instanceof Refused) return { refusal: error.refusal };
    if (error instanceof InvalidField) return { refusal: refuse('ValidationException', error.message) };
    throw error;
  }
}

type Permit = ReturnType<typeof readBody>;

async function check(body: unknown, context: SubmitContext): Promise<GasFreeTransferRecord> {
  const permit = readBody(body);
  const tokenInfo = checkTerms(permit, context);
  const { activateFee, gasFreeAddress } = await checkAccount(permit, tokenInfo, context);
  await checkSignature(permit, tokenInfo, context);
  const now = Date.now();
  return {
    id: randomUUID(),
    createdAtMs: now,
    updatedAtMs: now,
    user: permit.user,
    gasFreeAddress,
    provider: permit.provider,
    receiver: permit.receiver,
    token: tokenInfo.address,
    value: permit.value,
    maxFee: permit.maxFee,
    deadline: permit.deadline,
    nonce: permit.nonce,
    sig: permit.sig,
    activateFee,
    transferFee: tokenInfo.transferFee,
    state: 'WAITING',
    txnState: 'INIT',
    polls: 0,
  };
}

/** Token, provider, version and deadline bounds, in that order; returns the token. */
function checkTerms(permit: Permit, context: SubmitContext): GasFreeServiceToken {
  const { token: t, provider: p, version: ver, deadline: dl } = permit;
  const tokenInfo = context.tokens.get(t);
  if (!tokenInfo) deny('UnsupportedTokenException', `token ${t} is not supported`);
  if (!context.providers.has(p)) {
    deny('ProviderAddressNotMatchException', `${p} is not a service provider of this service`);
  }
  if (ver !== 1n) deny('VersionNotSupportedException', `version ${ver} is not supported (only 1)`);
  const { minDeadlineDuration, maxDeadlineDuration } = context.providerConfig;
  const remaining = Number(dl) - context.nowSeconds;
  if (remaining < minDeadlineDuration || remaining > maxDeadlineDuration) {
    deny(
      'DeadlineExceededException',
      `deadline must be ${minDeadlineDuration}..${maxDeadlineDuration} s from now (is ${remaining} s)`,
    );
  }
  return tokenInfo;
}

/** Pending count, nonce, fee and balance of the user, in that order; returns the activation fee charged. */
async function checkAccount(
  { user, value, maxFee, nonce }: Permit,
  tokenInfo: GasFreeServiceToken,
  context: SubmitContext,
): Promise<{ activateFee: bigint; gasFreeAddress: Address }> {
  const pending = [...context.records].filter((rec) => isPending(rec) && rec.user === user);
  if (pending.length >= context.providerConfig.maxPendingTransfer) {
    deny('TooManyPendingTransferException', `${pending.length} transfer(s) of ${user} are pending`);
  }
  const [chainNonce, active] = await Promise.all([context.chain.nonceOf(user), context.chain.isActive(user)]);
  // Pending transfers whose nonce the chain has not used yet are still to run; the chain is the truth.
  const unexecuted = pending.filter((rec) => rec.nonce >= chainNonce);
  const expectedNonce = unexecuted.reduce(
    (next, rec) => (rec.nonce + 1n > next ? rec.nonce + 1n : next),
    chainNonce,
  );
  if (nonce !== expectedNonce)
    deny('NonceNotMatchException', `nonce must be ${expectedNonce} (got ${nonce})`);
  const activates = !active && !unexecuted.some((rec) => rec.activateFee > 0n);
  const activateFee = activates ? tokenInfo.activateFee : 0n;
  const estimated = activateFee + tokenInfo.transferFee;
  if (maxFee < estimated)
    deny('MaxFeeExceededException', `estimated fee ${estimated} exceeds maxFee ${maxFee}`);
  const gasFreeAddress = context.chain.gasFreeAddressOf(user);
  const held = unexecuted
    .filter((rec) => rec.token === tokenInfo.address)
    .reduce((sum, rec) => sum + rec.value + rec.activateFee + rec.transferFee, 0n);
  const balance = (await context.chain.balanceOf(tokenInfo.address, gasFreeAddress)) - held;
  if (balance < value + estimated) {
    deny('InsufficientBalanceException', `GasFree balance ${balance} < value ${value} + fee ${estimated}`);
  }
  return { activateFee, gasFreeAddress };
}

/** The permit must be signed by the user over the controller's EIP-712 domain. */
async function checkSignature(
  permit: Permit,
  tokenInfo: GasFreeServiceToken,
  context: SubmitContext,
): Promise<void> {
  const message = {
    token: tokenInfo.address,
    serviceProvider: permit.provider,
    user: permit.user,
    receiver: permit.receiver,
    value: permit.value,
    maxFee: permit.maxFee,
    deadline: permit.deadline,
    version: permit.version,
    nonce: permit.nonce,
  };
  let signer: Address | undefined;
  try {
    signer = await recoverTypedDataAddress({
      domain: gasFreeControllerDomain(context.chainId, context.controller),
      types: GASFREE_PERMIT_TRANSFER_TYPES,
      primaryType: 'PermitTransfer',
      message,
      signature: permit.sig,
    });
  } catch {
    signer = undefined;
  }
  if (signer !== permit.user)
    deny('InvalidSignatureException', "the signature is not the user's over this permit");
}
