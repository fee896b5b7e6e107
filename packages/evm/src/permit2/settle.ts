/**
 * Settlement of Permit2 payments (`exact` and `upto`): re-verify (the simulation doubling as a
 * preflight), run the sponsoring extension if any, send the proxy call from a relayer (for `upto`
 * the relayer of `witness.facilitator`), wait for the receipt by fast polling.
 */
import type { PaymentPayload, PaymentRequirements, SettleResponse } from '@x402kit/core';
import type { Address, Hex, LocalAccount } from 'viem';
import { sameAddress } from '../address.js';
import { settleFailure as failure, unminedSettle, unverifiedSettle } from '../answers.js';
import { errorText } from '../error-text.js';
import type { EvmNetwork } from '../evm-network.js';
import { deployCounterfactualWallet } from '../exact/erc6492-deployment.js';
import type { SponsoredPayment } from '../gas-sponsor-budget.js';
import { broadcastSignedTransaction } from '../relayer/broadcast-signed-transaction.js';
import { relaySettlement } from '../relayer/relay-settlement.js';
import { type RelayTiming, relayOptions, type SettleCallOptions } from '../relayer/relayed-call.js';
import type { Relayer } from '../relayer/relayer.js';
import { waitForReceipt } from '../relayer/wait-for-receipt.js';
import { readPermit2Allowance } from './approval.js';
import { approvalTopUpWei } from './approval-sponsoring.js';
import { Permit2Reasons } from './reasons.js';
import { encodePermit2SettleCall } from './settle-call.js';
import { permit2SettleErrorReason } from './settle-error-reason.js';
import {
  type Permit2Kind,
  type Permit2VerifyContext,
  type VerifiedPermit2Payment,
  verifyPermit2Payment,
} from './verify.js';

/** The `ctx` parameter of `settlePermit2Payment`. */
export type Permit2SettleContext = Permit2VerifyContext &
  RelayTiming & {
    /** Gas limit of the proxy call; default 300 000 in the factories. */
    gasLimit: bigint;
    /** Simulate the proxy call before sending it; default true in the factories. */
    preflight: boolean;
    /** The keys behind the relayers (used to fund a payer's approval gas). */
    accountFor(address: Address): LocalAccount | undefined;
    /** Highest gas an ERC-6492 deployment may take. */
    maxDeploymentGas: bigint;
  };

/** Options of `settlePermit2Payment`. */
export type Permit2SettleOptions = SettleCallOptions & { kind: Permit2Kind };

/**
 * Settle a Permit2 payment. Bad input and failed transfers are `success: false` with a reason;
 * a receipt that does not arrive in time is `settlement_pending` with the hash in `transaction`.
 * `upto` settles `requirements.amount` (the actual charge, ≤ permitted; `0` sends nothing).
 *
 * The steps: {@link reverifyPermit2Payment}, {@link chooseSender}, {@link runSponsoredSteps}
 * (deployment, approval), {@link sendSettleCall}.
 *
 * @example
 * const result = await settlePermit2Payment(ctx, payload, requirements, { kind: 'upto' })
 */
export async function settlePermit2Payment(
  ctx: Permit2SettleContext,
  paymentPayload: PaymentPayload,
  requirements: PaymentRequirements,
  options: Permit2SettleOptions,
): Promise<SettleResponse> {
  const network = paymentPayload.accepted.network;
  const reverified = await reverifyPermit2Payment(ctx, paymentPayload, requirements, options);
  if ('success' in reverified) return reverified;
  const { verified, actual } = reverified;
  const chosen = chooseSender(verified, { actual, relayer: reverified.relayer, network, kind: options.kind });
  if ('success' in chosen) return chosen;
  const settlement: Permit2Settlement = { ctx, verified, network, sender: chosen.sender, actual, options };
  return (await runSponsoredSteps(settlement, requirements.network)) ?? sendSettleCall(settlement);
}

/** A verified payment on its way to the chain, and who sends it. */
type Permit2Settlement = {
  ctx: Permit2SettleContext;
  verified: VerifiedPermit2Payment;
  /** The payload's network, as the answers name it. */
  network: string;
  sender: Relayer;
  /** `upto`: the amount to settle. */
  actual: bigint | undefined;
  options: Permit2SettleOptions;
};

/**
 * Step 1: verify again, the simulation doubling as a preflight (`exact`: from the relayer that will
 * send; `upto`: of the actual amount, against the permitted one). Answers a refusal, or the verified
 * payment with the `upto` amount and the `exact` relayer.
 */
async function reverifyPermit2Payment(
  ctx: Permit2SettleContext,
  paymentPayload: PaymentPayload,
  requirements: PaymentRequirements,
  options: Permit2SettleOptions,
): Promise<
  | SettleResponse
  | { verified: VerifiedPermit2Payment; actual: bigint | undefined; relayer: Relayer | undefined }
> {
  const { kind } = options;
  const network = paymentPayload.accepted.network;
  const net = ctx.networkFor(requirements.network);
  const permitted = readPermitted(paymentPayload.payload.permit2Authorization);
  let actual: bigint | undefined;
  let verifyRequirements = requirements;
  if (kind === 'upto') {
    if (!/^\d+$/.test(requirements.amount))
      return failure(
        network,
        Permit2Reasons.uptoSettlementExceedsAmount,
        '',
        undefined,
        'requirements.amount must be atomic units',
      );
    actual = BigInt(requirements.amount);
    if (permitted !== undefined) verifyRequirements = { ...requirements, amount: permitted.toString() };
  }
  const relayer = kind === 'exact' ? net?.nextRelayer() : undefined;
  const simulateAmount =
    actual !== undefined && permitted !== undefined && actual > 0n && actual <= permitted
      ? actual
      : undefined;
  const { response, verified } = await verifyPermit2Payment(ctx, paymentPayload, verifyRequirements, {
    kind,
    simulate: ctx.preflight,
    // exact: the reference sends without simulating and maps the revert name; upto: it re-verifies
    // with a simulation and answers the diagnosis
    mapRevert: kind === 'exact',
    ...(simulateAmount !== undefined ? { simulateAmount } : {}),
    ...(relayer ? { sender: relayer.address } : {}),
  });
  if (!response.isValid || !verified) {
    return unverifiedSettle(network, response, Permit2Reasons.simulationFailed);
  }
  return { verified, actual, relayer };
}

/**
 * Step 2: `upto`: nothing to send for `0`, a refusal above the permitted amount; then the sender:
 * `exact`'s relayer, or the relayer of `upto`'s `witness.facilitator`.
 */
function chooseSender(
  verified: VerifiedPermit2Payment,
  plan: { actual: bigint | undefined; relayer: Relayer | undefined; network: string; kind: Permit2Kind },
): SettleResponse | { sender: Relayer } {
  const { actual, network } = plan;
  const { payer } = verified;
  const auth = verified.payload.permit2Authorization;
  if (actual !== undefined) {
    if (actual === 0n) return { success: true, transaction: '', network, payer, amount: '0' };
    if (actual > BigInt(auth.permitted.amount))
      return failure(
        network,
        Permit2Reasons.uptoSettlementExceedsAmount,
        '',
        payer,
        `settlement amount ${actual} exceeds the permitted ${auth.permitted.amount}`,
      );
  }
  const sender = plan.kind === 'upto' ? relayerFor(verified.net, auth.witness.facilitator) : plan.relayer;
  if (!sender)
    return failure(
      network,
      Permit2Reasons.uptoFacilitatorMismatch,
      '',
      payer,
      'no key of witness.facilitator',
    );
  return { sender };
}

/**
 * Step 3: what must be on chain before the settle call, in the sender's nonce lane: the payer's
 * wallet (ERC-6492 through an allowlisted factory), then a sponsored approval. Resolves `undefined`
 * when all went through, else the failure.
 */
async function runSponsoredSteps(
  settlement: Permit2Settlement,
  requirementsNetwork: string,
): Promise<SettleResponse | undefined> {
  const { ctx, verified, network, sender } = settlement;
  const { payer, extension } = verified;
  const signal = settlement.options.signal;
  // the payment a sponsored spend belongs to, keyed as the ledger keys it
  const payment: SponsoredPayment = {
    network: requirementsNetwork,
    asset: verified.token,
    payer,
    nonce: `permit2:${BigInt(verified.payload.permit2Authorization.nonce)}`,
  };
  if (verified.deployment) {
    const failed = await deployCounterfactualWallet({
      relayer: sender,
      client: verified.net.client,
      deployment: verified.deployment,
      from: payer,
      sponsor: {
        budget: ctx.gasSponsorBudget,
        fees: verified.net.fees,
        maxGas: ctx.maxDeploymentGas,
        network: requirementsNetwork,
        payment,
      },
      ...relayOptions(ctx, { signal }),
    });
    if (failed) return failure(network, failed.reason, failed.transaction, payer, failed.message);
  }
  if (extension?.kind === 'erc20Approval') {
    const approved = await broadcastApproval(ctx, verified, {
      sender,
      payment,
      signedTransaction: extension.signedTransaction,
      ...(signal ? { signal } : {}),
    });
    if (approved) return failure(network, approved.reason, '', payer, approved.message);
  }
  return undefined;
}

/**
 * Step 4: send the proxy call (`upto`: of the actual amount; with the EIP-2612 permit when
 * sponsored) and wait for its receipt.
 */
async function sendSettleCall(settlement: Permit2Settlement): Promise<SettleResponse> {
  const { ctx, verified, network, sender, actual, options } = settlement;
  const { payer, extension } = verified;
  const data = encodePermit2SettleCall(verified.payload, {
    ...(actual !== undefined ? { amount: actual } : {}),
    ...(extension?.kind === 'eip2612' ? { permit2612: extension.permit2612 } : {}),
  });
  const sent = await relaySettlement({
    relayer: sender,
    call: { to: verified.proxy, data, gas: ctx.gasLimit },
    client: verified.net.client,
    ...relayOptions(ctx, options),
  });
  if (sent.kind !== 'mined') return unminedSettle(network, payer, sent, permit2SettleErrorReason);
  const { hash, receipt } = sent;
  if (receipt.status !== 'success') {
    const reason =
      options.kind === 'upto' ? Permit2Reasons.uptoTransactionFailed : Permit2Reasons.exactTransactionFailed;
    return failure(network, reason, hash, payer, `transaction ${hash} reverted`);
  }
  return {
    success: true,
    transaction: hash,
    network,
    payer,
    ...(actual !== undefined ? { amount: actual.toString() } : {}),
  };
}

function relayerFor(net: EvmNetwork, address: Address | undefined): Relayer | undefined {
  return address ? net.relayers.find((r) => sameAddress(r.address, address)) : undefined;
}

/**
 * `erc20ApprovalGasSponsoring`: when the payer's Permit2 allowance is short, top up the payer's
 * native balance by the shortfall of the approval's checked `gas x fee cap` (reserved from the
 * sponsoring budget first, sent through `sender`'s nonce lane), broadcast the payer's signed
 * approval, wait for it to succeed. Resolves `undefined` on success, else the reason.
 */
async function broadcastApproval(
  ctx: Permit2SettleContext,
  verified: VerifiedPermit2Payment,
  input: { sender: Relayer; payment: SponsoredPayment; signedTransaction: Hex; signal?: AbortSignal },
): Promise<{ reason: string; message: string } | undefined> {
  const { net, payer, token, approval } = verified;
  const { sender, signal } = input;
  const waits = {
    pollingIntervalMs: ctx.pollingIntervalMs,
    ...(signal ? { signal } : {}),
  };
  if (!approval)
    return { reason: Permit2Reasons.erc20ApprovalInvalidFormat, message: 'the approval was not priced' };
  try {
    const amount = BigInt(verified.payload.permit2Authorization.permitted.amount);
    // allowed already: the approval is not needed, and funding it would only feed the payer
    if ((await readPermit2Allowance(net.client, { token, owner: payer })) >= amount) return undefined;
    const topUp = approvalTopUpWei(approval, await net.client.getBalance({ address: payer }));
    if (topUp > 0n) {
      const reserved = await ctx.gasSponsorBudget.reserve({
        kind: 'erc20_approval_top_up',
        network: input.payment.network,
        key: sender.address,
        payer,
        payment: input.payment,
        wei: topUp,
      });
      if (!reserved.ok) return { reason: reserved.reason, message: reserved.message };
      const funded = await relaySettlement({
        relayer: sender,
        call: { to: payer, data: '0x', gas: 21_000n, value: topUp },
        client: net.client,
        receiptTimeoutMs: ctx.receiptTimeoutMs,
        ...waits,
      });
      if (funded.kind === 'refused') {
        await ctx.gasSponsorBudget.release(reserved.id);
        return {
          reason: Permit2Reasons.erc20ApprovalTxFailed,
          message: `the gas top-up was refused: ${funded.message}`,
        };
      }
      await ctx.gasSponsorBudget.commit(reserved.id, { transaction: funded.hash, wei: topUp });
      if (funded.kind === 'pending' || funded.receipt.status !== 'success')
        return {
          reason: Permit2Reasons.erc20ApprovalTxFailed,
          message: `the gas top-up ${funded.hash} did not succeed in time; the approval was not broadcast`,
        };
    }
    // a send whose outcome is unknown may have put the approval in: wait for its hash all the same
    const sent = await broadcastSignedTransaction(net.client, input.signedTransaction);
    if (sent.kind === 'refused')
      return { reason: Permit2Reasons.erc20ApprovalBroadcastFailed, message: sent.message };
    const hash = sent.hash;
    const receipt = await waitForReceipt(net.client, hash, {
      ...waits,
      timeoutMs: ctx.receiptTimeoutMs,
    });
    if (receipt?.status !== 'success')
      return { reason: Permit2Reasons.erc20ApprovalTxFailed, message: `approval ${hash} did not succeed` };
    return undefined;
  } catch (error) {
    return { reason: Permit2Reasons.erc20ApprovalBroadcastFailed, message: errorText(error) };
  }
}

function readPermitted(raw: unknown): bigint | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const permitted: unknown = Reflect.get(raw, 'permitted');
  if (typeof permitted !== 'object' || permitted === null) return undefined;
  const amount: unknown = Reflect.get(permitted, 'amount');
  return typeof amount === 'string' && /^\d{1,78}$/.test(amount) ? BigInt(amount) : undefined;
}
