/**
 * Submitting a GasFree transfer without ever calling a lost answer a failure. GasFree answers a
 * submit with the transfer's trace id; when that answer is lost (a reset, a 5xx, a timeout, a body
 * that is not GasFree's envelope, `data: null`), the transfer may have been accepted all the same.
 * Only a refusal GasFree proved (a business error such as `NonceNotMatchException`, a 4xx) is a
 * failure. Otherwise the user's GasFree account is looked up: a nonce past the permit's means the
 * permit's slot was taken (by this submit), so the transfer is on its way; a nonce that stays at the
 * permit's means the submit was not accepted. A submit is never repeated.
 */
import type { GasFreeApiClient } from './gasfree-api-client.js';
import { GasFreeError, GasFreeReasons } from './gasfree-error.js';
import type { GasFreePermitInput } from './typed-data.js';

/** How a submit ended. */
export type GasFreeSubmitOutcome =
  /** Accepted: follow the transfer by its trace id. */
  | { kind: 'accepted'; traceId: string }
  /** GasFree proved it refused the permit (nothing will be sent). */
  | { kind: 'refused'; message: string }
  /** The answer was lost and the account shows the permit was not taken: nothing will be sent. */
  | { kind: 'not-accepted'; message: string }
  /** The answer was lost and the permit may have been taken (the nonce moved, or cannot be read). */
  | { kind: 'unknown'; message: string };

export type SubmitGasFreeTransferOptions = {
  /** How long the account is looked up after a lost answer before concluding "not accepted"; default 3000 ms. */
  lookupMs?: number;
  /** Pause between lookups; default 500 ms. */
  lookupPollMs?: number;
};

/**
 * Submit `permit` once and say what became of it.
 *
 * @example
 * const submitted = await submitGasFreeTransfer(api, permit, signature)
 * if (submitted.kind === 'accepted') await api.waitForTransfer(submitted.traceId)
 */
export async function submitGasFreeTransfer(
  api: Pick<GasFreeApiClient, 'submit' | 'getAddressInfo'>,
  permit: GasFreePermitInput,
  signature: string,
  options: SubmitGasFreeTransferOptions = {},
): Promise<GasFreeSubmitOutcome> {
  let lost: string;
  try {
    return { kind: 'accepted', traceId: (await api.submit(permit, signature)).id };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (provenRefusal(error)) return { kind: 'refused', message };
    lost = message;
  }
  const nonce = BigInt(permit.nonce);
  const deadline = Date.now() + (options.lookupMs ?? 3000);
  let lastLookup = 'the GasFree account could not be read';
  for (;;) {
    try {
      const info = await api.getAddressInfo(permit.user);
      if (BigInt(info.nonce) > nonce) {
        return {
          kind: 'unknown',
          message: `the submit's answer was lost (${lost}), and the GasFree account's nonce moved to ${info.nonce} past the permit's ${nonce}: the transfer was accepted`,
        };
      }
      lastLookup = `the GasFree account's nonce is still ${info.nonce}`;
      if (Date.now() >= deadline) {
        return {
          kind: 'not-accepted',
          message: `the submit failed (${lost}), and ${lastLookup}: the transfer was not accepted; try again`,
        };
      }
    } catch (error) {
      lastLookup = `the GasFree account could not be read (${error instanceof Error ? error.message : String(error)})`;
      if (Date.now() >= deadline) break;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, options.lookupPollMs ?? 500)));
  }
  return {
    kind: 'unknown',
    message: `the submit's answer was lost (${lost}), and ${lastLookup}: the transfer may have been accepted`,
  };
}

/** A submit GasFree refused for certain: its own business error, a 4xx other than 408/429, a malformed permit. */
function provenRefusal(error: unknown): boolean {
  if (!(error instanceof GasFreeError)) return false;
  if (error.reason === GasFreeReasons.invalidPermit) return true;
  if (error.reason === GasFreeReasons.apiError) return !error.transient;
  if (error.reason === GasFreeReasons.httpError && error.status !== undefined)
    return error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
  return false;
}
