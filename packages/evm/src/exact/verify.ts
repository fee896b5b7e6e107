/**
 * Verification of an `exact` EIP-3009 payment, with the reference facilitator's reason strings and
 * precedence. The happy path costs one RPC round trip (the simulation `eth_call`) and no elliptic
 * curve work: the token itself checks the signature in the simulation, under its own EIP-712 domain,
 * which is known (cached) to be the requirement's `extra.name`/`extra.version`. Without a
 * simulation, or when a check fails, the signature is judged off chain first (local recovery, or
 * ERC-1271 for contract wallets), so a bad signature is always reported as such.
 */
import {
  authorizationTooFar,
  evmChainId,
  type PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type VerifyResponse,
  type X402Version,
} from '@x402kit/core';
import type { Address, Hex } from 'viem';
import { addressKey, isEvmAddress, sameAddress } from '../address.js';
import type { Eip3009Domain, ExactEvmAuthorization } from '../eip3009.js';
import type { EvmNetwork } from '../evm-network.js';
import {
  type Erc6492Deployment,
  type Erc6492Factories,
  simulateWithDeployment,
} from './erc6492-deployment.js';
import { payerOf, readExactEvmPayload } from './payload.js';
import { byteLength, isHexBytes, type SignatureVerdict, verifyAuthorizationSignature } from './signature.js';
import {
  diagnoseSimulationFailure,
  encodeTransferWithAuthorization,
  simulateTransfer,
} from './simulation.js';
import { transferErrorReason } from './transfer-error-reason.js';

/**
 * `validBefore` must leave at least this many seconds for the transaction to land. It may lie at most
 * `maxTimeoutSeconds` + `AUTHORIZATION_LIFETIME_SKEW_SECONDS` ahead (checked after everything the
 * reference checks, so its answers stay the reference's).
 */
export const VALID_BEFORE_MARGIN_SECONDS = 6;

/** What verification needs from the facilitator that runs it. */
export type ExactEvmVerifyContext = {
  networkFor(network: string): EvmNetwork | undefined;
  /** Lower-case asset addresses allowed per network; absent means any EIP-3009 token. */
  allowedAssets: ReadonlyMap<string, ReadonlySet<string>> | undefined;
  /** Settle 65-byte signatures through the `bytes` overload too. */
  forceBytesSignature: boolean;
  /** ERC-6492 factories this facilitator may call to deploy a payer's wallet; absent means none. */
  erc6492Factories?: Erc6492Factories;
};

/** A payment that passed verification, with what settlement needs. */
export type VerifiedExactEvmPayment = {
  net: EvmNetwork;
  asset: Address;
  payer: Address;
  authorization: ExactEvmAuthorization;
  /** The signature to submit (ERC-6492 wrapper removed). */
  signature: Hex;
  /** `transferWithAuthorization` calldata. */
  data: Hex;
  /** The counterfactual wallet's deployment to send first (ERC-6492, allowlisted factory). */
  deployment?: Erc6492Deployment;
};

/** What `verifyExactEvmPayment` returns. */
export type ExactEvmVerifyOutcome = { response: VerifyResponse; verified?: VerifiedExactEvmPayment };

/** Options of `verifyExactEvmPayment`. */
export type ExactEvmVerifyOptions = {
  x402Version: X402Version;
  /** Run the `eth_call` simulation of the transfer. */
  simulate: boolean;
  /**
   * On a failed simulation, read the token (Multicall3) to name the cause, as the reference's
   * verify does; otherwise the revert message is mapped (as its settle does). Default true.
   */
  diagnose?: boolean;
  /** `msg.sender` of the simulation; default the network's first relayer. */
  sender?: Address;
  /** Unix seconds; default now. */
  now?: number;
};

/**
 * Verify `payload` against `requirements`. Never throws for bad input; RPC failures do throw (the
 * caller turns them into `unexpected_verify_error`).
 *
 * @example
 * const { response } = await verifyExactEvmPayment(ctx, payload, requirements, { x402Version: 2, simulate: true })
 */
export async function verifyExactEvmPayment(
  ctx: ExactEvmVerifyContext,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  options: ExactEvmVerifyOptions,
): Promise<ExactEvmVerifyOutcome> {
  const raw = payload.payload;
  const knownPayer = payerOf(raw);
  const fail = (invalidReason: string, invalidMessage?: string, payer: Address | undefined = knownPayer) => ({
    response: {
      isValid: false,
      invalidReason,
      ...(invalidMessage ? { invalidMessage } : {}),
      ...(payer ? { payer } : {}),
    },
  });

  if (payload.accepted.scheme !== 'exact' || requirements.scheme !== 'exact') {
    return fail(
      Reasons.exactEvmScheme,
      `scheme must be "exact" (payload: "${payload.accepted.scheme}", requirements: "${requirements.scheme}")`,
    );
  }
  const read = readExactEvmPayload(raw);
  if (!read.ok) return fail(read.reason, read.message, read.payer);
  const { authorization, signature } = read.payload;
  const payer = authorization.from;

  const { name, version } = requirements.extra ?? {};
  if (typeof name !== 'string' || name === '' || typeof version !== 'string' || version === '') {
    return fail(
      Reasons.exactEvmMissingEip712Domain,
      'requirements.extra.name and requirements.extra.version (the token EIP-712 domain) are required',
    );
  }
  if (payload.accepted.network !== requirements.network) {
    return fail(
      Reasons.exactEvmNetworkMismatch,
      `payload is for ${payload.accepted.network}, requirements for ${requirements.network}`,
    );
  }
  const chainId = evmChainId(requirements.network);
  const net = ctx.networkFor(requirements.network);
  if (chainId === undefined || !net) {
    return fail(Reasons.invalidNetwork, `network ${requirements.network} is not served by this facilitator`);
  }
  const asset = requirements.asset;
  if (!isEvmAddress(asset)) {
    return fail(Reasons.invalidPaymentRequirements, `requirements.asset "${asset}" is not an EVM address`);
  }
  const allowed = ctx.allowedAssets?.get(requirements.network);
  if (allowed && !allowed.has(addressKey(asset))) {
    return fail(
      Reasons.invalidPaymentRequirements,
      `asset ${asset} is not accepted on ${requirements.network} by this facilitator`,
    );
  }
  if (!/^\d{1,78}$/.test(requirements.amount)) {
    return fail(
      Reasons.invalidPaymentRequirements,
      `requirements.amount "${requirements.amount}" is not a decimal string of atomic units`,
    );
  }
  if (!isEvmAddress(requirements.payTo)) {
    return fail(
      Reasons.invalidPaymentRequirements,
      `requirements.payTo "${requirements.payTo}" is not an EVM address`,
    );
  }

  const domain: Eip3009Domain = { name, version, chainId, verifyingContract: asset };
  const factories = ctx.erc6492Factories?.get(requirements.network);
  const judge = () => verifyAuthorizationSignature(net.client, domain, authorization, signature, factories);
  // The signature is judged lazily: a failure below is reported only after the signature was found
  // valid (the reference checks it first), and a successful simulation proves it on chain.
  let verdict: SignatureVerdict | undefined;
  const signatureFirst = async (reason: string, message: string) => {
    verdict ??= await judge();
    return verdict.valid ? fail(reason, message) : fail(verdict.reason, verdict.message);
  };

  if (!sameAddress(authorization.to, requirements.payTo)) {
    return signatureFirst(
      Reasons.exactEvmRecipientMismatch,
      `authorization.to ${authorization.to} is not payTo ${requirements.payTo}`,
    );
  }
  const now = BigInt(options.now ?? Math.floor(Date.now() / 1000));
  if (BigInt(authorization.validBefore) < now + BigInt(VALID_BEFORE_MARGIN_SECONDS)) {
    return signatureFirst(
      Reasons.exactEvmValidBefore,
      `authorization expires at ${authorization.validBefore}, too soon to settle (now ${now})`,
    );
  }
  if (BigInt(authorization.validAfter) > now) {
    return signatureFirst(
      Reasons.exactEvmValidAfter,
      `authorization is valid only after ${authorization.validAfter} (now ${now})`,
    );
  }
  if (BigInt(authorization.value) !== BigInt(requirements.amount)) {
    return signatureFirst(
      options.x402Version === 1
        ? Reasons.exactEvmAuthorizationValue
        : Reasons.exactEvmAuthorizationValueMismatch,
      `authorization.value ${authorization.value} differs from the required amount ${requirements.amount}`,
    );
  }

  const simulationFailure = async (message: string): Promise<ExactEvmVerifyOutcome> => {
    verdict ??= await judge();
    if (!verdict.valid) return fail(verdict.reason, verdict.message);
    const reason =
      (options.diagnose ?? true)
        ? await diagnoseSimulationFailure(net.client, {
            asset,
            authorization,
            name,
            version,
            amount: BigInt(requirements.amount),
          })
        : transferErrorReason(message);
    return fail(reason, message);
  };

  // An EOA signature (65 bytes) is simulated right away, concurrently with the (cached) token read.
  // Other signatures (ERC-1271, ERC-6492 wrapped) are judged first: their on-chain form depends on it.
  const sender = options.sender ?? net.relayers[0]?.address ?? payer;
  const ecdsa = isHexBytes(signature) && byteLength(signature) === 65 ? signature : undefined;
  const ecdsaData = ecdsa
    ? encodeTransferWithAuthorization(authorization, ecdsa, { forceBytes: ctx.forceBytesSignature })
    : undefined;
  const simulation =
    options.simulate && ecdsaData
      ? simulateTransfer(net.client, { asset, data: ecdsaData, sender })
      : undefined;
  const facts = net.cachedTokenFacts(asset) ?? (await net.loadTokenFacts(asset));
  if (!facts.isContract) {
    return signatureFirst(
      Reasons.assetNotDeployedContract,
      `asset ${asset} has no contract code on ${requirements.network}`,
    );
  }

  let proven = false;
  if (simulation) {
    const result = await simulation;
    if (!result.ok) return simulationFailure(result.message);
    // the token checked the signature under its own domain, which is ours when name and version agree
    proven = facts.name === name && facts.version === version;
  }
  let onChainSignature: Hex;
  if (proven && ecdsa) {
    onChainSignature = ecdsa;
  } else {
    verdict ??= await judge();
    if (!verdict.valid) return fail(verdict.reason, verdict.message);
    onChainSignature = verdict.signature;
  }
  const data =
    ecdsaData ??
    encodeTransferWithAuthorization(authorization, onChainSignature, { forceBytes: ctx.forceBytesSignature });
  const deployment = verdict?.valid ? verdict.deployment : undefined;
  if (options.simulate && !simulation) {
    const result = deployment
      ? await simulateWithDeployment(net.client, { deployment, call: { to: asset, data }, sender })
      : await simulateTransfer(net.client, { asset, data, sender });
    if (!result.ok) return simulationFailure(result.message);
  }
  // last, so that every payment the reference refuses is refused for the reference's reason
  const tooFar = authorizationTooFar('validBefore', BigInt(authorization.validBefore), {
    now,
    lifetimeSeconds: requirements.maxTimeoutSeconds,
  });
  if (tooFar) return fail(Reasons.exactEvmValidBeforeTooFar, tooFar);
  return {
    response: { isValid: true, payer },
    verified: {
      net,
      asset,
      payer,
      authorization,
      signature: onChainSignature,
      data,
      ...(deployment ? { deployment } : {}),
    },
  };
}
