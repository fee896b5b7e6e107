/**
 * TIP-712 for BofAI's `PaymentPermitDetails` on TRON. TIP-712 hashes exactly like EIP-712; only the
 * addresses differ: every `address`, the domain's `verifyingContract` included, is the 20-byte body
 * without TRON's `0x41` prefix. So we normalize addresses and reuse the EVM typed-data builders.
 */
import { X402Error } from '@x402kit/core';
import {
  buildPaymentPermitDomain,
  buildPaymentPermitTypedData,
  type PaymentPermitDomain,
  type PaymentPermitMessage,
  parsePaymentPermit,
  type paymentPermitTypes,
} from '@x402kit/payment-permit';
import {
  type Hex,
  hashTypedData,
  isHex,
  type LocalAccount,
  recoverTypedDataAddress,
  type TypedDataDefinition,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { sameTronAddress, toEvmHex, toTronAddress } from './address.js';
import { requireTronNetwork } from './networks.js';
import { TronReasons } from './reasons.js';
import { PAYMENT_PERMIT_TRON_ADDRESSES } from './tokens.js';

/**
 * Why a TRON permit, signature or key was refused: `invalid_tron_permit`, `invalid_tron_signature`
 * or `invalid_tron_private_key`.
 *
 * @example
 * try { hashPaymentPermitTip712({ network: 'tron:nile', permit }) } catch (e) {
 *   if (e instanceof TronPermitError) console.log(e.reason);
 * }
 */
export class TronPermitError extends X402Error {
  override name = 'TronPermitError';
  declare readonly reason:
    | typeof TronReasons.invalidPermit
    | typeof TronReasons.invalidSignature
    | typeof TronReasons.invalidPrivateKey;

  constructor(reason: TronPermitError['reason'], message: string, cause?: unknown) {
    super(reason, message, cause === undefined ? undefined : { cause });
  }
}

type Amount = bigint | number | string;

/**
 * A permit as a TRON client writes it: addresses in any form (Base58 `T…`, `41…`, `0x…`), numbers as
 * bigint, decimal string or safe integer, `kind` as `"PAYMENT_ONLY"` or a number.
 *
 * @example
 * const permit: TronPaymentPermitInput = { meta: { kind: 'PAYMENT_ONLY', paymentId: '0x00…', nonce: '1', validAfter: 0, validBefore: 1700003600 }, buyer: 'TE2H…', caller: 'T9yD…', payment: { payToken: 'TXYZ…', payAmount: '1000000', payTo: 'T…' }, fee: { feeTo: 'T9yD…', feeAmount: '0' } };
 */
export type TronPaymentPermitInput = {
  meta: { kind: string | number; paymentId: string; nonce: Amount; validAfter: Amount; validBefore: Amount };
  buyer: string;
  caller: string;
  payment: { payToken: string; payAmount: Amount; payTo: string };
  fee: { feeTo: string; feeAmount: Amount };
};

/**
 * What identifies a PaymentPermit signature on TRON: the network (any id form), the permit and,
 * optionally, the PaymentPermit deployment (default: BofAI's on that network).
 *
 * @example
 * const params: PaymentPermitTip712Parameters = { network: 'tron:nile', permit };
 */
export type PaymentPermitTip712Parameters = {
  network: string;
  permit: TronPaymentPermitInput;
  /** PaymentPermit contract in any address form; defaults to {@link PAYMENT_PERMIT_TRON_ADDRESSES}. */
  verifyingContract?: string;
};

/**
 * The typed data viem (or any EIP-712 signer) signs for a TRON PaymentPermit.
 *
 * @example
 * const typed: PaymentPermitTip712TypedData = buildPaymentPermitTip712({ network: 'tron:nile', permit });
 */
export type PaymentPermitTip712TypedData = TypedDataDefinition<
  typeof paymentPermitTypes,
  'PaymentPermitDetails'
>;

function plain(value: Amount): string | number {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Reads a TRON permit into the signed message: addresses to checksummed 20-byte `0x`, numbers to bigint.
 *
 * @throws {TronAddressError} for a malformed address; {@link TronPermitError} (`invalid_tron_permit`) for
 *   any other malformed field.
 * @example
 * normalizeTronPaymentPermit(permit).buyer; // '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23'
 */
export function normalizeTronPaymentPermit(permit: TronPaymentPermitInput): PaymentPermitMessage {
  if (typeof permit !== 'object' || permit === null) {
    throw new TronPermitError(TronReasons.invalidPermit, 'the permit must be an object');
  }
  const { meta, payment, fee } = permit;
  if (
    typeof meta !== 'object' ||
    typeof payment !== 'object' ||
    typeof fee !== 'object' ||
    !meta ||
    !payment ||
    !fee
  ) {
    throw new TronPermitError(TronReasons.invalidPermit, 'the permit needs meta, payment and fee objects');
  }
  const evmShaped = {
    meta: {
      kind: meta.kind,
      paymentId: meta.paymentId,
      nonce: plain(meta.nonce),
      validAfter: plain(meta.validAfter),
      validBefore: plain(meta.validBefore),
    },
    buyer: toEvmHex(permit.buyer),
    caller: toEvmHex(permit.caller),
    payment: {
      payToken: toEvmHex(payment.payToken),
      payAmount: plain(payment.payAmount),
      payTo: toEvmHex(payment.payTo),
    },
    fee: { feeTo: toEvmHex(fee.feeTo), feeAmount: plain(fee.feeAmount) },
  };
  try {
    return parsePaymentPermit(evmShaped);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new TronPermitError(TronReasons.invalidPermit, text, error);
  }
}

/**
 * The TIP-712 domain: `{ name: 'PaymentPermit', chainId, verifyingContract }` with the TRON numeric chain id
 * and the contract's 20-byte `0x` body.
 *
 * @throws {TronNetworkError} for an unknown network.
 * @example
 * buildPaymentPermitTip712Domain('tron:nile').verifyingContract; // '0x41A0D8786C5e20D27B6225E9D03Ed1cbfE271634'
 */
export function buildPaymentPermitTip712Domain(
  network: string,
  verifyingContract?: string,
): PaymentPermitDomain {
  const resolved = requireTronNetwork(network);
  const contract = verifyingContract ?? PAYMENT_PERMIT_TRON_ADDRESSES[resolved.network];
  return buildPaymentPermitDomain(resolved.chainId, toEvmHex(contract));
}

/**
 * The full typed data of a TRON PaymentPermit (domain, types, primary type, normalized message).
 *
 * @example
 * const signature = await account.signTypedData(buildPaymentPermitTip712({ network: 'tron:nile', permit }));
 */
export function buildPaymentPermitTip712(
  params: PaymentPermitTip712Parameters,
): PaymentPermitTip712TypedData {
  const domain = buildPaymentPermitTip712Domain(params.network, params.verifyingContract);
  return buildPaymentPermitTypedData(domain, normalizeTronPaymentPermit(params.permit));
}

/**
 * The TIP-712 digest (`keccak256(0x1901 ‖ domainSeparator ‖ structHash)`) of a TRON PaymentPermit.
 *
 * @example
 * hashPaymentPermitTip712({ network: 'tron:nile', permit }); // '0x9a80cad7…'
 */
export function hashPaymentPermitTip712(params: PaymentPermitTip712Parameters): Hex {
  return hashTypedData(buildPaymentPermitTip712(params));
}

function readSignature(signature: string): Hex {
  const body = typeof signature === 'string' ? signature.replace(/^0[xX]/, '') : '';
  const hex = `0x${body}` as const;
  if (!isHex(hex) || body.length !== 130) {
    throw new TronPermitError(
      TronReasons.invalidSignature,
      'the signature must be 65 bytes r‖s‖v as hex (0x optional)',
    );
  }
  return `0x${body.toLowerCase()}`;
}

/**
 * The signer of a TRON PaymentPermit signature, as Base58Check. Accepts signatures with or without `0x`.
 *
 * @throws {TronPermitError} `invalid_tron_signature` when the signature is malformed or unrecoverable.
 * @example
 * await recoverPaymentPermitSigner({ network: 'tron:nile', permit, signature }); // 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'
 */
export async function recoverPaymentPermitSigner(
  params: PaymentPermitTip712Parameters & { signature: string },
): Promise<string> {
  const typed = buildPaymentPermitTip712(params);
  const signature = readSignature(params.signature);
  try {
    return toTronAddress(await recoverTypedDataAddress({ ...typed, signature }));
  } catch (error) {
    throw new TronPermitError(
      TronReasons.invalidSignature,
      'the signature does not recover to any key',
      error,
    );
  }
}

/**
 * True when `signature` is the permit's buyer's. Never throws on a bad signature (returns false);
 * still throws on a malformed permit or network.
 *
 * @example
 * await verifyPaymentPermitTip712({ network: 'tron:nile', permit, signature }); // true
 */
export async function verifyPaymentPermitTip712(
  params: PaymentPermitTip712Parameters & { signature: string },
): Promise<boolean> {
  const buyer = normalizeTronPaymentPermit(params.permit).buyer;
  try {
    return sameTronAddress(await recoverPaymentPermitSigner(params), buyer);
  } catch (error) {
    if (error instanceof TronPermitError && error.reason === TronReasons.invalidSignature) return false;
    throw error;
  }
}

/**
 * Signs a TRON PaymentPermit with a private key (`0x` + 64 hex, 0x optional) or a viem `LocalAccount`.
 * Returns the 65-byte r‖s‖v signature, `0x`-prefixed, v ∈ {27, 28} (what PaymentPermit requires).
 *
 * @throws {TronPermitError} `invalid_tron_private_key` for a malformed key.
 * @example
 * const signature = await signPaymentPermitTip712(privateKey, { network: 'tron:nile', permit });
 */
export async function signPaymentPermitTip712(
  signer: string | LocalAccount,
  params: PaymentPermitTip712Parameters,
): Promise<Hex> {
  const account = typeof signer === 'string' ? accountFromKey(signer) : signer;
  return account.signTypedData(buildPaymentPermitTip712(params));
}

function accountFromKey(key: string): LocalAccount {
  const hex = `0x${key.replace(/^0[xX]/, '')}` as const;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new TronPermitError(
      TronReasons.invalidPrivateKey,
      'the private key must be 32 bytes as hex (0x optional)',
    );
  }
  try {
    return privateKeyToAccount(hex);
  } catch (error) {
    throw new TronPermitError(
      TronReasons.invalidPrivateKey,
      'the private key is out of range for secp256k1',
      error,
    );
  }
}
