/**
 * Runtime schemas for the x402 wire format (v2, and v1 for compatibility).
 *
 * The schemas are the single source of truth: every static type is inferred from them.
 * Objects are "loose": unknown keys are kept, because requirement matching is deep equality
 * and payloads are forwarded verbatim to facilitators.
 */
import { z } from 'zod';

const nonEmpty = z.string().min(1);
/** A decimal string of atomic units, e.g. "1000". */
export const AtomicAmount = z.string().regex(/^\d+$/, 'must be a decimal string of atomic units');
/** A CAIP-2 network id (namespace:reference), e.g. "eip155:84532". */
export const Network = z
  .string()
  .min(3)
  .regex(/^[-a-z0-9]{3,8}:[-_a-zA-Z0-9=+/.]{1,64}$/, 'must be a CAIP-2 id');
export type Network = z.infer<typeof Network>;

const ExtensionsMap = z.record(z.string(), z.unknown());

/** The paid resource a 402 describes: its URL, and optionally a description and MIME type. */
export const ResourceInfo = z.looseObject({
  url: nonEmpty,
  description: z.string().optional(),
  mimeType: z.string().optional(),
});
export type ResourceInfo = z.infer<typeof ResourceInfo>;

/** One offer of a v2 402: scheme, network (CAIP-2), amount in atomic units, asset, payTo, timeout and the scheme's `extra`. */
export const PaymentRequirements = z.looseObject({
  scheme: nonEmpty,
  network: Network,
  amount: AtomicAmount,
  asset: nonEmpty,
  payTo: nonEmpty,
  // 0 is the official batch-settlement channel manager's value for its claim and settle calls
  maxTimeoutSeconds: z.number().int().nonnegative(),
  extra: z.record(z.string(), z.unknown()).nullish(),
});
export type PaymentRequirements = z.infer<typeof PaymentRequirements>;

/** The v2 402 document (`PAYMENT-REQUIRED` header): the resource, the offers in `accepts`, an error and extensions. */
export const PaymentRequired = z.looseObject({
  x402Version: z.literal(2),
  error: z.string().optional(),
  resource: ResourceInfo,
  accepts: z.array(PaymentRequirements).min(1),
  extensions: ExtensionsMap.optional(),
});
export type PaymentRequired = z.infer<typeof PaymentRequired>;

/** What a v2 client sends in `PAYMENT-SIGNATURE`: the offer it accepted and the scheme's signed payload. */
export const PaymentPayload = z.looseObject({
  x402Version: z.literal(2),
  resource: ResourceInfo.optional(),
  accepted: PaymentRequirements,
  payload: z.record(z.string(), z.unknown()),
  extensions: ExtensionsMap.optional(),
});
export type PaymentPayload = z.infer<typeof PaymentPayload>;

/** A facilitator's answer to `/verify`: `isValid`, and the reason and payer. */
export const VerifyResponse = z.looseObject({
  isValid: z.boolean(),
  invalidReason: z.string().optional(),
  invalidMessage: z.string().optional(),
  payer: z.string().optional(),
  extensions: ExtensionsMap.optional(),
});
export type VerifyResponse = z.infer<typeof VerifyResponse>;

/** A facilitator's answer to `/settle` (and the `PAYMENT-RESPONSE` header): success, transaction, network, payer or the error reason. */
export const SettleResponse = z.looseObject({
  success: z.boolean(),
  errorReason: z.string().optional(),
  errorMessage: z.string().optional(),
  payer: z.string().optional(),
  transaction: z.string(),
  network: z.string(),
  amount: z.string().optional(),
  extensions: ExtensionsMap.optional(),
});
export type SettleResponse = z.infer<typeof SettleResponse>;

/** One scheme and network pair a facilitator supports (`/supported`), with its `extra`. */
export const SupportedKind = z.looseObject({
  x402Version: z.union([z.literal(1), z.literal(2)]),
  scheme: nonEmpty,
  network: nonEmpty,
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type SupportedKind = z.infer<typeof SupportedKind>;

/** A facilitator's answer to `/supported`: its kinds, extensions and signers. */
export const SupportedResponse = z.looseObject({
  kinds: z.array(SupportedKind),
  extensions: z.array(z.string()).default([]),
  signers: z.record(z.string(), z.array(z.string())).default({}),
});
export type SupportedResponse = z.infer<typeof SupportedResponse>;

// ---------------------------------------------------------------- v1

/** One offer of an x402 v1 402 (v1 network name, `maxAmountRequired`, resource fields on the offer). */
export const PaymentRequirementsV1 = z.looseObject({
  scheme: nonEmpty,
  network: nonEmpty,
  maxAmountRequired: AtomicAmount,
  resource: z.string(),
  description: z.string().default(''),
  mimeType: z.string().default(''),
  outputSchema: z.record(z.string(), z.unknown()).nullish(),
  payTo: nonEmpty,
  maxTimeoutSeconds: z.number().int().positive(),
  asset: nonEmpty,
  extra: z.record(z.string(), z.unknown()).nullish(),
});
export type PaymentRequirementsV1 = z.infer<typeof PaymentRequirementsV1>;

/** The x402 v1 402 body: `x402Version: 1`, `accepts` and an error. */
export const PaymentRequiredV1 = z.looseObject({
  x402Version: z.literal(1),
  error: z.string().optional(),
  accepts: z.array(PaymentRequirementsV1).min(1),
});
export type PaymentRequiredV1 = z.infer<typeof PaymentRequiredV1>;

/** What a v1 client sends in `X-PAYMENT`: scheme, v1 network name and the signed payload. */
export const PaymentPayloadV1 = z.looseObject({
  x402Version: z.literal(1),
  scheme: nonEmpty,
  network: nonEmpty,
  payload: z.record(z.string(), z.unknown()),
});
export type PaymentPayloadV1 = z.infer<typeof PaymentPayloadV1>;

// ---------------------------------------------------------------- either version

/** A v2 or v1 402 document, told apart by `x402Version`. */
export const AnyPaymentRequired = z.discriminatedUnion('x402Version', [PaymentRequired, PaymentRequiredV1]);
export type AnyPaymentRequired = z.infer<typeof AnyPaymentRequired>;
/** A v2 or v1 payment payload, told apart by `x402Version`. */
export const AnyPaymentPayload = z.discriminatedUnion('x402Version', [PaymentPayload, PaymentPayloadV1]);
export type AnyPaymentPayload = z.infer<typeof AnyPaymentPayload>;
/** A v2 or v1 offer. */
export type AnyPaymentRequirements = PaymentRequirements | PaymentRequirementsV1;

/** Body of `POST /verify` and `POST /settle` on a facilitator. */
export const FacilitatorRequest = z.looseObject({
  x402Version: z.union([z.literal(1), z.literal(2)]).optional(),
  paymentPayload: AnyPaymentPayload,
  paymentRequirements: z.union([PaymentRequirements, PaymentRequirementsV1]),
});
export type FacilitatorRequest = z.infer<typeof FacilitatorRequest>;

/** The bodies the service accepts on /verify and /settle. */
export type X402Version = 1 | 2;
