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

/** The parts of a payment whose contract keeps its own nonce space (Permit2, PaymentPermit, GasFree). */
export type NamespacedPaymentParts = {
  /** Canonical CAIP-2 network. */
  network: string;
  /** The token, as the payload gives it. */
  asset: unknown;
  /** The signer, as the payload gives it. */
  payer: unknown;
  /** The contract's nonce space: `permit2`, `paymentpermit`, `gasfree` ... */
  space: string;
  /** The nonce, as the payload gives it (decimal or `0x` hex string, or a JSON number). */
  nonce: unknown;
};

/**
 * The ledger key of a payment in a namespaced nonce space (`permit2:<n>`), or `undefined` when a part
 * is missing or malformed. `addressOf` gives the chain's key form of an address (or `undefined`).
 *
 * @example
 * namespacedPaymentKey({ network, asset: token, payer: from, space: 'permit2', nonce: '5' }, evmAddress)
 * // { network: 'eip155:84532', asset: '0x036c…', payer: '0x7099…', nonce: 'permit2:5' }
 */
export function namespacedPaymentKey(
  parts: NamespacedPaymentParts,
  addressOf: (value: string) => string | undefined,
): PaymentKey | undefined {
  const asset = typeof parts.asset === 'string' && parts.asset !== '' ? addressOf(parts.asset) : undefined;
  const payer = typeof parts.payer === 'string' && parts.payer !== '' ? addressOf(parts.payer) : undefined;
  const nonce = uintText(parts.nonce);
  if (asset === undefined || payer === undefined || nonce === undefined) return undefined;
  return normalizePaymentKey({ network: parts.network, asset, payer, nonce: `${parts.space}:${nonce}` });
}

/** A uint as a canonical decimal string (JSON numbers and `0x` hex accepted), else `undefined`. */
function uintText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value !== 'string' || !/^(?:\d{1,78}|0x[0-9a-fA-F]{1,64})$/.test(value)) return undefined;
  return BigInt(value).toString();
}
