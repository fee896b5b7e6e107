/**
 * The identity of a payment: what a payer signed once and must be settled at most once,
 * whatever resource, price or facilitator instance it is presented to.
 */

/** The identity of one payment authorization (for EIP-3009: who signed which nonce for which token). */
export type PaymentKey = {
  /** CAIP-2 network id, e.g. `eip155:84532`. */
  network: string;
  /** Token contract address. */
  asset: string;
  /** The address that signed the authorization. */
  payer: string;
  /** The authorization's nonce, as a canonical string. */
  nonce: string;
};

const HEX = /^0x[0-9a-fA-F]*$/;
const DECIMAL = /^[0-9]+$/;

/**
 * The one normalized form of a key: `0x` hex (addresses, bytes32 nonces) in lower case, decimal
 * nonces without leading zeros, everything else trimmed as it is.
 *
 * @example
 * normalizePaymentKey({ network: 'eip155:84532', asset: '0x036C…', payer: '0xAbC…', nonce: '0xFF…' })
 * // { network: 'eip155:84532', asset: '0x036c…', payer: '0xabc…', nonce: '0xff…' }
 */
export function normalizePaymentKey(key: PaymentKey): PaymentKey {
  return {
    network: key.network.trim(),
    asset: canonicalKeyPart(key.asset),
    payer: canonicalKeyPart(key.payer),
    nonce: canonicalKeyPart(key.nonce),
  };
}

/**
 * A single string for a key (for maps and logs); distinct keys give distinct strings.
 *
 * @example paymentKeyId(key) // 'eip155:84532|0x036c…|0xabc…|0xff…'
 */
export function paymentKeyId(key: PaymentKey): string {
  const k = normalizePaymentKey(key);
  return `${k.network}|${k.asset}|${k.payer}|${k.nonce}`;
}

/**
 * The canonical form of one key part: `0x` hex in lower case, decimal without leading zeros.
 *
 * @example canonicalKeyPart('0xAB') // '0xab'
 */
export function canonicalKeyPart(value: string): string {
  const v = value.trim();
  if (HEX.test(v)) return v.toLowerCase();
  if (DECIMAL.test(v)) return BigInt(v).toString();
  return v;
}
