/**
 * The paying side of `batch-settlement` on EVM: the first payment on a channel deposits (ERC-3009 or
 * Permit2, relayed by the facilitator) with the first voucher, every later one signs a cumulative voucher
 * `chargedCumulative + amount`, no transaction. The client checks each settlement against the spec's client
 * verification rules, recovers a lost channel from the chain, and adopts a corrective 402 only when it
 * carries a voucher signed by its own voucher signer.
 */
import {
  evmChainId,
  type PaymentPayload,
  type PaymentRequirements,
  type SchemeClient,
  type SettleResponse,
  X402Error,
} from '@x402kit/core';
import { createPublicClient, getAddress, type Hex, http, isAddress } from 'viem';
import type { ExactEvmSigner } from '../exact/client.js';
import { batchSettlementAbi } from './abi.js';
import { type ChannelConfig, computeChannelId } from './channel.js';
import {
  type ClientChannelRecord,
  type ClientChannelStorage,
  createMemoryClientChannelStorage,
} from './client-channel-storage.js';
import { signErc3009Deposit, signPermit2Deposit, signVoucher, voucherSignerOf } from './client-payload.js';
import { type RefundOptions, refundChannel } from './client-refund.js';
import { checkSettlement } from './client-settlement.js';
import {
  BATCH_SETTLEMENT_ADDRESS,
  BATCH_SETTLEMENT_SCHEME,
  MAX_WITHDRAW_DELAY,
  MIN_WITHDRAW_DELAY,
} from './constants.js';
import type { DepositPayload, RefundPayload, VoucherPayload } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';

/** How much a client deposits when a channel is opened or runs short. */
export type DepositPolicy = {
  /** Deposit this many times the request's price (default 10); the server's `extra.minDeposit` is a floor. */
  multiplier?: number;
  /** Deposit this fixed atomic amount instead (still at least what the payment needs). */
  amount?: string | bigint;
  /** Never deposit more than this (atomic); a payment that needs more is refused. */
  maxDeposit?: string | bigint;
};

/** The chain reads a client uses to recover a channel it has no record of (`channels(channelId)`). */
export type ChannelReader = { readContract(args: never): Promise<unknown> };

/** Options of {@link createBatchSettlementEvmClient}. */
export type BatchSettlementEvmClientOptions = {
  /** The payer: signs deposits (and vouchers, without `voucherSigner`). */
  signer: ExactEvmSigner;
  /** The EOA that signs vouchers (`payerAuthorizer`); default `signer`, which must then be an EOA. */
  voucherSigner?: ExactEvmSigner;
  depositPolicy?: DepositPolicy;
  /** Channel records; default in memory ({@link createFileClientChannelStorage} keeps them across restarts). */
  storage?: ClientChannelStorage;
  /** The channels' salt; default zero. */
  salt?: Hex;
  /** How deposits move tokens when the offer does not say (`extra.assetTransferMethod`); default `eip3009`. */
  assetTransferMethod?: 'eip3009' | 'permit2';
  /** Reads the escrow to recover a channel with no local record (a viem `PublicClient`). */
  publicClient?: ChannelReader;
  /** Or the RPC URL to read it through. */
  rpcUrl?: string;
};

/** A `batch-settlement` scheme client, with the channel's state and cooperative refunds. */
export type BatchSettlementEvmClient = SchemeClient & {
  /** The channel an offer opens for this client: its id, configuration and local record. */
  channelOf(
    requirements: PaymentRequirements,
  ): Promise<{ channelId: Hex; config: ChannelConfig; record: ClientChannelRecord | undefined }>;
  /**
   * Ask the server at `url` for a cooperative refund of the channel (all of its unclaimed balance, or
   * `amount`): a `refund` payload with a zero-charge voucher; answers the server's `PAYMENT-RESPONSE`.
   */
  refund(url: string, options?: RefundOptions): Promise<SettleResponse>;
};

type Channel = { chainId: number; channelId: Hex; config: ChannelConfig };

/**
 * Create the client half of `batch-settlement` on EVM, for `createX402Client` from `@x402kit/core`.
 *
 * @example
 * const batch = createBatchSettlementEvmClient({ signer: privateKeyToAccount(key), rpcUrl })
 * const pay = wrapFetchWithPayment(fetch, createX402Client({ schemes: [{ network: 'eip155:*', client: batch }] }))
 * await pay('https://api.example.com/weather') // deposit + first voucher, then vouchers only
 */
export function createBatchSettlementEvmClient(
  options: BatchSettlementEvmClientOptions,
): BatchSettlementEvmClient {
  const payer: Payer = {
    options,
    storage: options.storage ?? createMemoryClientChannelStorage(),
    voucherSigner: options.voucherSigner ?? options.signer,
    salt: (options.salt ?? `0x${'0'.repeat(64)}`).toLowerCase() as Hex,
    reader:
      options.publicClient ??
      (options.rpcUrl
        ? (createPublicClient({ transport: http(options.rpcUrl) }) as ChannelReader)
        : undefined),
  };
  const onSettlement = (payload: PaymentPayload, settlement: SettleResponse) =>
    recordSettlement(payer, payload, settlement);
  const buildRefund = (requirements: PaymentRequirements, amount: bigint | undefined) =>
    refundPayload(payer, requirements, amount);
  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    retryableRefusals: [BatchSettlementReasons.cumulativeAmountMismatch, BatchSettlementReasons.channelBusy],
    createPaymentPayload: (requirements) => createPaymentPayload(payer, requirements),
    onSettlement,
    async channelOf(requirements) {
      const { channelId, config } = channelFor(payer, requirements);
      return { channelId, config, record: await payer.storage.get(channelId) };
    },
    refund: (url, refundOptions) => refundChannel({ buildRefund, onSettlement }, url, refundOptions),
  };
}

/** One client's signers, channel records and chain reader, shared by the steps below. */
type Payer = {
  options: BatchSettlementEvmClientOptions;
  storage: ClientChannelStorage;
  voucherSigner: ExactEvmSigner;
  salt: Hex;
  reader: ChannelReader | undefined;
};

function channelFor(payer: Payer, requirements: PaymentRequirements): Channel {
  const chainId = evmChainId(requirements.network);
  if (chainId === undefined) throw offerError(`network "${requirements.network}" is not eip155:<chainId>`);
  const extra = requirements.extra ?? {};
  const receiverAuthorizer = extra.receiverAuthorizer;
  if (
    typeof receiverAuthorizer !== 'string' ||
    !isAddress(receiverAuthorizer) ||
    BigInt(receiverAuthorizer) === 0n
  )
    throw offerError('extra.receiverAuthorizer must be a non-zero address');
  const withdrawDelay = extra.withdrawDelay;
  if (
    typeof withdrawDelay !== 'number' ||
    !Number.isInteger(withdrawDelay) ||
    withdrawDelay < MIN_WITHDRAW_DELAY ||
    withdrawDelay > MAX_WITHDRAW_DELAY
  )
    throw offerError(
      `extra.withdrawDelay must be whole seconds from ${MIN_WITHDRAW_DELAY} to ${MAX_WITHDRAW_DELAY}`,
    );
  if (!isAddress(requirements.payTo) || !isAddress(requirements.asset))
    throw offerError('payTo and asset must be addresses');
  const config: ChannelConfig = {
    payer: getAddress(payer.options.signer.address),
    payerAuthorizer: getAddress(payer.voucherSigner.address),
    receiver: getAddress(requirements.payTo),
    receiverAuthorizer: getAddress(receiverAuthorizer),
    token: getAddress(requirements.asset),
    withdrawDelay,
    salt: payer.salt,
  };
  return { chainId, channelId: computeChannelId(config, chainId), config };
}

/** The channel's state from the escrow (balance, and totalClaimed as the charged baseline). */
async function fromChain(payer: Payer, channelId: Hex): Promise<ClientChannelRecord | undefined> {
  if (!payer.reader) return undefined;
  const [balance, totalClaimed] = (await payer.reader.readContract({
    address: BATCH_SETTLEMENT_ADDRESS,
    abi: batchSettlementAbi,
    functionName: 'channels',
    args: [channelId],
  } as never)) as readonly [bigint, bigint];
  return { chargedCumulativeAmount: totalClaimed.toString(), balance: balance.toString() };
}

/** The record to sign against: the stored one, a corrective 402's proven state, or the chain's. */
async function recordFor(
  payer: Payer,
  channel: Channel,
  requirements: PaymentRequirements,
): Promise<ClientChannelRecord> {
  const stored = await payer.storage.get(channel.channelId);
  if (stored?.distrust)
    throw new X402Error(
      BatchSettlementReasons.clientChannelDistrusted,
      `channel ${channel.channelId} is distrusted (${stored.distrust}); withdraw its balance instead of paying more`,
    );
  const corrected = await correctionOf(payer, channel, requirements);
  const record = corrected ?? stored ?? (await fromChain(payer, channel.channelId));
  if (corrected) await payer.storage.set(channel.channelId, corrected);
  return record ?? { chargedCumulativeAmount: '0', balance: '0' };
}

/**
 * A corrective 402's state (`extra.channelState` + `extra.voucherState`), adopted only when the voucher is
 * this client's own signature over `signedMaxClaimable` >= the charged amount; without that proof, the
 * chain's `totalClaimed` (when readable).
 */
async function correctionOf(payer: Payer, channel: Channel, requirements: PaymentRequirements) {
  const state = requirements.extra?.channelState as Record<string, unknown> | undefined;
  if (typeof state !== 'object' || state === null) return undefined;
  if (String(state.channelId).toLowerCase() !== channel.channelId) return undefined;
  const proof = requirements.extra?.voucherState as Record<string, unknown> | undefined;
  const charged = digits(state.chargedCumulativeAmount);
  const signed = digits(proof?.signedMaxClaimable);
  const balance = digits(state.balance);
  if (charged === undefined || signed === undefined || balance === undefined || charged > signed)
    return fromChain(payer, channel.channelId);
  const signer = await voucherSignerOf(channel.channelId, signed, proof?.signature as Hex, channel.chainId);
  if (signer?.toLowerCase() !== payer.voucherSigner.address.toLowerCase())
    return fromChain(payer, channel.channelId);
  return { chargedCumulativeAmount: charged.toString(), balance: balance.toString() };
}

async function createPaymentPayload(payer: Payer, requirements: PaymentRequirements) {
  const channel = channelFor(payer, requirements);
  const record = await recordFor(payer, channel, requirements);
  const amount = BigInt(requirements.amount);
  const maxClaimable = BigInt(record.chargedCumulativeAmount) + amount;
  const voucher = await signVoucher(payer.voucherSigner, channel.channelId, maxClaimable, channel.chainId);
  const balance = BigInt(record.balance);
  if (maxClaimable <= balance) {
    const payload: VoucherPayload = { type: 'voucher', channelConfig: channel.config, voucher };
    return { payload };
  }
  const deposit = depositAmount(requirements, maxClaimable - balance, payer.options.depositPolicy);
  const authorization = await signDeposit(payer, requirements, channel, deposit);
  const payload: DepositPayload = {
    type: 'deposit',
    channelConfig: channel.config,
    voucher,
    deposit: { amount: deposit.toString(), authorization },
  };
  return { payload };
}

/** The payer's signed authorization to move `deposit` into the channel (Permit2 or ERC-3009). */
async function signDeposit(
  payer: Payer,
  requirements: PaymentRequirements,
  channel: Channel,
  deposit: bigint,
): Promise<DepositPayload['deposit']['authorization']> {
  const { options } = payer;
  const method = requirements.extra?.assetTransferMethod ?? options.assetTransferMethod ?? 'eip3009';
  const terms = {
    chainId: channel.chainId,
    channelId: channel.channelId,
    token: channel.config.token,
    amount: deposit,
    deadline: Math.floor(Date.now() / 1000) + requirements.maxTimeoutSeconds,
  };
  if (method === 'permit2') return signPermit2Deposit(options.signer, terms);
  const { name, version } = requirements.extra ?? {};
  if (typeof name !== 'string' || typeof version !== 'string')
    throw offerError(
      "extra.name and extra.version (the token's EIP-712 domain) are needed for an ERC-3009 deposit",
    );
  return signErc3009Deposit(options.signer, { ...terms, tokenDomain: { name, version } });
}

async function recordSettlement(
  payer: Payer,
  payload: PaymentPayload,
  settlement: SettleResponse,
): Promise<void> {
  if (payload.accepted.scheme !== BATCH_SETTLEMENT_SCHEME || !settlement.success) return;
  const verdict = checkSettlement(payload, settlement);
  if (!verdict) return;
  const { storage } = payer;
  const stored = await storage.get(verdict.channelId);
  if ('distrust' in verdict) {
    await storage.set(verdict.channelId, {
      ...(stored ?? { chargedCumulativeAmount: '0', balance: '0' }),
      distrust: verdict.distrust,
    });
    return;
  }
  // concurrent answers may arrive out of order: the charged total only grows
  if (stored && BigInt(stored.chargedCumulativeAmount) > BigInt(verdict.record.chargedCumulativeAmount))
    return;
  await storage.set(verdict.channelId, {
    ...verdict.record,
    ...(stored?.distrust ? { distrust: stored.distrust } : {}),
  });
}

async function refundPayload(
  payer: Payer,
  requirements: PaymentRequirements,
  amount: bigint | undefined,
): Promise<RefundPayload> {
  const channel = channelFor(payer, requirements);
  const record = await recordFor(payer, channel, requirements);
  const charged = BigInt(record.chargedCumulativeAmount);
  const voucher = await signVoucher(payer.voucherSigner, channel.channelId, charged, channel.chainId);
  return {
    type: 'refund',
    channelConfig: channel.config,
    voucher,
    ...(amount === undefined ? {} : { amount: amount.toString() }),
  };
}

/** The deposit for a payment that needs `needed` more: the policy's target, the server's floor, the cap. */
function depositAmount(
  requirements: PaymentRequirements,
  needed: bigint,
  policy: DepositPolicy | undefined,
): bigint {
  const price = BigInt(requirements.amount);
  const floor = digits(requirements.extra?.minDeposit) ?? 0n;
  const target =
    policy?.amount !== undefined ? BigInt(policy.amount) : price * BigInt(policy?.multiplier ?? 10);
  let deposit = [needed, floor, target].reduce((a, b) => (a > b ? a : b));
  if (policy?.maxDeposit !== undefined) {
    const cap = BigInt(policy.maxDeposit);
    if (needed > cap)
      throw new X402Error(
        BatchSettlementReasons.clientDepositAboveMax,
        `this payment needs a deposit of ${needed}, above depositPolicy.maxDeposit (${cap})`,
      );
    if (deposit > cap) deposit = cap;
  }
  return deposit;
}

/** A non-negative integer from a decimal string (or a safe integer), else undefined. */
function digits(value: unknown): bigint | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return typeof value === 'string' && /^\d{1,78}$/.test(value) ? BigInt(value) : undefined;
}

function offerError(message: string): X402Error {
  return new X402Error(BatchSettlementReasons.clientOfferInvalid, `batch-settlement offer: ${message}`);
}
