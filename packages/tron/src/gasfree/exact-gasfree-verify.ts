/**
 * Verification of an `exact_gasfree` payment: BofAI's checks in BofAI's order (amount, token, payTo, live
 * provider, fee, deadline, TIP-712 signature), then what GasFree would refuse at submit (account state, nonce,
 * fee floor, balance, provider deadline bounds), so a verified payment does not bounce at settle; and a
 * deadline no further than the offer's `maxTimeoutSeconds` (+ 30 s skew) ahead.
 */
import {
  authorizationTooFar,
  type PaymentPayload,
  type PaymentRequirements,
  type VerifyResponse,
  verifyRefusal,
  X402Error,
} from '@x402kit/core';
import { recoverTypedDataAddress } from 'viem';
import { sameTronAddress, toEvmHex, tronAddressBody } from '../address.js';
import { parseTronNetwork, type TronNetworkName } from '../networks.js';
import type { TronNodeClient } from '../node-client.js';
import { readTrc20Balance } from '../trc20-reads.js';
import { GASFREE_DEADLINE_MARGIN_SECONDS } from './exact-gasfree-deadline.js';
import {
  EXACT_GASFREE_SCHEME,
  type ExactGasFreePermit,
  type ReadExactGasFreePayload,
  readExactGasFreePayload,
} from './exact-gasfree-payload.js';
import { ExactGasFreeReasons } from './exact-gasfree-reasons.js';
import type { GasFreeApiClient } from './gasfree-api-client.js';
import type { GasFreeAddressInfo, GasFreeProvider } from './gasfree-api-types.js';
import { GasFreeError } from './gasfree-error.js';
import { gasFreeTypedData } from './typed-data.js';

/** One served network, as verify and settle see it. */
export interface ExactGasFreeNetwork {
  network: TronNetworkName;
  chainId: number;
  /** GasFreeController, Base58 (the TIP-712 `verifyingContract`). */
  controller: string;
  api: GasFreeApiClient;
  /** For the GasFree address's on-chain balance; without it the API's `balance` is used. */
  node?: TronNodeClient;
  /** The live provider list (cached by the facilitator). */
  providers(): Promise<GasFreeProvider[]>;
}

/** What {@link verifyExactGasFreePayment} needs. */
export interface ExactGasFreeVerifyContext {
  networkFor(network: string): ExactGasFreeNetwork | undefined;
  /** The facilitator's fee for a token (atomic units), or `undefined` when the token is not served. */
  feeFor(network: TronNetworkName, asset: string): bigint | undefined;
  /** Allowed tokens per network (20-byte bodies); absent means every token with a fee. */
  allowedAssets?: ReadonlyMap<TronNetworkName, ReadonlySet<string>>;
  /** Unix seconds; default the clock. */
  now?: () => number;
}

/** A payment that passed verification, with what settle needs. */
export interface VerifiedExactGasFree {
  read: ReadExactGasFreePayload;
  net: ExactGasFreeNetwork;
  info: GasFreeAddressInfo;
}

/** The outcome: the wire answer, and the verified payment when valid. */
export type ExactGasFreeVerifyOutcome =
  | { response: VerifyResponse; verified: VerifiedExactGasFree }
  | { response: VerifyResponse; verified?: undefined };

/** A refusal: the answer of a step that stops verification. */
type Refusal = { response: VerifyResponse; verified?: undefined };

const no = (reason: string, message: string, payer?: string): Refusal => ({
  response: verifyRefusal(reason, `exact_gasfree: ${message}`, payer),
});

/**
 * Verifies an `exact_gasfree` payment (G1 or G2 wire). Never throws for a bad payment; GasFree API failures
 * answer `gasfree_api_unavailable`.
 *
 * The steps, in BofAI's order: {@link readGasFreeOffer} (scheme, network, payload, amount, token, payTo),
 * {@link checkProviderTerms} (provider, fee, deadline), {@link checkPermitSignature}, then what GasFree
 * would refuse at submit: {@link checkGasFreeAccount}.
 *
 * @example
 * const { response, verified } = await verifyExactGasFreePayment(ctx, paymentPayload, requirements);
 * if (!response.isValid) console.log(response.invalidReason);
 */
export async function verifyExactGasFreePayment(
  ctx: ExactGasFreeVerifyContext,
  paymentPayload: PaymentPayload,
  requirements: PaymentRequirements,
): Promise<ExactGasFreeVerifyOutcome> {
  const offer = readGasFreeOffer(ctx, paymentPayload, requirements);
  if ('response' in offer) return offer;
  const { net, read } = offer;
  const payer = read.permit.user;
  try {
    const refusal =
      (await checkProviderTerms(ctx, net, read.permit, requirements)) ??
      (await checkPermitSignature(net, read));
    if (refusal) return refusal;
    const account = await checkGasFreeAccount(net, read);
    if ('response' in account) return account;
    return { response: { isValid: true, payer }, verified: { read, net, info: account.info } };
  } catch (error) {
    if (error instanceof GasFreeError || error instanceof X402Error)
      return no(ExactGasFreeReasons.apiUnavailable, error.message, payer);
    throw error;
  }
}

/**
 * Step 1, no network call: the scheme, the network (served), the payload (G1 or G2), then the permit against
 * the requirements: token allowed, value, token, receiver.
 */
function readGasFreeOffer(
  ctx: ExactGasFreeVerifyContext,
  paymentPayload: PaymentPayload,
  requirements: PaymentRequirements,
): Refusal | { net: ExactGasFreeNetwork; read: ReadExactGasFreePayload } {
  if (requirements.scheme !== EXACT_GASFREE_SCHEME)
    return no(ExactGasFreeReasons.schemeMismatch, `scheme is ${requirements.scheme}`);
  const net = ctx.networkFor(requirements.network);
  if (!net) return no(ExactGasFreeReasons.unsupportedNetwork, `${requirements.network} is not served`);
  let read: ReadExactGasFreePayload;
  try {
    read = readExactGasFreePayload(paymentPayload);
  } catch (error) {
    return no(ExactGasFreeReasons.invalidPayload, error instanceof Error ? error.message : String(error));
  }
  const { permit } = read;
  const payer = permit.user;
  const allowed = ctx.allowedAssets?.get(net.network);
  if (allowed && !allowed.has(tronAddressBody(permit.token)))
    return no(ExactGasFreeReasons.tokenNotAllowed, `${permit.token} is not allowed`, payer);
  if (permit.value < BigInt(requirements.amount))
    return no(ExactGasFreeReasons.amountMismatch, `value ${permit.value} < ${requirements.amount}`, payer);
  if (!sameTronAddress(permit.token, requirements.asset))
    return no(ExactGasFreeReasons.tokenMismatch, `token ${permit.token} is not ${requirements.asset}`, payer);
  if (!sameTronAddress(permit.receiver, requirements.payTo))
    return no(
      ExactGasFreeReasons.payToMismatch,
      `receiver ${permit.receiver} is not ${requirements.payTo}`,
      payer,
    );
  return { net, read };
}

/**
 * Step 2: the service provider is a live GasFree provider, `maxFee` covers our fee, the deadline lies ahead
 * within the provider's bounds and no further than the offer's lifetime, the permit's version is 1.
 */
async function checkProviderTerms(
  ctx: ExactGasFreeVerifyContext,
  net: ExactGasFreeNetwork,
  permit: ExactGasFreePermit,
  requirements: PaymentRequirements,
): Promise<Refusal | undefined> {
  const payer = permit.user;
  const providers = await net.providers();
  const provider = providers.find((p) => sameTronAddress(p.address, permit.serviceProvider));
  if (!provider)
    return no(
      ExactGasFreeReasons.feeToMismatch,
      `${permit.serviceProvider} is not a GasFree provider`,
      payer,
    );
  const fee = ctx.feeFor(net.network, permit.token);
  if (fee === undefined)
    return no(ExactGasFreeReasons.unsupportedToken, `no fee is configured for ${permit.token}`, payer);
  if (permit.maxFee < fee)
    return no(ExactGasFreeReasons.feeAmountMismatch, `maxFee ${permit.maxFee} < fee ${fee}`, payer);
  const now = BigInt(ctx.now?.() ?? Math.floor(Date.now() / 1000));
  if (permit.deadline <= now)
    return no(ExactGasFreeReasons.expired, `deadline ${permit.deadline} has passed`, payer);
  const { minDeadlineDuration, maxDeadlineDuration } = provider.config;
  if (permit.deadline < now + BigInt(minDeadlineDuration))
    return no(
      ExactGasFreeReasons.deadlineTooShort,
      `deadline is ${permit.deadline - now} s away; ${permit.serviceProvider} needs at least ${minDeadlineDuration} s`,
      payer,
    );
  if (permit.deadline > now + BigInt(maxDeadlineDuration))
    return no(
      ExactGasFreeReasons.deadlineTooLong,
      `deadline is ${permit.deadline - now} s away; ${permit.serviceProvider} allows at most ${maxDeadlineDuration} s`,
      payer,
    );
  // a client signs the context's validBefore (now + maxTimeoutSeconds), raised to the provider's minimum
  const lifetimeSeconds = Math.max(
    requirements.maxTimeoutSeconds,
    minDeadlineDuration + GASFREE_DEADLINE_MARGIN_SECONDS,
  );
  const tooFar = authorizationTooFar('deadline', permit.deadline, {
    now,
    lifetimeSeconds,
    why: `maxTimeoutSeconds ${requirements.maxTimeoutSeconds}, or the provider's minimum ${minDeadlineDuration} s + ${GASFREE_DEADLINE_MARGIN_SECONDS} s`,
  });
  if (tooFar) return no(ExactGasFreeReasons.deadlineTooFar, tooFar, payer);
  if (permit.version !== 1n)
    return no(ExactGasFreeReasons.invalidPayload, `version ${permit.version} is not 1`, payer);
  return undefined;
}

/** Step 3: the TIP-712 signature recovers to the permit's user, on this chain and controller. */
async function checkPermitSignature(
  net: ExactGasFreeNetwork,
  read: ReadExactGasFreePayload,
): Promise<Refusal | undefined> {
  const { permit, signature } = read;
  let signer: string | undefined;
  try {
    signer = await recoverTypedDataAddress({
      ...gasFreeTypedData({ chainId: net.chainId, controller: net.controller, permit }),
      signature,
    });
  } catch {
    signer = undefined;
  }
  if (signer === undefined || signer !== toEvmHex(permit.user))
    return no(
      ExactGasFreeReasons.invalidSignature,
      `the signature is not ${permit.user}'s over this permit on chain ${net.chainId} / controller ${net.controller}`,
      permit.user,
    );
  return undefined;
}

/**
 * Step 4, what GasFree would refuse at submit: the account (the address the client names, active or allowed
 * to submit), the nonce, the token supported, `maxFee` covering GasFree's fee, the balance covering value +
 * maxFee (on chain when a node is configured). Answers the account's info.
 */
async function checkGasFreeAccount(
  net: ExactGasFreeNetwork,
  read: ReadExactGasFreePayload,
): Promise<Refusal | { info: GasFreeAddressInfo }> {
  const { permit } = read;
  const payer = permit.user;
  const info = await net.api.getAddressInfo(permit.user);
  if (read.gasFreeAddress !== undefined && !sameTronAddress(read.gasFreeAddress, info.gasFreeAddress))
    return no(
      ExactGasFreeReasons.gasFreeAddressMismatch,
      `gasfreeAddress ${read.gasFreeAddress} is not ${info.gasFreeAddress}`,
      payer,
    );
  if (!info.active && !info.allowSubmit)
    return no(
      ExactGasFreeReasons.accountInactive,
      `the GasFree account ${info.gasFreeAddress} is not active and may not submit`,
      payer,
    );
  if (permit.nonce !== BigInt(info.nonce))
    return no(
      ExactGasFreeReasons.nonceMismatch,
      `nonce ${permit.nonce} is not the account's ${info.nonce}`,
      payer,
    );
  const asset = info.assets.find((a) => sameTronAddress(a.tokenAddress, permit.token));
  if (!asset)
    return no(ExactGasFreeReasons.unsupportedToken, `GasFree does not support ${permit.token}`, payer);
  const charged = asset.transferFee + (info.active ? 0n : asset.activateFee);
  if (permit.maxFee < charged)
    return no(
      ExactGasFreeReasons.feeAmountMismatch,
      `maxFee ${permit.maxFee} < GasFree's ${info.active ? 'transfer' : 'activation + transfer'} fee ${charged}`,
      payer,
    );
  const balance = net.node
    ? await readTrc20Balance(net.node, { token: permit.token, owner: info.gasFreeAddress })
    : asset.balance;
  if (balance !== undefined && balance < permit.value + permit.maxFee)
    return no(
      ExactGasFreeReasons.insufficientBalance,
      `GasFree address ${info.gasFreeAddress} holds ${balance} < value ${permit.value} + maxFee ${permit.maxFee}`,
      payer,
    );
  return { info };
}

/** The canonical network of a served TRON id (helper for keys). */
export function gasFreeNetworkName(network: string): TronNetworkName | undefined {
  return parseTronNetwork(network)?.network;
}
