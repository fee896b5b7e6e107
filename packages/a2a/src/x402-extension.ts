/**
 * The x402 extension for A2A (x402 `specs/transports-v2/a2a.md`): its URI, the message metadata
 * keys that carry a payment, and the values of `x402.payment.status`. The strings are the spec's,
 * byte for byte; everything else in this package is built on these constants.
 */
import type { AgentExtension } from '@a2a-js/sdk';

/**
 * The extension's URI: declared in the agent card and activated by the client with the
 * `X-A2A-Extensions` header (`A2A-Extensions` on A2A 1.0).
 */
export const X402_A2A_EXTENSION_URI = 'https://github.com/google-a2a/a2a-x402/v0.1';

/** The metadata keys of a task status message or a client message that carry the payment. */
export const PaymentMetadataKeys = {
  /** The stage of the payment, one of {@link PaymentStatuses}; in every x402 message. */
  status: 'x402.payment.status',
  /** The `PaymentRequired` the merchant asks to be paid (standalone flow). */
  required: 'x402.payment.required',
  /** The client's signed `PaymentPayload` (standalone flow). */
  payload: 'x402.payment.payload',
  /** Every `SettleResponse` of the task, oldest first; in the final task message. */
  receipts: 'x402.payment.receipts',
  /** A short error code when the payment failed (see `PaymentErrorCodes`). */
  error: 'x402.payment.error',
} as const;

/** The values of `x402.payment.status`, as the spec names them. */
export const PaymentStatuses = {
  required: 'payment-required',
  rejected: 'payment-rejected',
  submitted: 'payment-submitted',
  verified: 'payment-verified',
  completed: 'payment-completed',
  failed: 'payment-failed',
} as const;

/** One value of `x402.payment.status`. */
export type PaymentStatus = (typeof PaymentStatuses)[keyof typeof PaymentStatuses];

/**
 * The agent card's declaration of the extension (`capabilities.extensions`). `required` defaults
 * to true, as the spec recommends: a client that does not activate it is refused.
 *
 * @example
 * const card: AgentCard = { ..., capabilities: { extensions: [x402AgentExtension()], ... } }
 */
export function x402AgentExtension(
  options: { description?: string; required?: boolean } = {},
): AgentExtension {
  return {
    uri: X402_A2A_EXTENSION_URI,
    description: options.description ?? 'Supports payments using the x402 protocol for on-chain settlement.',
    required: options.required ?? true,
    params: undefined,
  };
}
