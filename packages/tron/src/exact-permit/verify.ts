/**
 * Verification of a TRON `exact_permit` payment: everything BofAI's facilitator checks (amount, payTo,
 * token, feeTo, fee, window, TIP-712 signature over the canonical chain id) plus what it leaves to the
 * contract (kind, caller, nonce, allowance, balance), so a payment that verifies is one that settles.
 * Network ids may come in any form (`tron:nile`, `tron:0xcd8690dc`, `tron:3448148188`).
 */
import type { PaymentPayload, PaymentRequirements, VerifyResponse } from '@x402kit/core';
import {
  buildPaymentPermitDomain,
  buildPaymentPermitTypedData,
  checkPermitFunds,
  checkPermitTerms,
  EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS,
  type PaymentPermitMessage,
  type PermitAddressForm,
} from '@x402kit/payment-permit';
import { decodeAbiParameters, encodeAbiParameters, type Hex, recoverTypedDataAddress } from 'viem';
import { toEvmHex, toTronAddress, tronAddressBody } from '../address.js';
import { parseTronNetwork, type TronNetwork, type TronNetworkName } from '../networks.js';
import type { TronNodeClient } from '../node-client.js';
import { TronNodeError } from '../node-error.js';
import { TronReasons } from '../reasons.js';
import { readTrc20Allowance, readTrc20Balance } from '../trc20-reads.js';
import type { ExactPermitTronFeeSource } from './fee.js';
import { readExactPermitTronPayload, readTronAddressField } from './permit-wire.js';
import { ExactPermitTronReasons as R } from './reasons.js';

export { EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS };

/**
 * One served TRON network: its node and its PaymentPermit (Base58).
 *
 * @example
 * const served: ExactPermitTronNetwork = { network: parseTronNetwork('tron:nile')!, node, contract: 'TFxDc…' };
 */
export type ExactPermitTronNetwork = { network: TronNetwork; node: TronNodeClient; contract: string };

/**
 * What verification needs from the facilitator.
 *
 * @example
 * const ctx: ExactPermitTronVerifyContext = { networkFor, fees, callers: new Set([body]), allowedAssets: undefined, validBeforeMarginSeconds: 6 };
 */
export type ExactPermitTronVerifyContext = {
  /** The served network for an id in any form. */
  networkFor(network: string): ExactPermitTronNetwork | undefined;
  fees: ExactPermitTronFeeSource;
  /** Settlement accounts as lowercase 20-byte `0x` bodies: a permit's `caller` must be one. */
  callers: ReadonlySet<string>;
  /** Base58 token addresses allowed per network; absent means any token with a fee. */
  allowedAssets: ReadonlyMap<TronNetworkName, ReadonlySet<string>> | undefined;
  validBeforeMarginSeconds: number;
};

/**
 * A payment that passed verification (`permit` addresses are 20-byte `0x`; `payer` is Base58).
 *
 * @example
 * const { permit, signature, payer } = outcome.verified!;
 */
export type VerifiedExactPermitTron = {
  network: ExactPermitTronNetwork;
  permit: PaymentPermitMessage;
  signature: Hex;
  payer: string;
};

/**
 * Outcome of {@link verifyExactPermitTronPayment}.
 *
 * @example
 * const { response, verified }: ExactPermitTronVerifyOutcome = await verifyExactPermitTronPayment(ctx, payload, requirements);
 */
export type ExactPermitTronVerifyOutcome = { response: VerifyResponse; verified?: VerifiedExactPermitTron };

/**
 * Options of {@link verifyExactPermitTronPayment}.
 *
 * @example
 * const options: ExactPermitTronVerifyOptions = { onChain: false, now: 1700000000 };
 */
export type ExactPermitTronVerifyOptions = {
  /** Read nonce, allowance and balance through the node; default true. */
  onChain?: boolean;
  /** Unix seconds; default now. */
  now?: number;
};

/**
 * Verifies `payload` against `requirements`. Never throws for bad input; node failures throw (the
 * facilitator turns them into `unexpected_verify_error`).
 *
 * @example
 * const { response } = await verifyExactPermitTronPayment(ctx, payload, requirements);
 * response.isValid; // true
 */
export async function verifyExactPermitTronPayment(
  ctx: ExactPermitTronVerifyContext,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options: ExactPermitTronVerifyOptions = {},
): Promise<ExactPermitTronVerifyOutcome> {
  if (payload.accepted.scheme !== 'exact_permit' || requirements.scheme !== 'exact_permit') {
    return invalid(R.scheme, `scheme must be exact_permit (got ${requirements.scheme})`);
  }
  const served = ctx.networkFor(requirements.network);
  const accepted = parseTronNetwork(payload.accepted.network);
  if (!served || accepted !== served.network) {
    return invalid(
      R.networkMismatch,
      served
        ? `the payment is for ${payload.accepted.network}, the requirements for ${requirements.network}`
        : `this facilitator does not settle exact_permit on ${requirements.network}`,
    );
  }
  const read = readExactPermitTronPayload(payload.payload);
  if (!read.ok) return invalid(read.reason, read.message, read.payer);
  const { permit, signature } = read;
  const payer = toTronAddress(permit.buyer);
  const no = (reason: string, message: string) => invalid(reason, message, payer);
  const network = served.network.network;
  const payTo = readTronAddressField(requirements.payTo, 'paymentRequirements.payTo');
  if (!payTo.ok) return no(payTo.reason, payTo.message);
  const asset = readTronAddressField(requirements.asset, 'paymentRequirements.asset');
  if (!asset.ok) return no(asset.reason, asset.message);
  const token = toTronAddress(permit.payment.payToken);

  const failure = checkPermitTerms(
    permit,
    signature,
    {
      network,
      amount: requirements.amount,
      payTo: payTo.base58,
      asset: asset.base58,
      tokenAllowed: ctx.allowedAssets?.get(network)?.has(token) ?? true,
      isCaller: ctx.callers.has(tronAddressBody(permit.caller)),
      fee: ctx.fees(network, token),
      now: BigInt(options.now ?? Math.floor(Date.now() / 1000)),
      validBeforeMarginSeconds: ctx.validBeforeMarginSeconds,
      maxTimeoutSeconds: requirements.maxTimeoutSeconds,
    },
    TRON_ADDRESS_FORM,
  );
  if (failure) return no(failure.reason, failure.message);
  const typed = buildPaymentPermitTypedData(
    buildPaymentPermitDomain(served.network.chainId, toEvmHex(served.contract)),
    permit,
  );
  let signer: string;
  try {
    signer = await recoverTypedDataAddress({ ...typed, signature });
  } catch {
    return no(R.signature, 'the signature does not recover to an address');
  }
  if (tronAddressBody(signer) !== tronAddressBody(permit.buyer))
    return no(
      R.signature,
      `the signature is by ${toTronAddress(signer)}, not by buyer ${payer} (signed for another network or contract?)`,
    );

  if (options.onChain ?? true) {
    const { node, contract } = served;
    const [nonceUsed, allowance, balance] = await Promise.all([
      readNonceUsed(node, contract, permit.buyer, permit.meta.nonce),
      readTrc20Allowance(node, { token, owner: payer, spender: contract }),
      readTrc20Balance(node, { token, owner: payer }),
    ]);
    const short = checkPermitFunds(permit, { nonceUsed, allowance, balance }, { payer, contract });
    if (short) return no(short.reason, short.message);
  }
  return { response: { isValid: true, payer }, verified: { network: served, permit, signature, payer } };
}

/**
 * PaymentPermit's `nonceUsed(owner, nonce)` through `/wallet/triggerconstantcontract`.
 *
 * @throws {TronNodeError} when the call reverts or returns no bool.
 * @example
 * await readNonceUsed(node, 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH', 'TE2H…', 123n); // false
 */
export async function readNonceUsed(
  node: TronNodeClient,
  contract: string,
  owner: string,
  nonce: bigint,
): Promise<boolean> {
  const parameter = encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [toEvmHex(owner), nonce]);
  const result = await node.triggerConstantContract({
    contract,
    owner,
    functionSelector: 'nonceUsed(address,uint256)',
    parameter,
  });
  const data = result.constantResult[0];
  if (result.reverted || data === undefined || data.length < 66) {
    throw new TronNodeError(
      TronReasons.nodeContractFailed,
      `nonceUsed on ${contract} ${result.reverted ? 'reverted' : 'returned nothing'}: is it PaymentPermit?`,
      { path: '/wallet/triggerconstantcontract' },
    );
  }
  return decodeAbiParameters([{ type: 'bool' }], `0x${data.slice(2, 66)}`)[0];
}

const TRON_ADDRESS_FORM: PermitAddressForm = {
  same: (permitAddress, other) => tronAddressBody(permitAddress) === tronAddressBody(other),
  show: toTronAddress,
};

function invalid(reason: string, message: string, payer?: string): ExactPermitTronVerifyOutcome {
  return {
    response: { isValid: false, invalidReason: reason, invalidMessage: message, ...(payer ? { payer } : {}) },
  };
}
