/**
 * The client side of a Permit2 payment, shared by `exact` (with `assetTransferMethod: 'permit2'`) and
 * `upto`: the signed `permit2Authorization`, and the gas-sponsoring extensions the 402 declared when
 * the client was given sponsoring options.
 */
import type { PaymentRequirements, SchemeClientContext, SchemeClientResult } from '@x402kit/core';
import { type Permit2Signer, signPermit2Authorization } from './sign.js';
import { type Permit2SponsoringOptions, signSponsoringExtension } from './sponsoring-client.js';

/**
 * Sign a Permit2 payment of `kind` for `requirements`, with the sponsoring extensions `ctx` declares
 * when `sponsoring` is given.
 *
 * @example
 * return createPermit2ClientPayload(signer, requirements, 'upto', ctx, options.permit2)
 */
export async function createPermit2ClientPayload(
  signer: Permit2Signer,
  requirements: PaymentRequirements,
  kind: 'exact' | 'upto',
  ctx: SchemeClientContext,
  sponsoring: Permit2SponsoringOptions | undefined,
): Promise<SchemeClientResult> {
  const payload = await signPermit2Authorization(signer, requirements, { kind });
  const extensions = sponsoring
    ? await signSponsoringExtension(sponsoring, signer.address, requirements, payload, ctx.extensions, signer)
    : undefined;
  return {
    payload: { signature: payload.signature, permit2Authorization: { ...payload.permit2Authorization } },
    ...(extensions ? { extensions } : {}),
  };
}
