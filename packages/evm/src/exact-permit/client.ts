/**
 * The paying side of `exact_permit` on EVM: signs a `PaymentPermitDetails` from the server's
 * `paymentPermitContext` and `extra.fee`, and sends `{ signature, paymentPermit }` exactly as
 * BofAI's 0.5.8 client does. No RPC: the allowance is the caller's business (see
 * `prepareExactPermitApproval`).
 */
import { type PaymentRequirements, Reasons, type SchemeClient, toCaip2, X402Error } from '@x402kit/core';
import {
  buildPaymentPermitDomain,
  buildPaymentPermitTypedData,
  type ExactPermitPayload,
  ExactPermitReasons,
  type PaymentPermitMessage,
  type PaymentPermitWire,
  parsePaymentPermit,
  type paymentPermitTypes,
  readOfferFee,
  readPaymentPermitContext,
} from '@x402kit/payment-permit';
import type { Address, Hex, TypedDataDefinition } from 'viem';
import { isEvmAddress } from '../address.js';
import { chainIdOf } from '../signing-chain-id.js';
import { paymentPermitAddress } from './payment-permit-address.js';

/** Anything that signs EIP-712 for one address: a viem `LocalAccount`, a wallet, a KMS. */
export type ExactPermitEvmSigner = {
  readonly address: Address;
  signTypedData(
    parameters: TypedDataDefinition<typeof paymentPermitTypes, 'PaymentPermitDetails'>,
  ): Promise<Hex>;
};

/** Options of `createExactPermitEvmClient`. */
export type ExactPermitEvmClientOptions = {
  signer: ExactPermitEvmSigner;
  /** `PaymentPermit` per network, over the known deployments. */
  paymentPermitAddress?: Readonly<Record<string, string>>;
};

/** Options of `signExactPermit`. */
export type SignExactPermitOptions = {
  paymentPermitAddress?: Readonly<Record<string, string>>;
  /** Change the wire permit before signing (tests, tools); the signature covers the result. */
  editPermit?: (permit: PaymentPermitWire) => PaymentPermitWire;
};

/**
 * Create the client half of `exact_permit` on EVM, for `createX402Client` from `@x402kit/core`.
 *
 * @example
 * const client = createX402Client({
 *   schemes: [{ network: 'eip155:*', client: createExactPermitEvmClient({ signer: privateKeyToAccount(key) }) }],
 * })
 */
export function createExactPermitEvmClient(options: ExactPermitEvmClientOptions): SchemeClient {
  return {
    scheme: 'exact_permit',
    async createPaymentPayload(requirements, ctx) {
      const payload = await signExactPermit(options.signer, requirements, ctx.extensions, {
        ...(options.paymentPermitAddress ? { paymentPermitAddress: options.paymentPermitAddress } : {}),
      });
      return { payload: { signature: payload.signature, paymentPermit: payload.paymentPermit } };
    },
  };
}

/**
 * Build and sign the permit for `requirements` under the 402's `extensions`: meta copied from
 * `paymentPermitContext`, buyer = signer, caller/feeTo/feeAmount from `extra.fee`, payment =
 * { asset, amount, payTo }. Throws {@link X402Error} when the offer cannot be paid this way.
 *
 * @example
 * const { signature, paymentPermit } = await signExactPermit(account, accepted, paymentRequired.extensions)
 */
export async function signExactPermit(
  signer: ExactPermitEvmSigner,
  requirements: PaymentRequirements,
  extensions: Record<string, unknown> | undefined,
  options: SignExactPermitOptions = {},
): Promise<ExactPermitPayload> {
  const chainId = chainIdOf(requirements.network, 'exact_permit');
  const network = toCaip2(requirements.network) ?? requirements.network;
  const contract = paymentPermitAddress(network, options.paymentPermitAddress);
  if (!contract) {
    throw new X402Error(
      ExactPermitReasons.contractNotDeployed,
      `exact_permit: no PaymentPermit contract is known on ${network}; pass paymentPermitAddress`,
    );
  }
  const { meta } = readPaymentPermitContext(extensions);
  const fee = readOfferFee(requirements.extra?.fee, isEvmAddress, 'caller and feeTo addresses');
  // the context's meta is read fresh per payment, with exactly the wire's fields in the wire's order
  let wire: PaymentPermitWire = {
    meta,
    buyer: signer.address,
    caller: fee.caller,
    payment: { payToken: requirements.asset, payAmount: requirements.amount, payTo: requirements.payTo },
    fee: { feeTo: fee.feeTo, feeAmount: fee.feeAmount },
  };
  if (options.editPermit) wire = options.editPermit(wire);
  let message: PaymentPermitMessage;
  try {
    message = parsePaymentPermit(wire);
  } catch (error) {
    throw new X402Error(
      Reasons.invalidPaymentRequirements,
      `exact_permit: cannot build the permit: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const signature = await signer.signTypedData(
    buildPaymentPermitTypedData(buildPaymentPermitDomain(chainId, contract), message),
  );
  return { signature, paymentPermit: wire };
}
