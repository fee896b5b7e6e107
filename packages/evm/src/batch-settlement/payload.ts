/**
 * The wire shapes of `batch-settlement` on EVM, as runtime schemas: the payloads a client sends
 * (`deposit`, `voucher`, `refund`), the ones a server sends its facilitator (`claim`, `settle`, and a
 * completed `refund`), and the channel snapshot in `extra`. Amounts are decimal strings of a uint128.
 * Reading a payload never throws: {@link readBatchPayload} answers a reason code and a message.
 */
import { z } from 'zod';
import type { ChannelConfig } from './channel.js';
import {
  addressSchema as address,
  bytes32Schema as bytes32,
  hexBytesSchema as hexBytes,
  uint128Schema as uint128,
  uint256Schema as uint256,
} from './field-schemas.js';
import { BatchSettlementReasons } from './reasons.js';

/** Schema of a {@link ChannelConfig}. */
export const channelConfigSchema = z.object({
  payer: address,
  payerAuthorizer: address,
  receiver: address,
  receiverAuthorizer: address,
  token: address,
  withdrawDelay: z.number().int().nonnegative(),
  salt: bytes32,
}) satisfies z.ZodType<ChannelConfig, unknown>;

/** Schema of a signed cumulative voucher. */
export const voucherSchema = z.object({
  channelId: bytes32,
  maxClaimableAmount: uint128,
  signature: hexBytes,
});

/** Schema of the ERC-3009 deposit authorization (the nonce is derived from the channel id and `salt`). */
export const erc3009DepositSchema = z.object({
  validAfter: uint256,
  validBefore: uint256,
  salt: bytes32,
  signature: hexBytes,
});

/** Schema of the Permit2 deposit authorization (witness: the channel id; spender: the Permit2 collector). */
export const permit2DepositSchema = z.object({
  from: address,
  permitted: z.object({ token: address, amount: uint256 }),
  spender: address,
  nonce: uint256,
  deadline: uint256,
  witness: z.object({ channelId: bytes32 }),
  signature: hexBytes,
});

/** Schema of the `deposit` payload: channel, first voucher and the token authorization. */
export const depositPayloadSchema = z.object({
  type: z.literal('deposit'),
  channelConfig: channelConfigSchema,
  voucher: voucherSchema,
  deposit: z.object({
    amount: uint128,
    authorization: z.union([
      z.object({ erc3009Authorization: erc3009DepositSchema }),
      z.object({ permit2Authorization: permit2DepositSchema }),
    ]),
  }),
});

/** Schema of the `voucher` payload. */
export const voucherPayloadSchema = z.object({
  type: z.literal('voucher'),
  channelConfig: channelConfigSchema,
  voucher: voucherSchema,
});

/** One claim row: the voucher (with its full channel config), its signature and the new total claimed. */
export const claimEntrySchema = z.object({
  voucher: z.object({ channel: channelConfigSchema, maxClaimableAmount: uint128 }),
  signature: hexBytes,
  totalClaimed: uint128,
});

/**
 * Schema of the `refund` payload: as the client sends it (zero-charge voucher, optional `amount`), and
 * the fields the server adds before its facilitator settles it.
 */
export const refundPayloadSchema = z.object({
  type: z.literal('refund'),
  channelConfig: channelConfigSchema,
  voucher: voucherSchema,
  amount: uint128.optional(),
  refundNonce: uint256.optional(),
  claims: z.array(claimEntrySchema).optional(),
  refundAuthorizerSignature: hexBytes.optional(),
  claimAuthorizerSignature: hexBytes.optional(),
});

/** Schema of the server's `claim` payload: many channels' vouchers in one transaction. */
export const claimPayloadSchema = z.object({
  type: z.literal('claim'),
  claims: z.array(claimEntrySchema).min(1),
  claimAuthorizerSignature: hexBytes.optional(),
});

/** Schema of the server's `settle` payload: sweep what was claimed for a receiver and token. */
export const settlePayloadSchema = z.object({
  type: z.literal('settle'),
  receiver: address,
  token: address,
});

/** A `deposit` payload. */
export type DepositPayload = z.infer<typeof depositPayloadSchema>;
/** A `voucher` payload. */
export type VoucherPayload = z.infer<typeof voucherPayloadSchema>;
/** A `refund` payload (client form, or completed by the server). */
export type RefundPayload = z.infer<typeof refundPayloadSchema>;
/** A `claim` payload. */
export type ClaimPayload = z.infer<typeof claimPayloadSchema>;
/** A `settle` payload. */
export type SettlePayload = z.infer<typeof settlePayloadSchema>;
/** One claim row. */
export type ClaimEntry = z.infer<typeof claimEntrySchema>;
/** Any `batch-settlement` payload. */
export type BatchPayload = DepositPayload | VoucherPayload | RefundPayload | ClaimPayload | SettlePayload;

const schemas = {
  deposit: [depositPayloadSchema, BatchSettlementReasons.depositPayload],
  voucher: [voucherPayloadSchema, BatchSettlementReasons.voucherPayload],
  refund: [refundPayloadSchema, BatchSettlementReasons.refundPayload],
  claim: [claimPayloadSchema, BatchSettlementReasons.claimPayload],
  settle: [settlePayloadSchema, BatchSettlementReasons.settlePayload],
} as const;

/** What {@link readBatchPayload} answers. */
export type BatchPayloadReading =
  | { ok: true; payload: BatchPayload }
  | { ok: false; reason: string; message: string };

/**
 * Read `paymentPayload.payload` of `batch-settlement`: the typed payload, or the reason it is malformed
 * (`invalid_batch_settlement_evm_payload_type` for an unknown `type`, `..._<type>_payload` naming the
 * first bad field otherwise). `allowed` limits the types accepted (a client may not send `claim`).
 *
 * @example
 * const read = readBatchPayload(paymentPayload.payload, ['deposit', 'voucher', 'refund'])
 * if (!read.ok) return { isValid: false, invalidReason: read.reason, invalidMessage: read.message }
 */
export function readBatchPayload(
  raw: unknown,
  allowed: readonly BatchPayload['type'][] = ['deposit', 'voucher', 'refund', 'claim', 'settle'],
): BatchPayloadReading {
  const type: unknown = typeof raw === 'object' && raw !== null ? Reflect.get(raw, 'type') : undefined;
  if (typeof type !== 'string' || !(allowed as readonly string[]).includes(type)) {
    return {
      ok: false,
      reason: BatchSettlementReasons.payloadType,
      message: `payload.type must be one of ${allowed.join(', ')} (got ${JSON.stringify(type) ?? 'nothing'})`,
    };
  }
  const [schema, reason] = schemas[type as BatchPayload['type']];
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, payload: parsed.data };
  const issue = parsed.error.issues[0];
  const path = ['payload', ...(issue?.path ?? [])].join('.');
  return { ok: false, reason, message: `${path}: ${issue?.message ?? 'malformed'}` };
}
