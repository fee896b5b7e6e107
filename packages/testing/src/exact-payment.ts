/**
 * An `exact` EVM payment (EIP-3009) signed in process, for tests that hand payments to a facilitator
 * and vary the signer, the authorization or the requirements from one test to the next.
 */
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import { type ExactEvmAuthorization, signExactEvmAuthorization } from '@x402kit/evm';

/** The signer `signExactEvmAuthorization` takes (a viem local account, say). */
export type ExactPaymentSigner = Parameters<typeof signExactEvmAuthorization>[0];

/** What a test may change in one payment; what it leaves out comes from the defaults. */
export type ExactPaymentOptions = {
  signer?: ExactPaymentSigner;
  /** Fields of the signed authorization to override (a wrong `to`, an expired `validBefore`). */
  authorization?: Partial<ExactEvmAuthorization>;
  requirements?: PaymentRequirements;
};

/**
 * A v2 payment of `options.requirements` (else `defaults.requirements`) signed by `options.signer`
 * (else `defaults.signer`), with `options.authorization` overriding the fields it names.
 *
 * @example
 * const pay = (options: ExactPaymentOptions = {}) => signedExactPayment({ signer: payer, requirements }, options)
 * const expired = await pay({ authorization: { validBefore: '1' } })
 */
export async function signedExactPayment(
  defaults: { signer: ExactPaymentSigner; requirements: PaymentRequirements },
  options: ExactPaymentOptions = {},
): Promise<PaymentPayload> {
  const accepted = options.requirements ?? defaults.requirements;
  const payload = await signExactEvmAuthorization(
    options.signer ?? defaults.signer,
    accepted,
    options.authorization ? { authorization: options.authorization } : {},
  );
  return { x402Version: 2, accepted, payload };
}
