/**
 * Verification of an `exact_permit` payment: everything BofAI's facilitator checks (amount,
 * payTo, token, feeTo, fee, window, signature) plus what it leaves to the contract (kind, caller,
 * nonce, allowance, balance), so a payment that verifies is one that settles, and a `validBefore`
 * no further than the offer's `maxTimeoutSeconds` (+ 30 s skew) ahead.
 */
import {
  authorizationTooFar,
  type PaymentPayload,
  type PaymentRequirements,
  type VerifyResponse,
} from '@x402kit/core';
import {
  buildPaymentPermitDomain,
  buildPaymentPermitTypedData,
  ExactPermitReasons,
  isPermitSignatureShape,
  type PaymentPermitMessage,
  paymentPermitAbi,
  permitTokenAbi,
  readExactPermitPayload,
} from '@x402kit/payment-permit';
import { type Address, type Hex, recoverTypedDataAddress } from 'viem';
import { addressKey, sameAddress } from '../address.js';
import type { EvmNetwork } from '../evm-network.js';
import type { ExactPermitFeeSource } from './fee.js';

/** One served network: its RPC/relayers and its `PaymentPermit` address. */
export type ExactPermitNetwork = { net: EvmNetwork; contract: Address };

export type ExactPermitVerifyContext = {
  networkFor(network: string): ExactPermitNetwork | undefined;
  fees: ExactPermitFeeSource;
  /** Lower-case settlement addresses: a permit's `caller` must be one. */
  callers: ReadonlySet<string>;
  /** Lower-case token addresses allowed per network; absent means any token with a fee. */
  allowedAssets: ReadonlyMap<string, ReadonlySet<string>> | undefined;
  validBeforeMarginSeconds: number;
};

/** A payment that passed verification. */
export type VerifiedExactPermit = {
  network: ExactPermitNetwork;
  permit: PaymentPermitMessage;
  signature: Hex;
};

export type ExactPermitVerifyOutcome = { response: VerifyResponse; verified?: VerifiedExactPermit };

export type ExactPermitVerifyOptions = {
  /** Read nonce, allowance and balance on chain; default true. */
  onChain?: boolean;
  /** Unix seconds; default now. */
  now?: number;
};

/**
 * Verify `payload` against `requirements`. Never throws for bad input; RPC failures throw (the
 * facilitator turns them into `unexpected_verify_error`).
 *
 * @example
 * const { response } = await verifyExactPermitPayment(ctx, payload, requirements)
 */
export async function verifyExactPermitPayment(
  ctx: ExactPermitVerifyContext,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options: ExactPermitVerifyOptions = {},
): Promise<ExactPermitVerifyOutcome> {
  if (payload.accepted.scheme !== 'exact_permit' || requirements.scheme !== 'exact_permit') {
    return invalid(ExactPermitReasons.scheme, `scheme must be exact_permit (got ${requirements.scheme})`);
  }
  const network = ctx.networkFor(requirements.network);
  if (payload.accepted.network !== requirements.network || !network) {
    return invalid(
      ExactPermitReasons.networkMismatch,
      network
        ? `the payment is for ${payload.accepted.network}, the requirements for ${requirements.network}`
        : `this facilitator does not settle exact_permit on ${requirements.network}`,
    );
  }
  const read = readExactPermitPayload(payload.payload);
  if (!read.ok) return invalid(read.reason, read.message, read.payer);
  const { permit, signature } = read;
  const payer = permit.buyer;
  const no = (reason: string, message: string) => invalid(reason, message, payer);

  if (permit.meta.kind !== 0)
    return no(ExactPermitReasons.kind, `kind ${permit.meta.kind} is not PAYMENT_ONLY (0)`);
  const allowed = ctx.allowedAssets?.get(requirements.network);
  if (allowed && !allowed.has(addressKey(permit.payment.payToken)))
    return no(ExactPermitReasons.tokenNotAllowed, `token ${permit.payment.payToken} is not accepted here`);
  if (permit.payment.payAmount.toString() !== requirements.amount)
    return no(
      ExactPermitReasons.amountMismatch,
      `payAmount ${permit.payment.payAmount} differs from the required amount ${requirements.amount}`,
    );
  if (!sameAddress(permit.payment.payTo, requirements.payTo))
    return no(ExactPermitReasons.payToMismatch, `payTo ${permit.payment.payTo} is not ${requirements.payTo}`);
  if (!sameAddress(permit.payment.payToken, requirements.asset))
    return no(
      ExactPermitReasons.tokenMismatch,
      `payToken ${permit.payment.payToken} is not ${requirements.asset}`,
    );
  if (!ctx.callers.has(addressKey(permit.caller)))
    return no(
      ExactPermitReasons.callerMismatch,
      `caller ${permit.caller} is not a settlement address of this facilitator; use the caller of its fee quote`,
    );
  const fee = ctx.fees(requirements.network, permit.payment.payToken);
  if (!fee)
    return no(
      ExactPermitReasons.unsupportedToken,
      `this facilitator has no fee for ${permit.payment.payToken} on ${requirements.network}`,
    );
  if (!sameAddress(permit.fee.feeTo, fee.feeTo))
    return no(ExactPermitReasons.feeToMismatch, `feeTo ${permit.fee.feeTo} is not ${fee.feeTo}`);
  if (permit.fee.feeAmount < fee.amount)
    return no(
      ExactPermitReasons.feeAmountMismatch,
      `feeAmount ${permit.fee.feeAmount} is below this facilitator's fee ${fee.amount}`,
    );
  const now = BigInt(options.now ?? Math.floor(Date.now() / 1000));
  if (permit.meta.validBefore < now + BigInt(ctx.validBeforeMarginSeconds))
    return no(
      ExactPermitReasons.expired,
      `validBefore ${permit.meta.validBefore} leaves under ${ctx.validBeforeMarginSeconds} s (now ${now})`,
    );
  if (permit.meta.validAfter > now)
    return no(ExactPermitReasons.notYetValid, `validAfter ${permit.meta.validAfter} is after now (${now})`);
  const tooFar = authorizationTooFar('validBefore', permit.meta.validBefore, {
    now,
    lifetimeSeconds: requirements.maxTimeoutSeconds,
  });
  if (tooFar) return no(ExactPermitReasons.validBeforeTooFar, tooFar);

  if (!isPermitSignatureShape(signature))
    return no(ExactPermitReasons.signature, 'the signature must be 65 bytes r‖s‖v with v = 27 or 28');
  const typed = buildPaymentPermitTypedData(
    buildPaymentPermitDomain(network.net.chainId, network.contract),
    permit,
  );
  let signer: Address;
  try {
    signer = await recoverTypedDataAddress({ ...typed, signature });
  } catch {
    return no(ExactPermitReasons.signature, 'the signature does not recover to an address');
  }
  if (!sameAddress(signer, payer))
    return no(ExactPermitReasons.signature, `the signature is by ${signer}, not by buyer ${payer}`);

  if (options.onChain ?? true) {
    const total = permit.payment.payAmount + permit.fee.feeAmount;
    const { client } = network.net;
    const [used, allowance, balance] = await Promise.all([
      client.readContract({
        address: network.contract,
        abi: paymentPermitAbi,
        functionName: 'nonceUsed',
        args: [payer, permit.meta.nonce],
      }),
      client.readContract({
        address: permit.payment.payToken,
        abi: permitTokenAbi,
        functionName: 'allowance',
        args: [payer, network.contract],
      }),
      client.readContract({
        address: permit.payment.payToken,
        abi: permitTokenAbi,
        functionName: 'balanceOf',
        args: [payer],
      }),
    ]);
    if (used)
      return no(
        ExactPermitReasons.nonceAlreadyUsed,
        `nonce ${permit.meta.nonce} of ${payer} is already used`,
      );
    if (allowance < total)
      return no(
        ExactPermitReasons.insufficientAllowance,
        `allowance to PaymentPermit ${network.contract} is ${allowance}, below amount + fee ${total}; approve it first`,
      );
    if (balance < total)
      return no(ExactPermitReasons.insufficientBalance, `balance ${balance} is below amount + fee ${total}`);
  }
  return { response: { isValid: true, payer }, verified: { network, permit, signature } };
}

function invalid(reason: string, message: string, payer?: string): ExactPermitVerifyOutcome {
  return {
    response: { isValid: false, invalidReason: reason, invalidMessage: message, ...(payer ? { payer } : {}) },
  };
}
