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
import type { EvmNetwork, TokenFacts } from '../evm-network.js';
import {
  type Erc6492Deployment,
  type Erc6492Factories,
  readErc6492Signature,
  simulateWithDeployment,
} from '../exact/erc6492-deployment.js';
import type { GasSponsorBudget } from '../gas-sponsor-budget.js';
import { type LazyJudgement, lazyJudgement } from '../lazy-judgement.js';
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
import { buildPermit2TypedData, type Permit2Authorization, type Permit2Payload } from './typed-data.js';

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
 * The steps, in the reference's order: {@link readPermit2Offer} (payload, scheme, network),
 * {@link checkPermit2Authorization} (spender, recipient, facilitator, deadline, validAfter, amount,
 * token), {@link checkAssetAndSignature}, {@link checkSponsoringExtension}, then
 * {@link simulateSettlement}; last, ours: {@link validUnlessTooFar}.
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
  const offer = readPermit2Offer(ctx, paymentPayload, requirements, kind);
  if ('response' in offer) return offer;
  const { payload, net } = offer;
  const auth = payload.permit2Authorization;
  const payer = auth.from;
  const proxy = kind === 'upto' ? X402_UPTO_PERMIT2_PROXY_ADDRESS : X402_EXACT_PERMIT2_PROXY_ADDRESS;
  const token = getAddress(requirements.asset);
  const assetFacts = net.loadTokenFacts(token).catch(() => undefined);
  const now = Math.floor(Date.now() / 1000);
  const broken = checkPermit2Authorization(ctx, auth, requirements, { kind, proxy, now });
  if (broken) return fail(broken, payer);

  // upto's proxy call is bound to msg.sender == witness.facilitator: it cannot be simulated behind a
  // deployment in a Multicall3 bundle, so upto never deploys (fails closed)
  const factories = kind === 'exact' ? ctx.erc6492Factories?.get(requirements.network) : undefined;
  const run: Permit2Run = {
    ctx,
    paymentPayload,
    requirements,
    options,
    payload,
    payer,
    net,
    proxy,
    token,
    now,
    // A plain 65-byte signature checked by the simulation: Permit2 verifies it (ECDSA or ERC-1271)
    // inside the simulated call, so the ~4 ms local recovery runs only to name a failure.
    deferSignature: options.simulate && isPlainEcdsa(payload.signature),
    signature: lazyJudgement(() => judgeSignature(net, payload, factories)),
  };
  const judged = await checkAssetAndSignature(run, assetFacts);
  if ('response' in judged) return judged;
  const sponsoring = await checkSponsoringExtension(run);
  if ('response' in sponsoring) return sponsoring;
  const verified: VerifiedPermit2Payment = {
    payload,
    payer,
    token,
    proxy,
    net,
    extension: sponsoring.extension,
    ...(sponsoring.approval ? { approval: sponsoring.approval } : {}),
    ...(judged.deployment ? { deployment: judged.deployment } : {}),
  };
  if (!options.simulate) return validUnlessTooFar(run, verified);
  return (await simulateSettlement(run, verified)) ?? validUnlessTooFar(run, verified);
}

/** A refusal: the answer of a step that stops verification. */
type Refusal = { response: VerifyResponse };

/** Everything the steps after the authorization checks work with. */
type Permit2Run = {
  ctx: Permit2VerifyContext;
  paymentPayload: PaymentPayload;
  requirements: PaymentRequirements;
  options: Permit2VerifyOptions;
  payload: Permit2Payload;
  payer: Address;
  net: EvmNetwork;
  proxy: Address;
  token: Address;
  /** Unix seconds. */
  now: number;
  /** The signature is left to the simulation, and judged locally only to name a failure. */
  deferSignature: boolean;
  /** The signature's judgement, made on first need only. */
  signature: LazyJudgement<SignatureJudgement>;
};

/** The refusal a judged signature calls for: a refused ERC-6492 wrapper, or an invalid signature. */
function signatureRefusal(s: SignatureJudgement | undefined, payer: Address): Refusal | undefined {
  return s?.verdict === 'refused'
    ? fail(s.reason, payer, s.message)
    : s?.verdict === 'invalid'
      ? fail(Permit2Reasons.invalidSignature, payer)
      : undefined;
}

/** A deferred signature's refusal, named before a later failure, as when it is checked first. */
async function deferredSignatureRefusal(run: Permit2Run): Promise<Refusal | undefined> {
  return run.deferSignature ? signatureRefusal(await run.signature.judge(), run.payer) : undefined;
}

/** Step 1: the payload's shape, the scheme (`kind`) and the network, served by this facilitator. */
function readPermit2Offer(
  ctx: Permit2VerifyContext,
  paymentPayload: PaymentPayload,
  requirements: PaymentRequirements,
  kind: Permit2Kind,
): Refusal | { payload: Permit2Payload; net: EvmNetwork } {
  const read = readPermit2Payload(paymentPayload.payload, { requireFacilitator: kind === 'upto' });
  if (!read.ok) return fail(read.reason, read.payer, read.message);
  const payer = read.payload.permit2Authorization.from;
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
  return { payload: read.payload, net };
}

/**
 * Step 2: the authorization's terms against the requirements at `now`: spender (the proxy),
 * recipient, (upto) facilitator, deadline (with the settlement margin), validAfter, amount, token.
 * Answers the first broken term's reason, or `undefined`.
 */
function checkPermit2Authorization(
  ctx: Permit2VerifyContext,
  auth: Permit2Authorization,
  requirements: PaymentRequirements,
  terms: { kind: Permit2Kind; proxy: Address; now: number },
): string | undefined {
  const { kind, proxy, now } = terms;
  if (!sameAddress(auth.spender, proxy)) return Permit2Reasons.invalidSpender;
  if (!sameAddress(auth.witness.to, requirements.payTo)) return Permit2Reasons.recipientMismatch;
  if (kind === 'upto') {
    const facilitator = auth.witness.facilitator;
    if (!facilitator || !ctx.facilitatorAddresses.some((a) => sameAddress(a, facilitator)))
      return Permit2Reasons.uptoFacilitatorMismatch;
  }
  if (BigInt(auth.deadline) < BigInt(now + PERMIT2_DEADLINE_MARGIN_SECONDS))
    return Permit2Reasons.deadlineExpired;
  if (BigInt(auth.witness.validAfter) > BigInt(now)) return Permit2Reasons.notYetValid;
  if (!/^\d+$/.test(requirements.amount) || BigInt(auth.permitted.amount) !== BigInt(requirements.amount))
    return Permit2Reasons.amountMismatch;
  if (!sameAddress(auth.permitted.token, requirements.asset)) return Permit2Reasons.tokenMismatch;
  return undefined;
}

/**
 * Step 3: the token has code (a failed read is left to the simulation); the signature, unless
 * deferred to the simulation, is judged concurrently and refused here. Answers the deployment a
 * valid ERC-6492 signature asks for.
 */
async function checkAssetAndSignature(
  run: Permit2Run,
  assetFacts: Promise<TokenFacts | undefined>,
): Promise<Refusal | { deployment?: Erc6492Deployment }> {
  const { signature, payer } = run;
  const facts = await (run.deferSignature
    ? assetFacts
    : Promise.all([signature.judge(), assetFacts]).then(([, f]) => f));
  if (facts && !facts.isContract) return fail(Reasons.assetNotDeployedContract, payer);
  const judged = signature.judged();
  const early = signatureRefusal(judged, payer);
  if (early) return early;
  return judged?.verdict === 'valid' && judged.deployment ? { deployment: judged.deployment } : {};
}

/**
 * Step 4: the sponsoring extension (`eip2612GasSponsoring` or `erc20ApprovalGasSponsoring`), when
 * offered and sent; a signed approval is priced against the chain and our own fee estimate.
 */
async function checkSponsoringExtension(
  run: Permit2Run,
): Promise<Refusal | { extension: Permit2Extension | undefined; approval?: PricedApproval }> {
  const { ctx, net, payer } = run;
  const extensionRead = await readPermit2Extension(run.paymentPayload, {
    payer,
    token: run.token,
    eip2612: ctx.eip2612Sponsoring,
    erc20Approval: ctx.erc20ApprovalSponsoring,
    now: run.now,
  });
  if (!extensionRead.ok) {
    // a bad signature is named before a bad extension, as when the signature is checked first
    return (await deferredSignatureRefusal(run)) ?? fail(extensionRead.reason, payer, extensionRead.message);
  }
  const extension = extensionRead.extension;
  if (extension?.kind !== 'erc20Approval') return { extension };
  // what the facilitator would fund: checked against the chain and our own fee estimate
  const priced = await priceSponsoredApproval(extension.signedTransaction, {
    client: net.client,
    chainId: net.chainId,
    payer,
    amount: BigInt(run.payload.permit2Authorization.permitted.amount),
    fees: await net.fees.get(),
    limits: ctx.approvalSponsoring,
  });
  if (!priced.ok) return (await deferredSignatureRefusal(run)) ?? fail(priced.reason, payer, priced.message);
  return { extension, approval: priced.approval };
}

/**
 * Step 5: the settle call simulated as it would be sent (behind the wallet's deployment when there
 * is one); with an approval not on chain yet, the signature and the payer's prerequisites instead. A
 * failure names the signature first, then a mapped revert (`mapRevert`), else the diagnosis.
 */
async function simulateSettlement(
  run: Permit2Run,
  verified: VerifiedPermit2Payment,
): Promise<Refusal | undefined> {
  const { net, options, payer, proxy, token } = run;
  const { extension, deployment } = verified;
  const amount = BigInt(run.requirements.amount);
  const diagnosisInput = { proxy, token, payer, amount };
  if (extension?.kind === 'erc20Approval' && !deployment) {
    // the approval is not on chain yet: the settle call cannot be simulated alone, so the
    // signature is checked here
    const judged = signatureRefusal(await run.signature.judge(), payer);
    if (judged) return judged;
    const reason = await checkPermit2Prerequisites(net.client, diagnosisInput);
    return reason ? fail(reason, payer) : undefined;
  }
  const data = encodePermit2SettleCall(run.payload, {
    ...(options.kind === 'upto' ? { amount: options.simulateAmount ?? amount } : {}),
    ...(extension?.kind === 'eip2612' ? { permit2612: extension.permit2612 } : {}),
  });
  const sender =
    options.kind === 'upto' ? run.payload.permit2Authorization.witness.facilitator : options.sender;
  const sim = deployment
    ? await simulateWithDeployment(net.client, { deployment, call: { to: proxy, data } })
    : await simulatePermit2Call(net.client, { proxy, data, ...(sender ? { sender } : {}) });
  if (sim.ok) return undefined;
  const judged = await deferredSignatureRefusal(run);
  if (judged) return judged;
  const mapped = options.mapRevert && sim.errorName ? permit2SettleErrorReason(sim.errorName) : undefined;
  if (mapped && !mapped.startsWith(`${Permit2Reasons.exactTransactionFailed}:`))
    return fail(mapped, payer, sim.message);
  const reason = await diagnosePermit2Failure(net.client, diagnosisInput);
  return fail(reason, payer, sim.message);
}

/**
 * Last: valid, unless the deadline lies further than the offer's `maxTimeoutSeconds` (+ skew). The
 * lifetime bound is ours (the reference has none): it answers only where the reference would say
 * valid, so every refusal it gives stays the reference's.
 */
function validUnlessTooFar(run: Permit2Run, verified: VerifiedPermit2Payment): Permit2VerifyOutcome {
  const tooFar = authorizationTooFar('deadline', BigInt(run.payload.permit2Authorization.deadline), {
    now: run.now,
    lifetimeSeconds: run.requirements.maxTimeoutSeconds,
  });
  if (!tooFar) return { response: { isValid: true, payer: run.payer }, verified };
  const reason =
    run.options.kind === 'upto' ? Permit2Reasons.uptoDeadlineTooFar : Permit2Reasons.deadlineTooFar;
  return fail(reason, run.payer, tooFar);
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
