/**
 * Reason codes of the x402 extension for A2A that core has no string for, registered in core's one
 * reason registry.
 */
import { defineReasons } from '@x402kit/core';

/** Reasons a merchant agent gives that only exist on A2A. */
export const A2aReasons = defineReasons('@x402kit/a2a', {
  /** The client did not activate the x402 extension the agent card declares required. */
  extensionRequired: 'a2a_x402_extension_required',
  /** The task asks for payment (`payment-required`) without a valid `x402.payment.required`. */
  paymentRequestInvalid: 'a2a_payment_request_invalid',
  /** The client's `approve` hook declined the payment (the merchant is told `payment-rejected`). */
  paymentNotApproved: 'a2a_payment_not_approved',
});
