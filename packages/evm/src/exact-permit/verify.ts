/**
 * Verification of an `exact_permit` payment: everything BofAI's facilitator checks (amount,
 * payTo, token, feeTo, fee, window, signature) plus what it leaves to the contract (kind, caller,
 * nonce, allowance, balance), so a payment that verifies is one that settles, and a `validBefore`
 * no further than the offer's `maxTimeoutSeconds` (+ 30 s skew) ahead.
 */
import {
  buildPaymentPermitDomain,
  type PermitVerifyChain,
  type PermitVerifyContext,
  type PermitVerifyOptions,
  type PermitVerifyOutcome,
  paymentPermitAbi,
  permitPaymentVerifier,
  permitTokenAbi,
  readExactPermitPayload,
  type VerifiedPermit,
} from '@x402kit/payment-permit';
import type { Address } from 'viem';
import { addressKey, evmAddresses } from '../address.js';
import type { EvmNetwork } from '../evm-network.js';

/** One served network: its RPC/relayers and its `PaymentPermit` address. */
export type ExactPermitNetwork = { net: EvmNetwork; contract: Address };

/** The `ctx` parameter of `verifyExactPermitPayment`. Callers and allowed tokens are lower-case addresses. */
export type ExactPermitVerifyContext = PermitVerifyContext<ExactPermitNetwork>;

/** A payment that passed verification. */
export type VerifiedExactPermit = VerifiedPermit<ExactPermitNetwork>;

/** What `verifyExactPermitPayment` returns. */
export type ExactPermitVerifyOutcome = PermitVerifyOutcome<ExactPermitNetwork>;

/** Options of `verifyExactPermitPayment`. */
export type ExactPermitVerifyOptions = PermitVerifyOptions;

/**
 * Verify `payload` against `requirements`. Never throws for bad input; RPC failures throw (the
 * facilitator turns them into `unexpected_verify_error`).
 *
 * @example
 * const { response } = await verifyExactPermitPayment(ctx, payload, requirements)
 */
export const verifyExactPermitPayment = permitPaymentVerifier(evmPermitChain);

/** The EVM side of `exact_permit` verification: CAIP-2 ids as given, `0x` addresses, RPC reads. */
function evmPermitChain(ctx: ExactPermitVerifyContext): PermitVerifyChain<ExactPermitNetwork> {
  return {
    networkFor: (network) => ctx.networkFor(network),
    sameNetwork: (_served, accepted, required) => accepted === required,
    readPayload: readExactPermitPayload,
    addresses: evmAddresses,
    offer: (requirements) => ({
      ok: true,
      network: requirements.network,
      payTo: requirements.payTo,
      asset: requirements.asset,
    }),
    isCaller: (caller) => ctx.callers.has(addressKey(caller)),
    tokenAllowed: (network, token) => ctx.allowedAssets?.get(network)?.has(addressKey(token)) ?? true,
    fee: (network, token) => ctx.fees(network, token),
    validBeforeMarginSeconds: ctx.validBeforeMarginSeconds,
    domain: ({ net, contract }) => buildPaymentPermitDomain(net.chainId, contract),
    readFunds: async ({ net: { client }, contract }, permit) => {
      const owner = permit.buyer;
      const [nonceUsed, allowance, balance] = await Promise.all([
        client.readContract({
          address: contract,
          abi: paymentPermitAbi,
          functionName: 'nonceUsed',
          args: [owner, permit.meta.nonce],
        }),
        client.readContract({
          address: permit.payment.payToken,
          abi: permitTokenAbi,
          functionName: 'allowance',
          args: [owner, contract],
        }),
        client.readContract({
          address: permit.payment.payToken,
          abi: permitTokenAbi,
          functionName: 'balanceOf',
          args: [owner],
        }),
      ]);
      return { nonceUsed, allowance, balance };
    },
    contractName: ({ contract }) => contract,
  };
}
