/**
 * One signed field of a valid `exact` EVM payment (EIP-3009) changed: the authorization's
 * value, from, to, nonce, validAfter, validBefore, the signature bytes, or the network, asset,
 * payTo or amount of the offer. Every mutation really changes the value (addresses compared
 * case-insensitively, amounts as numbers), so a facilitator or server that accepts one has
 * accepted a payment nobody signed.
 *
 * The offer's asset, payTo and amount are signed through the requirements (the EIP-712 domain's
 * verifyingContract, `to`, `value`), so they change in the requirements (or in both places). A
 * change in the payment's `accepted` copy alone is not a signed change: like the reference
 * facilitator, ours does not compare `accepted.amount/asset/payTo` (the resource server already
 * deep-matched `accepted` against its offers), and such a payment is still the one that was signed.
 * The network is compared on both sides, so it changes anywhere.
 */
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import fc from 'fast-check';

/** Where an offer field is changed: in the payment's `accepted`, in the requirements, or both. */
export type MutationSide = 'payment' | 'requirements' | 'both';
/** Where a field bound by the signature through the requirements is changed. */
type BoundSide = Exclude<MutationSide, 'payment'>;

export type PaymentMutation =
  | { field: 'value' | 'validAfter' | 'validBefore'; value: string }
  | { field: 'from' | 'to'; address: string }
  | { field: 'nonce'; nonce: string }
  | { field: 'signature'; edit: SignatureEdit }
  | { field: 'network'; network: string; side: MutationSide }
  | { field: 'asset' | 'payTo'; address: string; side: BoundSide }
  | { field: 'amount'; amount: string; side: BoundSide };

type SignatureEdit =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'truncate'; keep: number }
  | { kind: 'extend'; extra: string }
  | { kind: 'replace'; hex: string };

const address = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => `0x${Buffer.from(b).toString('hex')}`);
const hex = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => `0x${Buffer.from(b).toString('hex')}`);
/** Decimal strings from 0 to 2^256 (one past uint256), small ones often. */
const uintString = fc
  .oneof(fc.bigInt({ min: 0n, max: 10_000n }), fc.bigInt({ min: 0n, max: 2n ** 256n }))
  .map(String);
const side = fc.constantFrom<MutationSide>('payment', 'requirements', 'both');
const boundSide = fc.constantFrom<BoundSide>('requirements', 'both');

/** Any one signed-field mutation. */
export const paymentMutation: fc.Arbitrary<PaymentMutation> = fc.oneof(
  fc.record({
    field: fc.constantFrom('value' as const, 'validAfter' as const, 'validBefore' as const),
    value: uintString,
  }),
  fc.record({ field: fc.constantFrom('from' as const, 'to' as const), address }),
  fc.record({ field: fc.constant('nonce' as const), nonce: hex(32, 32) }),
  fc.record({
    field: fc.constant('signature' as const),
    edit: fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat({ max: 64 }) }),
      fc.record({ kind: fc.constant('extend' as const), extra: hex(1, 40).map((h) => h.slice(2)) }),
      fc.record({ kind: fc.constant('replace' as const), hex: hex(0, 200) }),
    ),
  }),
  fc.record({
    field: fc.constant('network' as const),
    network: fc.oneof(
      fc.constantFrom('eip155:1', 'eip155:8453', 'eip155:97', 'eip155:31337', 'base', 'tron:nile'),
      fc.nat().map((n) => `eip155:${n}`),
    ),
    side,
  }),
  fc.record({ field: fc.constantFrom('asset' as const, 'payTo' as const), address, side: boundSide }),
  fc.record({ field: fc.constant('amount' as const), amount: uintString, side: boundSide }),
);

/**
 * Apply `mutation` to a copy of a signed payment and its requirements. Returns `undefined` when
 * the mutation would not change anything (the same address in another case, the same number),
 * so callers skip that case rather than call a valid payment invalid.
 *
 * @example
 * const changed = mutatePayment(payment.payload, payment.requirements, { field: 'value', value: '1' })
 */
export function mutatePayment(
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  mutation: PaymentMutation,
): { payload: PaymentPayload; requirements: PaymentRequirements } | undefined {
  const copy: PaymentPayload = structuredClone(payload);
  const reqs: PaymentRequirements = structuredClone(requirements);
  const authorization = copy.payload.authorization;
  if (typeof authorization !== 'object' || authorization === null) return undefined;
  const offerSides = (s: MutationSide) =>
    s === 'both' ? [copy.accepted, reqs] : s === 'payment' ? [copy.accepted] : [reqs];

  switch (mutation.field) {
    case 'value':
    case 'validAfter':
    case 'validBefore': {
      const before = Reflect.get(authorization, mutation.field);
      if (BigInt(String(before)) === BigInt(mutation.value)) return undefined;
      Reflect.set(authorization, mutation.field, mutation.value);
      break;
    }
    case 'from':
    case 'to': {
      if (sameAddress(Reflect.get(authorization, mutation.field), mutation.address)) return undefined;
      Reflect.set(authorization, mutation.field, mutation.address);
      break;
    }
    case 'nonce': {
      if (String(Reflect.get(authorization, 'nonce')).toLowerCase() === mutation.nonce) return undefined;
      Reflect.set(authorization, 'nonce', mutation.nonce);
      break;
    }
    case 'signature': {
      const signature = String(copy.payload.signature);
      const edited = editSignature(signature, mutation.edit);
      if (edited.toLowerCase() === signature.toLowerCase()) return undefined;
      copy.payload.signature = edited;
      break;
    }
    case 'network': {
      if (mutation.network === requirements.network) return undefined;
      for (const offer of offerSides(mutation.side)) offer.network = mutation.network;
      break;
    }
    case 'asset':
    case 'payTo': {
      if (sameAddress(requirements[mutation.field], mutation.address)) return undefined;
      for (const offer of offerSides(mutation.side)) offer[mutation.field] = mutation.address;
      break;
    }
    case 'amount': {
      if (BigInt(requirements.amount) === BigInt(mutation.amount)) return undefined;
      for (const offer of offerSides(mutation.side)) offer.amount = mutation.amount;
      break;
    }
  }
  return { payload: copy, requirements: reqs };
}

function editSignature(signature: string, edit: SignatureEdit): string {
  const digits = signature.slice(2);
  switch (edit.kind) {
    case 'flip': {
      const bytes = Buffer.from(digits, 'hex');
      if (bytes.length === 0) return `0x${edit.mask.toString(16).padStart(2, '0')}`;
      const at = edit.at % bytes.length;
      bytes[at] = (bytes[at] ?? 0) ^ edit.mask;
      return `0x${bytes.toString('hex')}`;
    }
    case 'truncate':
      return `0x${digits.slice(0, edit.keep * 2)}`;
    case 'extend':
      return `0x${digits}${edit.extra}`;
    case 'replace':
      return edit.hex;
  }
}

function sameAddress(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
}
