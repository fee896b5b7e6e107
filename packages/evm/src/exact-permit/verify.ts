/**
 * Verification of an `exact_permit` payment: everything BofAI's facilitator checks (amount,
 * payTo, token, feeTo, fee, window, signature) plus what it leaves to the contract (kind, caller,
 * nonce, allowance, balance), so a payment that verifies is one that settles, and a `validBefore`
 * no further than the offer's `maxTimeoutSeconds` (+ 30 s skew) ahead.
 */
import type { PaymentPayload, PaymentRequirements, VerifyResponse } from '@x402kit/core';
import {
  buildPaymentPermitDomain,
  buildPaymentPermitTypedData,
  checkPermitFunds,
  checkPermitTerms,
  ExactPermitReasons,
  type PaymentPermitMessage,
  type PermitAddressForm,
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

/** The `ctx` parameter of `verifyExactPermitPayment`. */
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

/** What `verifyExactPermitPayment` returns. */
export type ExactPermitVerifyOutcome = { response: VerifyResponse; verified?: VerifiedExactPermit };

/** Options of `verifyExactPermitPayment`. */
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

  const failure = checkPermitTerms(
    permit,
    signature,
    {
      network: requirements.network,
      amount: requirements.amount,
      payTo: requirements.payTo,
      asset: requirements.asset,
      tokenAllowed:
        ctx.allowedAssets?.get(requirements.network)?.has(addressKey(permit.payment.payToken)) ?? true,
      isCaller: ctx.callers.has(addressKey(permit.caller)),
      fee: ctx.fees(requirements.network, permit.payment.payToken),
      now: BigInt(options.now ?? Math.floor(Date.now() / 1000)),
      validBeforeMarginSeconds: ctx.validBeforeMarginSeconds,
      maxTimeoutSeconds: requirements.maxTimeoutSeconds,
    },
    EVM_ADDRESS_FORM,
  );
  if (failure) return no(failure.reason, failure.message);
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
    const { client } = network.net;
    const [nonceUsed, allowance, balance] = await Promise.all([
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
    const short = checkPermitFunds(
      permit,
      { nonceUsed, allowance, balance },
      { payer, contract: network.contract },
    );
    if (short) return no(short.reason, short.message);
  }
  return { response: { isValid: true, payer }, verified: { network, permit, signature } };
}

const EVM_ADDRESS_FORM: PermitAddressForm = { same: sameAddress, show: (address) => address };

function invalid(reason: string, message: string, payer?: string): ExactPermitVerifyOutcome {
  return {
    response: { isValid: false, invalidReason: reason, invalidMessage: message, ...(payer ? { payer } : {}) },
  };
}
