/**
 * The server's side of SIWX in one call: read the `SIGN-IN-WITH-X` proof, check its fields against
 * the origin and path, verify its signature, use its nonce (once), and grant when the signer paid
 * for this resource before.
 */
import { X402Error } from '../protocol/errors.js';
import {
  checkSiwxFields,
  parseSiwxHeader,
  type SiwxExpectation,
  SiwxReasons,
  type SiwxRefusal,
  type SiwxVerifiers,
  verifySiwxSignature,
} from './sign-in-with-x.js';
import type { SiwxStore } from './sign-in-with-x-store.js';

/** Options of {@link authenticateSiwx}. */
export type AuthenticateSiwxOptions = SiwxExpectation & {
  verifiers: SiwxVerifiers;
  store: SiwxStore;
};

/** What {@link authenticateSiwx} decided. */
export type SiwxDecision = { ok: true; address: string } | ({ ok: false } & SiwxRefusal);

/**
 * Decide on a `SIGN-IN-WITH-X` header for the resource at `options.path`: granted with the signer's
 * address, or refused with the reason (`invalid_siwx_*`, `siwx_not_paid`). A replayed proof is
 * refused (`invalid_siwx_nonce`); the nonce is used only once its signature verified. Never throws
 * for a bad proof; a failing store rejects.
 *
 * @example
 * const decision = await authenticateSiwx(header, { origin: 'https://api.example.com', path: '/weather', verifiers, store })
 * if (decision.ok) return serveWithoutPayment()
 */
export async function authenticateSiwx(
  header: string,
  options: AuthenticateSiwxOptions,
): Promise<SiwxDecision> {
  let refusal: SiwxRefusal | undefined;
  try {
    const payload = parseSiwxHeader(header);
    refusal = checkSiwxFields(payload, options);
    if (refusal) return { ok: false, ...refusal };
    const verified = await verifySiwxSignature(payload, options.verifiers);
    if (!verified.ok) return verified;
    // the nonce binds this proof to one use; kept until the proof could no longer pass: its
    // expirationTime or the end of its issuedAt's age, whichever comes first (the same for a replay)
    const agedOut = Date.parse(payload.issuedAt) + (options.maxAgeMs ?? 300_000);
    const expiresAt = payload.expirationTime
      ? Math.min(Date.parse(payload.expirationTime), agedOut)
      : agedOut;
    if (!(await options.store.useNonce(`${payload.domain} ${payload.nonce}`, expiresAt)))
      return {
        ok: false,
        reason: SiwxReasons.nonce,
        message:
          'this sign-in nonce was already used (or is older than the nonces this server still remembers): sign a fresh challenge',
      };
    if (!(await options.store.hasPaid(options.path, verified.address)))
      return {
        ok: false,
        reason: SiwxReasons.notPaid,
        message: `${verified.address} has not paid for ${options.path}`,
      };
    return verified;
  } catch (error) {
    if (error instanceof X402Error && error.reason.startsWith('invalid_siwx'))
      return { ok: false, reason: error.reason as SiwxRefusal['reason'], message: error.message };
    throw error;
  }
}
