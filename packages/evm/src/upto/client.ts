/**
 * The paying side of `upto` on EVM: signs a Permit2 witness authorization of a maximum amount for
 * the `upto` proxy, naming the facilitator that may settle it (`extra.facilitatorAddress`).
 */
import type { SchemeClient } from '@x402kit/core';
import { createPermit2ClientPayload } from '../permit2/permit2-client-payload.js';
import type { Permit2Signer } from '../permit2/sign.js';
import type { Permit2SponsoringOptions } from '../permit2/sponsoring-client.js';

/** Options of `createUptoEvmClient`. */
export type UptoEvmClientOptions = {
  signer: Permit2Signer;
  /** RPC reads and transaction signing for the gas-sponsoring extensions (optional). */
  permit2?: Permit2SponsoringOptions;
};

/**
 * Create the client half of `upto` on EVM, for `createX402Client` from `@x402kit/core`.
 *
 * @example
 * const client = createX402Client({
 *   schemes: [{ network: 'eip155:*', client: createUptoEvmClient({ signer: privateKeyToAccount(key) }) }],
 * })
 */
export function createUptoEvmClient(options: UptoEvmClientOptions): SchemeClient {
  const { signer } = options;
  return {
    scheme: 'upto',
    async createPaymentPayload(requirements, ctx) {
      return createPermit2ClientPayload(signer, requirements, 'upto', ctx, options.permit2);
    },
  };
}
