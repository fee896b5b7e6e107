/**
 * EIP-712 of BofAI's `PaymentPermit`: the domain has no `version` (`EIP712Domain(string name,
 * uint256 chainId,address verifyingContract)`, name `"PaymentPermit"`), the primary type is
 * `PaymentPermitDetails`. The same typed data serves TRON (TIP-712) with 20-byte hex addresses.
 */
import { eip712Types } from '@x402kit/core/internal';
import type { Address, Hex, TypedDataDefinition } from 'viem';

/** `kind` values: only `PAYMENT_ONLY` (0) exists since the contract dropped delivery. */
export const PAYMENT_PERMIT_KINDS = { PAYMENT_ONLY: 0 } as const;

/** EIP-712 name of the `PaymentPermit` domain. */
export const PAYMENT_PERMIT_DOMAIN_NAME = 'PaymentPermit';

/** The message types, referenced structs included (viem sorts them when encoding). */
export const paymentPermitTypes = eip712Types(
  'PaymentPermitDetails(PermitMeta meta,address buyer,address caller,Payment payment,Fee fee)',
  'PermitMeta(uint8 kind,bytes16 paymentId,uint256 nonce,uint256 validAfter,uint256 validBefore)',
  'Payment(address payToken,uint256 payAmount,address payTo)',
  'Fee(address feeTo,uint256 feeAmount)',
);

/** The domain: no `version` field. */
export type PaymentPermitDomain = { name: string; chainId: number; verifyingContract: Address };

/** A permit as signed and as passed to `permitTransferFrom`: numbers as bigint, addresses as hex. */
export type PaymentPermitMessage = {
  meta: { kind: number; paymentId: Hex; nonce: bigint; validAfter: bigint; validBefore: bigint };
  buyer: Address;
  caller: Address;
  payment: { payToken: Address; payAmount: bigint; payTo: Address };
  fee: { feeTo: Address; feeAmount: bigint };
};

/**
 * The EIP-712 domain of a `PaymentPermit` deployment.
 *
 * @example buildPaymentPermitDomain(97, '0x1825bB32db3443dEc2cc7508b2D818fc13EaD878')
 */
export function buildPaymentPermitDomain(chainId: number, verifyingContract: Address): PaymentPermitDomain {
  return { name: PAYMENT_PERMIT_DOMAIN_NAME, chainId, verifyingContract };
}

/**
 * The full typed-data definition, for `signTypedData`, `hashTypedData` or `recoverTypedDataAddress`.
 *
 * @example
 * const signature = await account.signTypedData(buildPaymentPermitTypedData(domain, message))
 */
export function buildPaymentPermitTypedData(
  domain: PaymentPermitDomain,
  message: PaymentPermitMessage,
): TypedDataDefinition<typeof paymentPermitTypes, 'PaymentPermitDetails'> {
  return { domain, types: paymentPermitTypes, primaryType: 'PaymentPermitDetails', message };
}
