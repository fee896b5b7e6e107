/**
 * Verification of an `exact_permit` payment, whatever the chain: the scheme and network of the
 * payment, its permit read from the wire, {@link checkPermitTerms}, the signer recovered from the
 * PaymentPermit typed data, then (on chain) {@link checkPermitFunds}. The EVM and TRON facilitators
 * run exactly this with the same reasons and messages; a {@link PermitVerifyChain} holds what differs:
 * how networks and addresses are written, where the fee and the allowed tokens come from, and how the
 * nonce, allowance and balance are read.
 */
import type { ChainAddresses, PaymentPayload, PaymentRequirements, VerifyResponse } from '@x402kit/core';
import { type Hex, recoverTypedDataAddress } from 'viem';
import {
  checkPermitFunds,
  checkPermitTerms,
  type PermitCheckFailure,
  type PermitFunds,
  type PermitTerms,
  showAddress,
} from './check-permit-terms.js';
import { ExactPermitReasons } from './reasons.js';
import {
  buildPaymentPermitTypedData,
  type PaymentPermitDomain,
  type PaymentPermitMessage,
} from './typed-data.js';

/**
 * A permit read from a payload (20-byte `0x` addresses), or why it could not be.
 *
 * @example
 * const read: PermitPayloadRead = { ok: false, reason: 'invalid_exact_permit_payload', message: 'no signature' };
 */
export type PermitPayloadRead =
  | { ok: true; permit: PaymentPermitMessage; signature: Hex }
  | { ok: false; reason: string; message: string; payer?: string };

/**
 * What a facilitator verifies `exact_permit` payments against, on a chain whose served networks are
 * `Network` and whose network names (the keys of fees and allowed tokens) are `Name`.
 *
 * @example
 * const ctx: PermitVerifyContext<Served> = { networkFor, fees, callers: new Set([caller]), allowedAssets: undefined, validBeforeMarginSeconds: 6 };
 */
export type PermitVerifyContext<Network, Name extends string = string> = {
  /** The served network for an id. */
  networkFor(network: string): Network | undefined;
  /** The fee for a token (in the chain's address form) on a network, or `undefined` when not served. */
  fees: (network: Name, asset: string) => { feeTo: string; amount: bigint } | undefined;
  /** The settlement addresses in the chain's key form: a permit's `caller` must be one. */
  callers: ReadonlySet<string>;
  /** The tokens allowed per network, in the chain's key form; absent means any token with a fee. */
  allowedAssets: ReadonlyMap<Name, ReadonlySet<string>> | undefined;
  validBeforeMarginSeconds: number;
};

/**
 * What one chain gives {@link verifyPermitPayment}, for its served network type `Network`.
 *
 * @example
 * const chain: PermitVerifyChain<Served> = { networkFor, sameNetwork, readPayload, addresses, offer, fees, domain, readFunds, contractName, validBeforeMarginSeconds: 6 };
 */
export type PermitVerifyChain<Network> = {
  /** The served network an id names, or `undefined` when this facilitator does not settle there. */
  networkFor(network: string): Network | undefined;
  /** Whether the payment's `accepted.network` names `served` (required by `requirements.network`). */
  sameNetwork(served: Network, accepted: string, required: string): boolean;
  /** The permit and signature of the payment's `payload`. */
  readPayload(payload: Record<string, unknown>): PermitPayloadRead;
  /** How the chain compares and prints addresses (`evmAddresses`, `tronAddresses`). */
  addresses: ChainAddresses;
  /**
   * The offer's `payTo` and `asset` in the chain's form, with the name of its network that fees and
   * allowed tokens are kept under; or why the offer's addresses are unreadable.
   */
  offer(
    requirements: PaymentRequirements,
    served: Network,
  ): { ok: true; network: string; payTo: string; asset: string } | ({ ok: false } & PermitCheckFailure);
  /** Whether the permit's `caller` settles for this facilitator. */
  isCaller(caller: Hex): boolean;
  /** Whether `payToken` is allowed on `network` (true when the facilitator keeps no list). */
  tokenAllowed(network: string, payToken: Hex): boolean;
  /** The facilitator's fee for `payToken` on `network`. */
  fee(network: string, payToken: Hex): PermitTerms['fee'];
  validBeforeMarginSeconds: number;
  /** The PaymentPermit typed-data domain on `served`. */
  domain(served: Network): PaymentPermitDomain;
  /** Said after "the signature is by X, not by buyer Y" (e.g. a likely cause); empty when absent. */
  signerHint?: string;
  /** Reads the buyer's nonce, allowance to PaymentPermit and balance of the token on `served`. */
  readFunds(served: Network, permit: PaymentPermitMessage, payer: string): Promise<PermitFunds>;
  /** The PaymentPermit contract on `served`, as messages name it. */
  contractName(served: Network): string;
};

/**
 * A payment that passed verification: its network, permit and signature, and the buyer in the
 * chain's own address form.
 *
 * @example
 * const { permit, signature, payer } = outcome.verified!;
 */
export type VerifiedPermit<Network> = {
  network: Network;
  permit: PaymentPermitMessage;
  signature: Hex;
  payer: string;
};

/**
 * What {@link verifyPermitPayment} returns: the `/verify` answer, and the permit when it is valid.
 *
 * @example
 * const { response, verified }: PermitVerifyOutcome<Served> = await verifyPermitPayment(chain, payload, requirements);
 */
export type PermitVerifyOutcome<Network> = { response: VerifyResponse; verified?: VerifiedPermit<Network> };

/**
 * Options of {@link verifyPermitPayment}.
 *
 * @example
 * const options: PermitVerifyOptions = { onChain: false, now: 1700000000 };
 */
export type PermitVerifyOptions = {
  /** Read nonce, allowance and balance on chain; default true. */
  onChain?: boolean;
  /** Unix seconds; default now. */
  now?: number;
};

/**
 * A chain's own `exact_permit` verify function: {@link verifyPermitPayment} on the chain that
 * `chainOf` makes from the caller's context. Each chain package exports one.
 *
 * @example
 * export const verifyExactPermitPayment = permitPaymentVerifier(evmPermitChain);
 * const { response } = await verifyExactPermitPayment(ctx, payload, requirements);
 */
export function permitPaymentVerifier<Context, Network>(
  chainOf: (ctx: Context) => PermitVerifyChain<Network>,
): (
  ctx: Context,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options?: PermitVerifyOptions,
) => Promise<PermitVerifyOutcome<Network>> {
  return (ctx, payload, requirements, options = {}) =>
    verifyPermitPayment(chainOf(ctx), payload, requirements, options);
}

/**
 * Verify `payload` against `requirements` on `chain`. Never throws for bad input; failures to read
 * the chain throw (the facilitator turns them into `unexpected_verify_error`).
 *
 * @example
 * const { response } = await verifyPermitPayment(chain, payload, requirements, { onChain: false });
 */
export async function verifyPermitPayment<Network>(
  chain: PermitVerifyChain<Network>,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options: PermitVerifyOptions = {},
): Promise<PermitVerifyOutcome<Network>> {
  const R = ExactPermitReasons;
  if (payload.accepted.scheme !== 'exact_permit' || requirements.scheme !== 'exact_permit') {
    return invalidPermit(R.scheme, `scheme must be exact_permit (got ${requirements.scheme})`);
  }
  const served = chain.networkFor(requirements.network);
  if (!served || !chain.sameNetwork(served, payload.accepted.network, requirements.network)) {
    return invalidPermit(
      R.networkMismatch,
      served
        ? `the payment is for ${payload.accepted.network}, the requirements for ${requirements.network}`
        : `this facilitator does not settle exact_permit on ${requirements.network}`,
    );
  }
  const read = chain.readPayload(payload.payload);
  if (!read.ok) return invalidPermit(read.reason, read.message, read.payer);
  const { permit, signature } = read;
  const payer = showAddress(chain.addresses, permit.buyer);
  const no = (failure: PermitCheckFailure) => invalidPermit(failure.reason, failure.message, payer);
  const offer = chain.offer(requirements, served);
  if (!offer.ok) return no(offer);
  const { network } = offer;
  const token = permit.payment.payToken;

  const failure = checkPermitTerms(
    permit,
    signature,
    {
      network,
      amount: requirements.amount,
      payTo: offer.payTo,
      asset: offer.asset,
      tokenAllowed: chain.tokenAllowed(network, token),
      isCaller: chain.isCaller(permit.caller),
      fee: chain.fee(network, token),
      now: BigInt(options.now ?? Math.floor(Date.now() / 1000)),
      validBeforeMarginSeconds: chain.validBeforeMarginSeconds,
      maxTimeoutSeconds: requirements.maxTimeoutSeconds,
    },
    chain.addresses,
  );
  if (failure) return no(failure);
  let signer: Hex;
  try {
    signer = await recoverTypedDataAddress({
      ...buildPaymentPermitTypedData(chain.domain(served), permit),
      signature,
    });
  } catch {
    return no({ reason: R.signature, message: 'the signature does not recover to an address' });
  }
  if (!chain.addresses.same(signer, payer)) {
    const message = `the signature is by ${showAddress(chain.addresses, signer)}, not by buyer ${payer}${chain.signerHint ?? ''}`;
    return no({ reason: R.signature, message });
  }

  if (options.onChain ?? true) {
    const funds = await chain.readFunds(served, permit, payer);
    const short = checkPermitFunds(permit, funds, { payer, contract: chain.contractName(served) });
    if (short) return no(short);
  }
  return { response: { isValid: true, payer }, verified: { network: served, permit, signature, payer } };
}

/**
 * A refused `/verify` answer with `reason` and `message`, naming the payer when known.
 *
 * @example
 * return invalidPermit('invalid_exact_permit_signature', 'the signature does not recover to an address', payer);
 */
export function invalidPermit(reason: string, message: string, payer?: string): { response: VerifyResponse } {
  return {
    response: { isValid: false, invalidReason: reason, invalidMessage: message, ...(payer ? { payer } : {}) },
  };
}
