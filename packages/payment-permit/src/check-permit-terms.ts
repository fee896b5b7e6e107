/**
 * The checks of an `exact_permit` payment that read no chain: a permit against the offer, the
 * facilitator's fee and the time window, then its funds once the chain has been read. The EVM and TRON
 * facilitators run the same checks in the same order with the same reasons and messages; only how an
 * address is compared and printed differs: each passes in its address form (`ChainAddresses` of core).
 */
import { authorizationTooFar, type ChainAddresses } from '@x402kit/core';
import type { Hex } from 'viem';
import { isPermitSignatureShape } from './permit.js';
import { ExactPermitReasons } from './reasons.js';
import type { PaymentPermitMessage } from './typed-data.js';

/**
 * What a permit is checked against, in the chain's own address form.
 *
 * @example
 * const terms: PermitTerms = { network: 'eip155:56', amount: '1000', payTo, asset, tokenAllowed: true, isCaller: true, fee, now: 1700000000n, validBeforeMarginSeconds: 6, maxTimeoutSeconds: 60 };
 */
export type PermitTerms = {
  /** The network as messages name it. */
  network: string;
  /** The required amount (atomic units, decimal string). */
  amount: string;
  payTo: string;
  asset: string;
  /** Whether the permit's token is among the facilitator's allowed assets (true when it has no list). */
  tokenAllowed: boolean;
  /** Whether the permit's `caller` is a settlement address of the facilitator. */
  isCaller: boolean;
  /** The facilitator's fee for the permit's token, absent when it has none. */
  fee: { feeTo: string; amount: bigint } | undefined;
  /** Unix seconds. */
  now: bigint;
  validBeforeMarginSeconds: number;
  maxTimeoutSeconds: number;
};

/**
 * A failed check: its reason code and a message that says what to do.
 *
 * @example
 * const failure: PermitCheckFailure = { reason: 'invalid_exact_permit_kind', message: 'kind 1 is not PAYMENT_ONLY (0)' };
 */
export type PermitCheckFailure = { reason: string; message: string };

/**
 * Checks `permit` and the shape of its `signature` against `terms`, in BofAI's order (kind, token
 * allowed, amount, payTo, token, caller, fee, window), before any signature recovery or chain read.
 *
 * @returns the first failure, or `undefined` when every check passes.
 * @example
 * const failure = checkPermitTerms(permit, signature, terms, evmAddresses);
 * if (failure) return invalid(failure.reason, failure.message, payer);
 */
export function checkPermitTerms(
  permit: PaymentPermitMessage,
  signature: Hex,
  terms: PermitTerms,
  addresses: ChainAddresses,
): PermitCheckFailure | undefined {
  const R = ExactPermitReasons;
  const show = (address: Hex) => showAddress(addresses, address);
  const same = (address: Hex, other: string) => addresses.same(address, other);
  const { payment, fee, meta } = permit;
  if (meta.kind !== 0) return { reason: R.kind, message: `kind ${meta.kind} is not PAYMENT_ONLY (0)` };
  if (!terms.tokenAllowed)
    return {
      reason: R.tokenNotAllowed,
      message: `token ${show(payment.payToken)} is not accepted here`,
    };
  if (payment.payAmount.toString() !== terms.amount)
    return {
      reason: R.amountMismatch,
      message: `payAmount ${payment.payAmount} differs from the required amount ${terms.amount}`,
    };
  if (!same(payment.payTo, terms.payTo))
    return { reason: R.payToMismatch, message: `payTo ${show(payment.payTo)} is not ${terms.payTo}` };
  if (!same(payment.payToken, terms.asset))
    return {
      reason: R.tokenMismatch,
      message: `payToken ${show(payment.payToken)} is not ${terms.asset}`,
    };
  if (!terms.isCaller)
    return {
      reason: R.callerMismatch,
      message: `caller ${show(permit.caller)} is not a settlement address of this facilitator; use the caller of its fee quote`,
    };
  if (!terms.fee)
    return {
      reason: R.unsupportedToken,
      message: `this facilitator has no fee for ${show(payment.payToken)} on ${terms.network}`,
    };
  if (!same(fee.feeTo, terms.fee.feeTo))
    return { reason: R.feeToMismatch, message: `feeTo ${show(fee.feeTo)} is not ${terms.fee.feeTo}` };
  if (fee.feeAmount < terms.fee.amount)
    return {
      reason: R.feeAmountMismatch,
      message: `feeAmount ${fee.feeAmount} is below this facilitator's fee ${terms.fee.amount}`,
    };
  const { now } = terms;
  if (meta.validBefore < now + BigInt(terms.validBeforeMarginSeconds))
    return {
      reason: R.expired,
      message: `validBefore ${meta.validBefore} leaves under ${terms.validBeforeMarginSeconds} s (now ${now})`,
    };
  if (meta.validAfter > now)
    return { reason: R.notYetValid, message: `validAfter ${meta.validAfter} is after now (${now})` };
  const tooFar = authorizationTooFar('validBefore', meta.validBefore, {
    now,
    lifetimeSeconds: terms.maxTimeoutSeconds,
  });
  if (tooFar) return { reason: R.validBeforeTooFar, message: tooFar };
  if (!isPermitSignatureShape(signature))
    return { reason: R.signature, message: 'the signature must be 65 bytes r‖s‖v with v = 27 or 28' };
  return undefined;
}

/**
 * What the chain holds for a permit's buyer: whether its nonce is used, its allowance to
 * PaymentPermit and its balance of the token.
 *
 * @example
 * const funds: PermitFunds = { nonceUsed: false, allowance: 2000n, balance: 5000n };
 */
export type PermitFunds = { nonceUsed: boolean; allowance: bigint; balance: bigint };

/**
 * Checks that the permit's nonce is unused and that allowance and balance cover amount + fee.
 *
 * @returns the first failure, or `undefined` when the permit can settle.
 * @example
 * const failure = checkPermitFunds(permit, funds, { payer, contract });
 */
export function checkPermitFunds(
  permit: PaymentPermitMessage,
  funds: PermitFunds,
  names: { payer: string; contract: string },
): PermitCheckFailure | undefined {
  const R = ExactPermitReasons;
  const total = permit.payment.payAmount + permit.fee.feeAmount;
  if (funds.nonceUsed)
    return {
      reason: R.nonceAlreadyUsed,
      message: `nonce ${permit.meta.nonce} of ${names.payer} is already used`,
    };
  if (funds.allowance < total)
    return {
      reason: R.insufficientAllowance,
      message: `allowance to PaymentPermit ${names.contract} is ${funds.allowance}, below amount + fee ${total}; approve it first`,
    };
  if (funds.balance < total)
    return {
      reason: R.insufficientBalance,
      message: `balance ${funds.balance} is below amount + fee ${total}`,
    };
  return undefined;
}

/**
 * `address` as `addresses`' chain writes it in messages and answers (a permit's `0x` body as TRON's
 * `T…`, checksummed on EVM); as given when it is not one of its addresses.
 *
 * @example showAddress(tronAddresses, '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23') // 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'
 */
export function showAddress(addresses: ChainAddresses, address: string): string {
  return addresses.canonical(address) ?? address;
}
