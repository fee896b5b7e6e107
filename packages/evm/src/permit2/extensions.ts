/**
 * The gas-sponsoring extensions of Permit2 payments, facilitator side: `eip2612GasSponsoring` (an
 * EIP-2612 permit run by the proxy's `settleWithPermit`) and `erc20ApprovalGasSponsoring` (a signed
 * `approve(Permit2, max)` transaction the facilitator broadcasts before settling).
 */
import type { PaymentPayload } from '@x402kit/core';
import {
  type Address,
  decodeFunctionData,
  getAddress,
  type Hex,
  parseTransaction,
  recoverTransactionAddress,
  type TransactionSerialized,
} from 'viem';
import { sameAddress } from '../address.js';
import { PERMIT2_ADDRESS, permit2Erc20Abi } from './constants.js';
import { Permit2Reasons } from './reasons.js';
import type { Permit2612 } from './settle-call.js';

/** Extension key: an EIP-2612 permit to Permit2 signed by the payer. */
export const EIP2612_GAS_SPONSORING = 'eip2612GasSponsoring';
/** Extension key: a signed `approve(Permit2, max)` transaction the facilitator broadcasts. */
export const ERC20_APPROVAL_GAS_SPONSORING = 'erc20ApprovalGasSponsoring';
/** `approve(address,uint256)`. */
export const APPROVE_SELECTOR = '0x095ea7b3';

const ADDRESS = /^0x[a-fA-F0-9]{40}$/;
const NUMERIC = /^[0-9]+$/;
const HEX = /^0x[a-fA-F0-9]+$/;
const VERSION = /^[0-9]+(\.[0-9]+)*$/;

/** The reference's schema of each extension's `info`: every field a non-empty string of this form. */
const PARTIES_FORMAT = { from: ADDRESS, asset: ADDRESS, spender: ADDRESS, amount: NUMERIC } as const;
const EIP2612_INFO_FORMAT = {
  ...PARTIES_FORMAT,
  nonce: NUMERIC,
  deadline: NUMERIC,
  signature: HEX,
  version: VERSION,
} as const;
const ERC20_APPROVAL_INFO_FORMAT = { ...PARTIES_FORMAT, signedTransaction: HEX, version: VERSION } as const;

/** `extensions.eip2612GasSponsoring.info` of a payment payload. */
export type Eip2612GasSponsoringInfo = Record<keyof typeof EIP2612_INFO_FORMAT, string>;

/** `extensions.erc20ApprovalGasSponsoring.info` of a payment payload. */
export type Erc20ApprovalGasSponsoringInfo = Record<keyof typeof ERC20_APPROVAL_INFO_FORMAT, string>;

/** A gas-sponsoring extension a Permit2 payment carries: an EIP-2612 permit or a signed ERC-20 approval. */
export type Permit2Extension =
  | { kind: 'eip2612'; permit2612: Permit2612 }
  | { kind: 'erc20Approval'; signedTransaction: Hex };

export type Permit2ExtensionReading =
  | { ok: true; extension: Permit2Extension | undefined }
  | { ok: false; reason: string; message: string };

/**
 * Read and check the sponsoring extension a payload carries, if any (EIP-2612 first, as the
 * reference). Incomplete infos are ignored; complete but wrong ones are refused with the
 * reference's reason.
 *
 * @example
 * const read = readPermit2Extension(paymentPayload, { payer, token, eip2612: true, erc20Approval: true, now })
 */
export async function readPermit2Extension(
  paymentPayload: PaymentPayload,
  options: { payer: Address; token: Address; eip2612: boolean; erc20Approval: boolean; now: number },
): Promise<Permit2ExtensionReading> {
  const eip2612 = options.eip2612 ? infoOf(paymentPayload, EIP2612_GAS_SPONSORING) : undefined;
  if (eip2612 && hasAll(eip2612, EIP2612_INFO_FORMAT)) {
    const i = eip2612;
    const refused = partiesRefusal(i, EIP2612_INFO_FORMAT, options, {
      format: [Permit2Reasons.eip2612InvalidFormat, 'eip2612GasSponsoring.info failed schema validation'],
      from: Permit2Reasons.eip2612FromMismatch,
      asset: Permit2Reasons.eip2612AssetMismatch,
      spender: Permit2Reasons.eip2612SpenderNotPermit2,
    });
    if (refused) return refused;
    if (BigInt(i.deadline) < BigInt(options.now + 6))
      return refuse(Permit2Reasons.eip2612DeadlineExpired, 'the EIP-2612 deadline has passed');
    return {
      ok: true,
      extension: {
        kind: 'eip2612',
        permit2612: {
          value: BigInt(i.amount),
          deadline: BigInt(i.deadline),
          signature: `0x${i.signature.slice(2)}`,
        },
      },
    };
  }
  const approval = options.erc20Approval ? infoOf(paymentPayload, ERC20_APPROVAL_GAS_SPONSORING) : undefined;
  if (approval && hasAll(approval, ERC20_APPROVAL_INFO_FORMAT)) {
    const i = approval;
    const refused = partiesRefusal(i, ERC20_APPROVAL_INFO_FORMAT, options, {
      format: [
        Permit2Reasons.erc20ApprovalInvalidFormat,
        'ERC-20 approval extension info failed schema validation',
      ],
      from: Permit2Reasons.erc20ApprovalFromMismatch,
      asset: Permit2Reasons.erc20ApprovalAssetMismatch,
      spender: Permit2Reasons.erc20ApprovalSpenderNotPermit2,
    });
    if (refused) return refused;
    const tx = await checkApprovalTransaction(
      `0x${i.signedTransaction.slice(2)}`,
      options.payer,
      options.token,
    );
    if (!tx.ok) return tx;
    return {
      ok: true,
      extension: { kind: 'erc20Approval', signedTransaction: `0x${i.signedTransaction.slice(2)}` },
    };
  }
  return { ok: true, extension: undefined };
}

/** Target, selector, spender and signer of the signed approval, in the reference's order. */
async function checkApprovalTransaction(
  serialized: Hex,
  payer: Address,
  token: Address,
): Promise<Permit2ExtensionReading> {
  const tx = parseApprovalTransaction(serialized);
  if (!tx) return refuse(Permit2Reasons.erc20ApprovalTxParseFailed, PARSE_FAILED);
  if (!tx.to || !sameAddress(tx.to, token))
    return refuse(
      Permit2Reasons.erc20ApprovalTxWrongTarget,
      `transaction targets ${tx.to ?? 'null'}, expected ${token}`,
    );
  const data = tx.data ?? '0x';
  if (!data.startsWith(APPROVE_SELECTOR))
    return refuse(
      Permit2Reasons.erc20ApprovalTxWrongSelector,
      `calldata does not start with ${APPROVE_SELECTOR}`,
    );
  try {
    const decoded = decodeFunctionData({ abi: permit2Erc20Abi, data });
    const spender = decoded.functionName === 'approve' ? decoded.args[0] : undefined;
    if (!spender || !sameAddress(spender, PERMIT2_ADDRESS))
      return refuse(
        Permit2Reasons.erc20ApprovalTxWrongSpender,
        `approve() spender is ${String(spender)}, expected Permit2`,
      );
  } catch {
    return refuse(Permit2Reasons.erc20ApprovalTxInvalidCalldata, 'failed to decode approve() calldata');
  }
  const signerReason = await approvalSignerReason(serialized, payer);
  if (signerReason) return refuse(signerReason, `the approval must be signed by the payer ${payer}`);
  return { ok: true, extension: undefined };
}

/** The message of `erc20_approval_tx_parse_failed`. */
export const PARSE_FAILED = 'failed to parse the signed transaction';

/**
 * The signed approval transaction of an `erc20ApprovalGasSponsoring` extension, or `undefined` when
 * its bytes do not parse (`erc20_approval_tx_parse_failed`).
 *
 * @example const tx = parseApprovalTransaction(signedTransaction) // { type: 'eip1559', to, data, … }
 */
export function parseApprovalTransaction(serialized: Hex): ReturnType<typeof parseTransaction> | undefined {
  try {
    return parseTransaction(serialized);
  } catch {
    return undefined;
  }
}

/**
 * The signer of a serialized transaction must be the payer (`erc20_approval_tx_signer_mismatch`,
 * `erc20_approval_tx_invalid_signature`).
 *
 * @example const reason = await approvalSignerReason(signedTransaction, payer) // undefined when fine
 */
export async function approvalSignerReason(serialized: Hex, payer: Address): Promise<string | undefined> {
  if (!isSerializedTransaction(serialized)) return Permit2Reasons.erc20ApprovalTxInvalidSignature;
  try {
    const signer = await recoverTransactionAddress({ serializedTransaction: serialized });
    return getAddress(signer) === getAddress(payer)
      ? undefined
      : Permit2Reasons.erc20ApprovalTxSignerMismatch;
  } catch {
    return Permit2Reasons.erc20ApprovalTxInvalidSignature;
  }
}

/** Typed (EIP-2718 types 1-4) or legacy (RLP list) serialized transaction bytes. */
function isSerializedTransaction(value: Hex): value is TransactionSerialized {
  const first = Number.parseInt(value.slice(2, 4), 16);
  return (first >= 1 && first <= 4) || first >= 0xc0;
}

function infoOf(payload: PaymentPayload, key: string): Record<string, unknown> | undefined {
  const ext = payload.extensions?.[key];
  if (typeof ext !== 'object' || ext === null) return undefined;
  const info: unknown = Reflect.get(ext, 'info');
  return typeof info === 'object' && info !== null && !Array.isArray(info)
    ? (info as Record<string, unknown>)
    : undefined;
}

/** Does `info` have every field of `format`, each a non-empty string (of any form yet)? */
function hasAll<K extends string>(
  info: Record<string, unknown>,
  format: Record<K, RegExp>,
): info is Record<K, string> {
  return Object.keys(format).every((k) => typeof info[k] === 'string' && info[k] !== '');
}

/**
 * The refusal of an extension whose `info` has a field out of `format`, or another payer (`from`),
 * token (`asset`) or spender than Permit2; `undefined` when all agree. Checked in the reference's order.
 */
function partiesRefusal<K extends string>(
  info: Record<K | keyof typeof PARTIES_FORMAT, string>,
  format: Record<K, RegExp>,
  expected: { payer: Address; token: Address },
  reasons: { format: [reason: string, message: string]; from: string; asset: string; spender: string },
): Permit2ExtensionReading | undefined {
  const fields = Object.entries(format) as Array<[K, RegExp]>;
  if (!fields.every(([key, form]) => form.test(info[key]))) return refuse(...reasons.format);
  if (!sameAddress(info.from, expected.payer)) return refuse(reasons.from, `expected from=${expected.payer}`);
  if (!sameAddress(info.asset, expected.token))
    return refuse(reasons.asset, `expected asset=${expected.token}`);
  if (!sameAddress(info.spender, PERMIT2_ADDRESS))
    return refuse(reasons.spender, `expected spender=${PERMIT2_ADDRESS}`);
  return undefined;
}

function refuse(reason: string, message: string): Permit2ExtensionReading {
  return { ok: false, reason, message };
}
