/**
 * Verification of Permit2 payments (`exact` with `assetTransferMethod: "permit2"`, and `upto`), in
 * the reference's order: scheme, network, spender, recipient, (upto: facilitator), deadline,
 * validAfter, amount, token, signature, then a simulation of the proxy call with a Multicall3
 * diagnosis when it fails; last, ours: a deadline no further than the offer's `maxTimeoutSeconds`.
 */
import {
  authorizationTooFar,
  type PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type VerifyResponse,
} from '@x402kit/core';
import { type Address, getAddress, type Hex, recoverTypedDataAddress } from 'viem';
import { sameAddress } from '../address.js';
import type { EvmNetwork } from '../evm-network.js';
import {
  type Erc6492Deployment,
  type Erc6492Factories,
  readErc6492Signature,
  simulateWithDeployment,
} from '../exact/erc6492-deployment.js';
import type { GasSponsorBudget } from '../gas-sponsor-budget.js';
import {
  type ApprovalSponsoringLimits,
  type PricedApproval,
  priceSponsoredApproval,
} from './approval-sponsoring.js';
import { X402_EXACT_PERMIT2_PROXY_ADDRESS, X402_UPTO_PERMIT2_PROXY_ADDRESS } from './constants.js';
import { type Permit2Extension, readPermit2Extension } from './extensions.js';
import { readPermit2Payload } from './payload.js';
import { Permit2Reasons } from './reasons.js';
import { encodePermit2SettleCall } from './settle-call.js';
import { permit2SettleErrorReason } from './settle-error-reason.js';
import { checkPermit2Prerequisites, diagnosePermit2Failure, simulatePermit2Call } from './simulation.js';
import { buildPermit2TypedData, type Permit2Payload } from './typed-data.js';

/**
 * `deadline` must leave this many seconds for the settlement to land (reference: 6), and lie at most
 * `maxTimeoutSeconds` + `AUTHORIZATION_LIFETIME_SKEW_SECONDS` ahead (ours).
 */
export const PERMIT2_DEADLINE_MARGIN_SECONDS = 6;

/** Which Permit2 proxy a payment goes through: `exact` or `upto`. */
export type Permit2Kind = 'exact' | 'upto';

/** The `ctx` parameter of `verifyPermit2Payment`. */
export type Permit2VerifyContext = {
  networkFor(network: string): EvmNetwork | undefined;
  /** Addresses a `upto` witness may name as its facilitator (ours). */
  facilitatorAddresses: readonly Address[];
  /** Whether `erc20ApprovalGasSponsoring` is offered (the facilitator broadcasts the approval). */
  erc20ApprovalSponsoring: boolean;
  /** Whether `eip2612GasSponsoring` is offered. */
  eip2612Sponsoring: boolean;
  /** What a sponsored approval may ask for (gas limit ceiling, fee factor). */
  approvalSponsoring: ApprovalSponsoringLimits;
  /** The budget every native-gas spend on a payer's behalf is reserved from (top-ups, deployments). */
  gasSponsorBudget: GasSponsorBudget;
  /**
   * ERC-6492 factories that may deploy a payer's wallet (`exact` only), per network; absent or
   * empty: a wrapped signature of an undeployed wallet is refused (`eip6492_factory_not_allowed`).
   */
  erc6492Factories?: Erc6492Factories;
};

/** Options of `verifyPermit2Payment`. */
export type Permit2VerifyOptions = {
  kind: Permit2Kind;
  simulate: boolean;
  /** `upto`: the amount to simulate the transfer of; default `requirements.amount`. */
  simulateAmount?: bigint;
  /** Who sends the simulated call (`exact`: a relayer; `upto`: always witness.facilitator). */
  sender?: Address;
  /**
   * On a failed simulation, name a decodable revert (`InvalidNonce` -> `permit2_invalid_nonce`, as the
   * reference's settle does) before the Multicall3 diagnosis. Settlement sets it; default false.
   */
  mapRevert?: boolean;
};

/** A payment that passed verification, with what settlement needs. */
export type VerifiedPermit2Payment = {
  payload: Permit2Payload;
  payer: Address;
  token: Address;
  proxy: Address;
  net: EvmNetwork;
  extension: Permit2Extension | undefined;
  /** `erc20ApprovalGasSponsoring`: the signed approval's gas and fee cap, checked against our estimate. */
  approval?: PricedApproval;
  /** The counterfactual wallet's deployment to send first (ERC-6492, allowlisted factory). */
  deployment?: Erc6492Deployment;
};

/** What `verifyPermit2Payment` returns. */
export type Permit2VerifyOutcome = { response: VerifyResponse; verified?: VerifiedPermit2Payment };

/**
 * Verify a Permit2 payment. Never throws for bad input; RPC failures inside the simulation become
 * a diagnosis.
 *
 * @example
 * const { response } = await verifyPermit2Payment(ctx, payload, requirements, { kind: 'exact', simulate: true })
 */
export async function verifyPermit2Payment(
  ctx: Permit2VerifyContext,
  paymentPayload: PaymentPayload,
  requirements: PaymentRequirements,
  options: Permit2VerifyOptions,
): Promise<Permit2VerifyOutcome> {
  const { kind } = options;
  const read = readPermit2Payload(paymentPayload.payload, { requireFacilitator: kind === 'upto' });
  if (!read.ok) return fail(read.reason, read.payer, read.message);
  const payload = read.payload;
  const auth = payload.permit2Authorization;
  const payer = auth.from;

  if (paymentPayload.accepted.scheme !== kind || requirements.scheme !== kind) {
    return fail(kind === 'upto' ? Permit2Reasons.uptoScheme : Permit2Reasons.unsupportedPayloadType, payer);
  }
  if (paymentPayload.accepted.network !== requirements.network) {
    return fail(
      kind === 'upto' ? Permit2Reasons.uptoNetworkMismatch : Permit2Reasons.exactNetworkMismatch,
      payer,
    );
  }
  const net = ctx.networkFor(requirements.network);
  if (!net) return fail(Reasons.invalidNetwork, payer, `network ${requirements.network} is not served`);
  const proxy = kind === 'upto' ? X402_UPTO_PERMIT2_PROXY_ADDRESS : X402_EXACT_PERMIT2_PROXY_ADDRESS;
  const assetFacts = net.loadTokenFacts(getAddress(requirements.asset)).catch(() => undefined);

  if (!sameAddress(auth.spender, proxy)) return fail(Permit2Reasons.invalidSpender, payer);
  if (!sameAddress(auth.witness.to, requirements.payTo)) return fail(Permit2Reasons.recipientMismatch, payer);
  if (kind === 'upto') {
    const facilitator = auth.witness.facilitator;
    if (!facilitator || !ctx.facilitatorAddresses.some((a) => sameAddress(a, facilitator)))
      return fail(Permit2Reasons.uptoFacilitatorMismatch, payer);
  }
  const now = Math.floor(Date.now() / 1000);
  if (BigInt(auth.deadline) < BigInt(now + PERMIT2_DEADLINE_MARGIN_SECONDS))
    return fail(Permit2Reasons.deadlineExpired, payer);
  if (BigInt(auth.witness.validAfter) > BigInt(now)) return fail(Permit2Reasons.notYetValid, payer);
  if (!/^\d+$/.test(requirements.amount) || BigInt(auth.permitted.amount) !== BigInt(requirements.amount))
    return fail(Permit2Reasons.amountMismatch, payer);
  if (!sameAddress(auth.permitted.token, requirements.asset))
    return fail(Permit2Reasons.tokenMismatch, payer);

  // upto's proxy call is bound to msg.sender == witness.facilitator: it cannot be simulated behind a
  // deployment in a Multicall3 bundle, so upto never deploys (fails closed)
  const factories = kind === 'exact' ? ctx.erc6492Factories?.get(requirements.network) : undefined;
  // A plain 65-byte signature checked by the simulation: Permit2 verifies it (ECDSA or ERC-1271)
  // inside the simulated call, so the ~4 ms local recovery runs only to name a failure.
  const deferSignature = options.simulate && isPlainEcdsa(payload.signature);
  let signature: SignatureJudgement | undefined;
  const judge = async (): Promise<SignatureJudgement> => {
    signature ??= await judgeSignature(net, payload, factories);
    return signature;
  };
  const facts = await (deferSignature ? assetFacts : Promise.all([judge(), assetFacts]).then(([, f]) => f));
  if (facts && !facts.isContract) return fail(Reasons.assetNotDeployedContract, payer);
  const refusal = (s: SignatureJudgement | undefined) =>
    s?.verdict === 'refused'
      ? fail(s.reason, payer, s.message)
      : s?.verdict === 'invalid'
        ? fail(Permit2Reasons.invalidSignature, payer)
        : undefined;
  const early = refusal(signature);
  if (early) return early;
  const deployment = signature?.verdict === 'valid' ? signature.deployment : undefined;

  const token = getAddress(requirements.asset);
  const extensionRead = await readPermit2Extension(paymentPayload, {
    payer,
    token,
    eip2612: ctx.eip2612Sponsoring,
    erc20Approval: ctx.erc20ApprovalSponsoring,
    now,
  });
  if (!extensionRead.ok) {
    // a bad signature is named before a bad extension, as when the signature is checked first
    const first = deferSignature ? refusal(await judge()) : undefined;
    return first ?? fail(extensionRead.reason, payer, extensionRead.message);
  }
  const extension = extensionRead.extension;
  let approval: PricedApproval | undefined;
  if (extension?.kind === 'erc20Approval') {
    // what the facilitator would fund: checked against the chain and our own fee estimate
    const priced = await priceSponsoredApproval(extension.signedTransaction, {
      client: net.client,
      chainId: net.chainId,
      payer,
      amount: BigInt(auth.permitted.amount),
      fees: await net.fees.get(),
      limits: ctx.approvalSponsoring,
    });
    if (!priced.ok) {
      const first = deferSignature ? refusal(await judge()) : undefined;
      return first ?? fail(priced.reason, payer, priced.message);
    }
    approval = priced.approval;
  }
  const verified: VerifiedPermit2Payment = {
    payload,
    payer,
    token,
    proxy,
    net,
    extension,
    ...(approval ? { approval } : {}),
    ...(deployment ? { deployment } : {}),
  };
  // the lifetime bound is ours (the reference has none): it answers only where the reference would
  // say valid, so every refusal it gives stays the reference's
  const tooFar = authorizationTooFar('deadline', BigInt(auth.deadline), {
    now,
    lifetimeSeconds: requirements.maxTimeoutSeconds,
  });
  const valid = (): Permit2VerifyOutcome =>
    tooFar
      ? fail(
          kind === 'upto' ? Permit2Reasons.uptoDeadlineTooFar : Permit2Reasons.deadlineTooFar,
          payer,
          tooFar,
        )
      : { response: { isValid: true, payer }, verified };
  if (!options.simulate) return valid();

  const amount = BigInt(requirements.amount);
  const diagnosisInput = { proxy, token, payer, amount };
  if (extension?.kind === 'erc20Approval' && !deployment) {
    // the approval is not on chain yet: the settle call cannot be simulated alone, so the
    // signature is checked here
    const judged = refusal(await judge());
    if (judged) return judged;
    const reason = await checkPermit2Prerequisites(net.client, diagnosisInput);
    if (reason) return fail(reason, payer);
    return valid();
  }
  const data = encodePermit2SettleCall(payload, {
    ...(kind === 'upto' ? { amount: options.simulateAmount ?? amount } : {}),
    ...(extension?.kind === 'eip2612' ? { permit2612: extension.permit2612 } : {}),
  });
  const sender = kind === 'upto' ? auth.witness.facilitator : options.sender;
  const sim = deployment
    ? await simulateWithDeployment(net.client, { deployment, call: { to: proxy, data } })
    : await simulatePermit2Call(net.client, { proxy, data, ...(sender ? { sender } : {}) });
  if (!sim.ok) {
    const judged = deferSignature ? refusal(await judge()) : undefined;
    if (judged) return judged;
    const mapped = options.mapRevert && sim.errorName ? permit2SettleErrorReason(sim.errorName) : undefined;
    if (mapped && !mapped.startsWith(`${Permit2Reasons.exactTransactionFailed}:`))
      return fail(mapped, payer, sim.message);
    const reason = await diagnosePermit2Failure(net.client, diagnosisInput);
    return fail(reason, payer, sim.message);
  }
  return valid();
}

type SignatureJudgement =
  | { verdict: 'valid'; deployment?: Erc6492Deployment }
  | { verdict: 'invalid' | 'unknown' }
  | { verdict: 'refused'; reason: string; message: string };

/**
 * Local recovery first; a contract `from` is asked through the RPC (ERC-1271) and, when that fails
 * too, left to the simulation. An ERC-6492 wrapped signature of an undeployed wallet is judged only
 * when its factory is allowlisted (the RPC runs the deployment inside the `eth_call`).
 */
async function judgeSignature(
  net: EvmNetwork,
  payload: Permit2Payload,
  factories: ReadonlySet<string> | undefined,
): Promise<SignatureJudgement> {
  const auth = payload.permit2Authorization;
  const typedData = buildPermit2TypedData(net.chainId, auth);
  const raw: Hex = payload.signature;
  let wrapped: Awaited<ReturnType<typeof readErc6492Signature>>;
  try {
    wrapped = await readErc6492Signature(net.client, { signature: raw, from: auth.from, allowed: factories });
  } catch {
    return { verdict: 'unknown' };
  }
  if (wrapped.kind === 'refused')
    return { verdict: 'refused', reason: wrapped.reason, message: wrapped.message };
  if (wrapped.kind === 'deploy') {
    const ok = await net.client
      .verifyTypedData({ ...typedData, address: auth.from, signature: raw })
      .catch(() => false);
    return ok ? { verdict: 'valid', deployment: wrapped.deployment } : { verdict: 'invalid' };
  }
  const inner = wrapped.kind === 'deployed' ? wrapped.inner : raw;
  if ((inner.length - 2) / 2 === 65) {
    try {
      const recovered = await recoverTypedDataAddress({ ...typedData, signature: inner });
      if (sameAddress(recovered, auth.from)) return { verdict: 'valid' };
    } catch {
      // not a valid ECDSA signature; maybe a contract wallet's
    }
  }
  let code: Hex | undefined;
  try {
    code = await net.client.getCode({ address: auth.from });
  } catch {
    return { verdict: 'unknown' };
  }
  if (code === undefined || code === '0x') return { verdict: 'invalid' };
  try {
    const ok = await net.client.verifyTypedData({ ...typedData, address: auth.from, signature: inner });
    return { verdict: ok ? 'valid' : 'unknown' };
  } catch {
    return { verdict: 'unknown' };
  }
}

/** 65 bytes, not an ERC-6492 wrapper: what an EOA (or a 1271 wallet with a plain signature) sends. */
function isPlainEcdsa(signature: Hex): boolean {
  return (signature.length - 2) / 2 === 65;
}

function fail(reason: string, payer: Address | undefined, message?: string): Permit2VerifyOutcome {
  return {
    response: {
      isValid: false,
      invalidReason: reason,
      ...(message ? { invalidMessage: message } : {}),
      ...(payer ? { payer } : {}),
    },
  };
}
