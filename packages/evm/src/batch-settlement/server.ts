/**
 * The resource-server side of `batch-settlement` on EVM: prices like `exact` (amount, asset, the token's
 * EIP-712 domain), offers the server's channel terms (receiver authorizer, withdrawal delay), and owns
 * its payments through a session: vouchers are checked and charged on the request path without chain
 * I/O, deposits and refunds go to the facilitator, channel state lives in a {@link ChannelStore}.
 */
import { join } from 'node:path';
import { type SchemeServer, type SchemeServerSession, X402Error } from '@x402kit/core';
import { dataDirectory } from '@x402kit/core/internal/node';
import { type Address, getAddress, isAddressEqual, zeroAddress } from 'viem';
import { createExactEvmServer, type ExactEvmMoneyParser } from '../exact/server.js';
import type { ChannelStore } from './channel-store.js';
import { BATCH_SETTLEMENT_SCHEME, MAX_WITHDRAW_DELAY, MIN_WITHDRAW_DELAY } from './constants.js';
import { createServerSession } from './create-server-session.js';
import { BatchSettlementReasons } from './reasons.js';
import type { ServerReceiverAuthorizer } from './server-authorizer.js';
import { createSqliteChannelStore } from './sqlite-channel-store.js';

/** The default channel store's file name in the data directory. */
const CHANNELS_FILE_NAME = 'x402kit-channels.db';

/** Options of {@link createBatchSettlementEvmServer}. */
export type BatchSettlementEvmServerOptions = {
  /**
   * Where channels live. Default: a SQLite file, `x402kit-channels.db` in the data directory
   * (`$X402KIT_DATA_DIR`, else `$XDG_DATA_HOME/x402kit`, else `~/.local/share/x402kit`; needs the
   * optional `libsql` package), so a restart keeps every served voucher (unclaimed vouchers are the
   * seller's money). Several instances share a PostgreSQL or Redis store; tests may use
   * `createMemoryChannelStore()`.
   */
  store?: ChannelStore;
  /**
   * Who authorizes claims and refunds: the server's own key (a viem account; it signs them), or an
   * address. Default: the `receiverAuthorizer` the facilitator advertises in `/supported` (it signs).
   */
  receiverAuthorizer?: ServerReceiverAuthorizer;
  /** Seconds a payer's timed withdrawal waits (900 to 2 592 000); 900 by default. */
  withdrawDelay?: number;
  /** How long (ms) a mirrored on-chain snapshot allows local voucher checks; a third of the delay, 30 s to 5 min. */
  onchainStateTtlMs?: number;
  /** Custom money parsers, as for `exact`. */
  moneyParsers?: readonly ExactEvmMoneyParser[];
  /** The clock (Unix ms); `Date.now` by default. */
  now?: () => number;
};

/** The scheme server, with its store (for the claim scheduler and metrics). */
export type BatchSettlementEvmServer = SchemeServer & {
  session: SchemeServerSession;
  dynamicExtraFields: readonly string[];
  store: ChannelStore;
};

/**
 * Create the server half of `batch-settlement` on EVM, for `createResourceServer` from `@x402kit/core`
 * (or the HTTP middleware). Pair it with {@link startClaimScheduler} over the same store to claim and
 * sweep what was served.
 *
 * @example
 * const scheme = createBatchSettlementEvmServer({ receiverAuthorizer: privateKeyToAccount(key) })
 * const server = createResourceServer({ facilitators: [facilitator], schemes: { 'eip155:*': [scheme] } })
 * const claims = startClaimScheduler({ store: scheme.store, facilitator, network: 'eip155:8453', receiverAuthorizer: account })
 */
export function createBatchSettlementEvmServer(
  options: BatchSettlementEvmServerOptions = {},
): BatchSettlementEvmServer {
  const withdrawDelay = options.withdrawDelay ?? MIN_WITHDRAW_DELAY;
  if (
    !Number.isInteger(withdrawDelay) ||
    withdrawDelay < MIN_WITHDRAW_DELAY ||
    withdrawDelay > MAX_WITHDRAW_DELAY
  ) {
    throw new X402Error(
      BatchSettlementReasons.withdrawDelayOutOfRange,
      `withdrawDelay must be an integer from ${MIN_WITHDRAW_DELAY} to ${MAX_WITHDRAW_DELAY} seconds (got ${withdrawDelay})`,
    );
  }
  const store =
    options.store ??
    createSqliteChannelStore({
      path: join(dataDirectory(process.env), CHANNELS_FILE_NAME),
      ...(options.now ? { now: options.now } : {}),
    });
  const own = options.receiverAuthorizer;
  const ownAddress = own === undefined ? undefined : getAddress(typeof own === 'string' ? own : own.address);
  const exact = createExactEvmServer(options.moneyParsers ? { moneyParsers: options.moneyParsers } : {});
  const ttl =
    options.onchainStateTtlMs ?? Math.min(300_000, Math.max(30_000, Math.floor((withdrawDelay * 1000) / 3)));
  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    store,
    dynamicExtraFields: ['channelState', 'voucherState'],
    parsePrice: (price, network) => exact.parsePrice(price, network),
    enhanceRequirements(requirements, ctx) {
      const advertised = ctx.supportedKind?.extra?.receiverAuthorizer;
      const authorizer = ownAddress ?? (typeof advertised === 'string' ? advertised : undefined);
      if (
        !authorizer ||
        !/^0x[0-9a-fA-F]{40}$/.test(authorizer) ||
        isAddressEqual(authorizer as Address, zeroAddress)
      ) {
        throw new X402Error(
          BatchSettlementReasons.authorizerNotConfigured,
          `batch-settlement on ${requirements.network}: give receiverAuthorizer, or use a facilitator that advertises one in /supported`,
        );
      }
      return {
        ...requirements,
        extra: { receiverAuthorizer: getAddress(authorizer), withdrawDelay, ...requirements.extra },
      };
    },
    session: createServerSession({
      store,
      authorizer: own,
      onchainStateTtlMs: ttl,
      now: options.now ?? Date.now,
    }),
  };
}
