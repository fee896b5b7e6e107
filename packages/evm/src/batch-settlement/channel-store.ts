/**
 * Where a resource server keeps its `batch-settlement` channels. Every method is atomic on its own, so
 * several server instances can share one store (PostgreSQL, Redis); the embedded stores serve one
 * process. The ordering rule lives here: a channel serves one request at a time. `reserve` takes the
 * channel for one attempt (refused while another live attempt holds it); only that attempt can
 * `commit` its charge or `release` it; a reservation whose holder died lapses at `expiresAt`, leaving
 * the channel as it was before that request.
 */
import type { Hex } from 'viem';
import type { ChannelConfig } from './channel.js';

/** What a server knows of one channel (amounts as decimal strings of a uint128). */
export type ServerChannel = {
  channelId: Hex;
  config: ChannelConfig;
  /** What this server has charged on the channel in all (served requests). */
  chargedCumulativeAmount: string;
  /** The ceiling of the latest voucher the payer signed, and its signature: what a claim presents. */
  signedMaxClaimable: string;
  signature: Hex;
  /** Mirrored from the escrow. */
  balance: string;
  totalClaimed: string;
  withdrawRequestedAt: number;
  refundNonce: string;
  /** Unix ms of the last mirror of the on-chain fields, and of the last paid request. */
  onchainSyncedAt: number;
  lastRequestAt: number;
};

/** A live reservation: the attempt that holds the channel, the voucher it presented, until when. */
export type ChannelReservation = {
  attempt: string;
  /** The voucher the attempt presented (becomes the channel's latest once committed). */
  signedMaxClaimable: string;
  signature: Hex;
  /** Unix ms after which another attempt may take the channel. */
  expiresAt: number;
};

/** What {@link ChannelStore.reserve} answers. */
export type ReserveResult =
  /** The channel is this attempt's until commit, release or `expiresAt`; `channel` is its state now. */
  | { status: 'reserved'; channel: ServerChannel | undefined }
  /** Another live attempt holds it. */
  | { status: 'busy'; heldUntil: number };

/**
 * A store of channels. Implementations: in memory, SQLite (embedded default), PostgreSQL, Redis;
 * each passes the same conformance suite.
 */
export type ChannelStore = {
  /** The channel's state, when known. */
  get(channelId: Hex): Promise<ServerChannel | undefined>;
  /** Take the channel for `reservation.attempt`, unless another live reservation holds it. */
  reserve(channelId: Hex, reservation: ChannelReservation): Promise<ReserveResult>;
  /**
   * Write the channel's new state if and only if `attempt` still holds it, and free it; false when the
   * reservation was lost (lapsed and taken by another attempt): nothing is written then.
   */
  commit(channelId: Hex, attempt: string, channel: ServerChannel): Promise<boolean>;
  /** Free the channel if `attempt` holds it; the state stays as it was. */
  release(channelId: Hex, attempt: string): Promise<void>;
  /**
   * Write the mirrored on-chain fields after a claim or refund (`totalClaimed` only grows; a
   * concurrent request's charge is kept). Unknown channels are ignored.
   */
  recordOnchain(
    channelId: Hex,
    onchain: Pick<ServerChannel, 'balance' | 'totalClaimed' | 'withdrawRequestedAt' | 'refundNonce'>,
  ): Promise<void>;
  /** Forget the channel (after a full refund). */
  delete(channelId: Hex): Promise<void>;
  /** Every channel (for the claim scheduler and metrics). */
  list(): Promise<ServerChannel[]>;
  /** Release connections. */
  close(): Promise<void>;
};
