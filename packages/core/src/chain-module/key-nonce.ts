/**
 * The nonce of a ledger key, read back from the namespaced form `identifyPayment` writes
 * (`permit2:<n>`, `paymentpermit:<n>`, `gasfree:<n>`), so reconcilers ask the chain about exactly
 * the nonce the ledger claimed.
 */
import type { PaymentKey } from './payment-key.js';

/** The nonce spaces of `identifyPayment`: one per contract that keeps its own nonces. */
export type NonceSpace = 'permit2' | 'paymentpermit' | 'gasfree';

/**
 * The decimal nonce of `key` in `space`, or `undefined` when the key belongs to another space
 * (an EIP-3009 key, another scheme).
 *
 * @example keyNonce({ network, asset, payer, nonce: 'permit2:42' }, 'permit2') // 42n
 */
export function keyNonce(key: PaymentKey, space: NonceSpace): bigint | undefined {
  const prefix = `${space}:`;
  if (!key.nonce.startsWith(prefix)) return undefined;
  const digits = key.nonce.slice(prefix.length);
  return /^\d{1,78}$/.test(digits) ? BigInt(digits) : undefined;
}
