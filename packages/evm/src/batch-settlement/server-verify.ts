/**
 * `batch-settlement` verify on the resource server: read the payload, check the channel against the
 * offer, reserve the channel for the attempt (one request per channel), check the cumulative ceiling
 * against what was charged (a corrective offer when it is off), then the voucher: locally (EIP-712, no
 * chain I/O) when the payer authorizer is an EOA and the mirrored state is fresh, else by the facilitator.
 */
import {
  type PaymentPayload,
  type PaymentRequirements,
  type SchemeSessionContext,
  type SessionVerdict,
  verifyRefusal,
} from '@x402kit/core';
import { EIP712_DOMAIN_TYPES } from '@x402kit/core/internal';
import {
  concat,
  getAddress,
  type Hex,
  hashDomain,
  hashStruct,
  isAddressEqual,
  keccak256,
  zeroAddress,
} from 'viem';
import { type ChannelConfig, computeChannelId } from './channel.js';
import type { ServerChannel } from './channel-store.js';
import { BATCH_SETTLEMENT_ADDRESS, BATCH_SETTLEMENT_DOMAIN, voucherTypes } from './constants.js';
import { readBatchPayload } from './payload.js';
import { BatchSettlementReasons as R } from './reasons.js';
import { chainIdOf } from './server-authorizer.js';
import {
  attemptOf,
  type ClientBatchPayload,
  type Onchain,
  type PendingAttempt,
  prunePending,
  readOnchain,
  type SessionConfig,
} from './server-session.js';
import { createVoucherSignatureCheck } from './voucher-signature.js';

/** Verify a client payment and reserve its channel for `ctx.attempt`; see the module comment. */
export async function verifyBatchPayment(
  session: SessionConfig,
  payment: PaymentPayload,
  requirements: PaymentRequirements,
  ctx: SchemeSessionContext,
): Promise<SessionVerdict> {
  const read = readBatchPayload(payment.payload, ['deposit', 'voucher', 'refund']);
  if (!read.ok) return verifyRefusal(read.reason, read.message);
  const payload = read.payload as ClientBatchPayload;
  const payer = payload.channelConfig.payer;
  const offerError = checkAgainstOffer(payload, requirements);
  if (offerError) return verifyRefusal(offerError[0], offerError[1], payer);
  prunePending(session);
  const channelId = payload.voucher.channelId;
  const attempt = attemptOf(ctx.attempt, payload);
  const now = session.now();
  const expiresAt = now + requirements.maxTimeoutSeconds * 1000;
  let channel: ServerChannel | undefined;
  try {
    const reserved = await session.store.reserve(channelId, {
      attempt,
      signedMaxClaimable: payload.voucher.maxClaimableAmount,
      signature: payload.voucher.signature,
      expiresAt,
    });
    if (reserved.status === 'busy') {
      const wait = Math.max(0, reserved.heldUntil - now);
      return verifyRefusal(
        R.channelBusy,
        `another request holds channel ${channelId}; retry (at most ${wait} ms)`,
        payer,
      );
    }
    channel = reserved.channel;
  } catch (error) {
    return verifyRefusal(R.channelStoreFailed, `channel store: ${(error as Error).message}`, payer);
  }
  let verdict: SessionVerdict;
  try {
    verdict = await judge(session, { payment, payload, requirements, ctx, channel, attempt, expiresAt });
  } catch (error) {
    verdict = verifyRefusal(
      R.verificationStateUnavailable,
      `verify failed: ${(error as Error).message}`,
      payer,
    );
  }
  if (!verdict.isValid) {
    session.pending.delete(attempt);
    await session.store.release(channelId, attempt).catch(() => {});
  }
  return verdict;
}

type Judged = {
  payment: PaymentPayload;
  payload: ClientBatchPayload;
  requirements: PaymentRequirements;
  ctx: SchemeSessionContext;
  channel: ServerChannel | undefined;
  attempt: string;
  expiresAt: number;
};

async function judge(session: SessionConfig, j: Judged): Promise<SessionVerdict> {
  const { payload, requirements, channel } = j;
  const payer = payload.channelConfig.payer;
  const channelId = payload.voucher.channelId;
  const signed = BigInt(payload.voucher.maxClaimableAmount);
  const increment = payload.type === 'refund' ? 0n : BigInt(requirements.amount);
  if (channel && signed !== BigInt(channel.chargedCumulativeAmount) + increment) {
    return mismatch(requirements, channel, channel, payer);
  }
  let onchain: Onchain | undefined;
  if (payload.type === 'voucher' && channel && isLocallyVerifiable(session, channel, payload)) {
    const local = await verifyLocally(payload, requirements.network, channel);
    if (local) return verifyRefusal(local[0], local[1], payer);
  } else {
    const answer = await j.ctx.facilitator.verify(j.payment, requirements);
    if (!answer.isValid) return { ...answer, payer: answer.payer ?? payer };
    onchain = readOnchain(Reflect.get(answer, 'extra'));
    if (!onchain)
      return verifyRefusal(
        R.verificationStateUnavailable,
        'the facilitator returned no channel snapshot',
        payer,
      );
  }
  // an unknown channel starts from what was claimed on chain (the spec's server state loss)
  const base = channel ? BigInt(channel.chargedCumulativeAmount) : BigInt(onchain?.totalClaimed ?? '0');
  if (!channel && signed !== base + increment) {
    return mismatch(requirements, { channelId, ...(onchain as Onchain) }, undefined, payer, base);
  }
  if (payload.type === 'refund') {
    const refusal = checkRefund(payload.amount, onchain ?? (channel as ServerChannel), base);
    if (refusal) return verifyRefusal(refusal[0], refusal[1], payer);
  }
  const entry: PendingAttempt = { channelId, base, expiresAt: j.expiresAt, ...(onchain ? { onchain } : {}) };
  session.pending.set(j.attempt, entry);
  if (payload.type === 'refund') {
    return {
      isValid: true,
      payer,
      skipHandler: { contentType: 'application/json', body: { message: 'Refund acknowledged', channelId } },
    };
  }
  return { isValid: true, payer };
}

/** The corrective refusal: the offer again, with the channel's state and its last signed voucher. */
function mismatch(
  requirements: PaymentRequirements,
  state: Onchain & { channelId: string },
  channel: ServerChannel | undefined,
  payer: string,
  charged: bigint = BigInt(channel?.chargedCumulativeAmount ?? '0'),
): SessionVerdict {
  const channelState = {
    channelId: state.channelId,
    balance: state.balance,
    totalClaimed: state.totalClaimed,
    withdrawRequestedAt: state.withdrawRequestedAt,
    refundNonce: String(state.refundNonce),
    chargedCumulativeAmount: charged.toString(),
  };
  const voucherState = channel
    ? { voucherState: { signedMaxClaimable: channel.signedMaxClaimable, signature: channel.signature } }
    : {};
  return {
    ...verifyRefusal(
      R.cumulativeAmountMismatch,
      `the voucher's maxClaimableAmount must be chargedCumulativeAmount (${charged}) plus the price`,
      payer,
    ),
    correctedRequirements: {
      ...requirements,
      extra: { ...requirements.extra, channelState, ...voucherState },
    },
  };
}

/** The channel's configuration against the offer it pays: receiver, token, authorizer, delay, id. */
function checkAgainstOffer(
  payload: ClientBatchPayload,
  requirements: PaymentRequirements,
): [string, string] | undefined {
  const config = payload.channelConfig;
  const extra = requirements.extra ?? {};
  const chainId = chainIdOf(requirements.network);
  if (Number.isNaN(chainId)) return [R.networkMismatch, `${requirements.network} is not an eip155 network`];
  if (!isAddressEqual(config.receiver, getAddress(requirements.payTo))) {
    return [R.receiverMismatch, `channelConfig.receiver must be payTo ${requirements.payTo}`];
  }
  if (!isAddressEqual(config.token, getAddress(requirements.asset))) {
    return [R.tokenMismatch, `channelConfig.token must be the asset ${requirements.asset}`];
  }
  const authorizer = extra.receiverAuthorizer;
  if (typeof authorizer !== 'string' || !isAddressEqual(config.receiverAuthorizer, getAddress(authorizer))) {
    return [R.receiverAuthorizerMismatch, `channelConfig.receiverAuthorizer must be ${String(authorizer)}`];
  }
  if (config.withdrawDelay !== extra.withdrawDelay) {
    return [R.withdrawDelayMismatch, `channelConfig.withdrawDelay must be ${String(extra.withdrawDelay)}`];
  }
  if (channelIdOf(config, chainId) !== payload.voucher.channelId) {
    return [R.channelIdMismatch, 'voucher.channelId is not the EIP-712 hash of channelConfig'];
  }
  return undefined;
}

function isLocallyVerifiable(
  session: SessionConfig,
  channel: ServerChannel,
  payload: ClientBatchPayload,
): boolean {
  return (
    !isAddressEqual(payload.channelConfig.payerAuthorizer, zeroAddress) &&
    channel.onchainSyncedAt > 0 &&
    session.now() - channel.onchainSyncedAt <= session.onchainStateTtlMs &&
    channel.withdrawRequestedAt === 0
  );
}

/** The EIP-712 voucher check against the mirrored state; the refusal, or undefined when it holds. */
async function verifyLocally(
  payload: ClientBatchPayload,
  network: string,
  channel: ServerChannel,
): Promise<[string, string] | undefined> {
  const signed = BigInt(payload.voucher.maxClaimableAmount);
  if (signed > BigInt(channel.balance)) {
    return [
      R.cumulativeExceedsBalance,
      `maxClaimableAmount ${signed} exceeds the balance ${channel.balance}`,
    ];
  }
  if (signed <= BigInt(channel.totalClaimed)) {
    return [R.cumulativeBelowClaimed, `maxClaimableAmount must exceed totalClaimed ${channel.totalClaimed}`];
  }
  const digest = voucherDigest(chainIdOf(network), payload.voucher.channelId, signed);
  const valid = await isSignedBy(digest, payload.voucher.signature, payload.channelConfig.payerAuthorizer);
  return valid
    ? undefined
    : [R.voucherSignature, 'the voucher is not signed by channelConfig.payerAuthorizer'];
}

// the request path hashes no more than it must: channel ids and domain separators are remembered, and
// each payer authorizer's public key (recovered once, then plain verification)
const isSignedBy = createVoucherSignatureCheck();
const channelIds = new Map<string, Hex>();
const domainSeparators = new Map<number, Hex>();

/** {@link computeChannelId}, remembered for the last few thousand configurations. */
function channelIdOf(config: ChannelConfig, chainId: number): Hex {
  const key = `${chainId}:${config.payer}:${config.payerAuthorizer}:${config.receiver}:${config.receiverAuthorizer}:${config.token}:${config.withdrawDelay}:${config.salt}`;
  let id = channelIds.get(key);
  if (id === undefined) {
    if (channelIds.size >= 4096) channelIds.clear();
    id = computeChannelId(config, chainId);
    channelIds.set(key, id);
  }
  return id;
}

/** The EIP-712 digest of a voucher (the same as `hashTypedData`, with the domain separator remembered). */
function voucherDigest(chainId: number, channelId: Hex, maxClaimableAmount: bigint): Hex {
  let separator = domainSeparators.get(chainId);
  if (separator === undefined) {
    separator = hashDomain({
      domain: {
        ...BATCH_SETTLEMENT_DOMAIN,
        chainId: BigInt(chainId),
        verifyingContract: BATCH_SETTLEMENT_ADDRESS,
      },
      types: EIP712_DOMAIN_TYPES,
    });
    domainSeparators.set(chainId, separator);
  }
  const struct = hashStruct({
    data: { channelId, maxClaimableAmount },
    primaryType: 'Voucher',
    types: voucherTypes,
  });
  return keccak256(concat(['0x1901', separator, struct]));
}

function checkRefund(
  amount: string | undefined,
  state: Onchain,
  charged: bigint,
): [string, string] | undefined {
  const remainder = BigInt(state.balance) - charged;
  if (remainder <= 0n) return [R.refundNoBalance, 'nothing is left in the channel to refund'];
  if (amount !== undefined && (BigInt(amount) === 0n || BigInt(amount) > remainder)) {
    return [R.refundAmountInvalid, `amount must be between 1 and ${remainder}`];
  }
  return undefined;
}
