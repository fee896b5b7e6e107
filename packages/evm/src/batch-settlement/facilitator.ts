/**
 * The facilitator side of `batch-settlement` on EVM: verify `deposit`, `voucher` and `refund` payloads
 * against the chain (one multicall), relay deposits into the escrow, claim many channels' vouchers in
 * one transaction, sweep claimed funds to the receiver, and settle cooperative refunds. It advertises
 * its receiver-authorizer address in `/supported` (`extra.receiverAuthorizer`), so a server may
 * delegate claim and refund signatures to it.
 */
import { evmChainId, paymentKeyId, type SchemeFacilitator, type SettleResponse } from '@x402kit/core';
import { createSchemeLifetime } from '@x402kit/core/internal';
import type { Hex, LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { EvmConfigError } from '../config-error.js';
import { errorText } from '../error-text.js';
import {
  createEvmNetworks,
  type EvmFacilitatorNetworkOptions,
  type EvmReceiptWaitOptions,
  type EvmRpcOptions,
  parseSigners,
  readReceiptWait,
} from '../exact/facilitator-options.js';
import { BATCH_SETTLEMENT_SCHEME } from './constants.js';
import { type BatchFacilitatorContext, createSerializer, refuseSettle } from './facilitator-context.js';
import { batchPaymentKey } from './facilitator-payment-key.js';
import { settleClaim } from './facilitator-settle-claim.js';
import { settleDeposit } from './facilitator-settle-deposit.js';
import { settleRefund } from './facilitator-settle-refund.js';
import { settleSweep } from './facilitator-settle-sweep.js';
import { verifyBatchPayment } from './facilitator-verify.js';
import { readBatchPayload } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';

/** Options of `createBatchSettlementEvmFacilitator`. */
export type BatchSettlementEvmFacilitatorOptions = EvmRpcOptions &
  EvmReceiptWaitOptions & {
    /** Served networks by CAIP-2 id. */
    networks: Record<string, EvmFacilitatorNetworkOptions>;
    /** Keys that send transactions and pay gas (round-robin): private keys or viem local accounts. */
    signers: ReadonlyArray<Hex | LocalAccount>;
    /**
     * The receiver-authorizer key: signs `ClaimBatch` and `Refund` for channels that delegate to it, and
     * is advertised as `extra.receiverAuthorizer`. Default the first signer; `false` for none (servers
     * then sign their own claims and refunds).
     */
    authorizerKey?: Hex | LocalAccount | false;
    /** Replace a transaction still unmined after this long; 0 never. Default 15 000 ms. */
    stuckAfterMs?: number;
    /** Told of every settle answered (for metrics): its action, outcome and, for a claim, its rows. Must not throw. */
    onSettled?: (event: BatchSettleEvent) => void;
  };

/**
 * One settle of the facilitator: `deposit`, `claim`, `settle` (a sweep) or `refund`, and how it ended
 * (`pending`: sent, its receipt not seen in time).
 *
 * @example
 * createBatchSettlementEvmFacilitator({ networks, signers, onSettled: (e) => console.log(e.action, e.outcome, e.rows) })
 */
export type BatchSettleEvent = {
  network: string;
  action: 'deposit' | 'claim' | 'settle' | 'refund';
  outcome: 'settled' | 'pending' | 'failed';
  /** The rows of a claim. */
  rows?: number;
};

/** What `createBatchSettlementEvmFacilitator` returns. */
export type BatchSettlementEvmFacilitator = SchemeFacilitator & {
  /** The CAIP-2 ids served. */
  readonly networks: string[];
  /** The receiver-authorizer address, when there is one. */
  readonly receiverAuthorizer: string | undefined;
  /** Stop receipt waits (they answer `settlement_pending`) and refuse new work. */
  close(): void;
};

/**
 * Create the `batch-settlement` EVM facilitator scheme, for `createFacilitator` from `@x402kit/core`.
 *
 * @example
 * const batch = createBatchSettlementEvmFacilitator({ networks: { 'eip155:84532': { rpcUrl } }, signers: [key] })
 * const facilitator = createFacilitator({ schemes: [{ networks: batch.networks, facilitator: batch, x402Versions: [2] }] })
 */
export function createBatchSettlementEvmFacilitator(
  options: BatchSettlementEvmFacilitatorOptions,
): BatchSettlementEvmFacilitator {
  const accounts = parseSigners(options.signers);
  const networks = createEvmNetworks(options.networks, accounts, options);
  const authorizer = parseAuthorizer(options.authorizerKey, accounts);
  const ctx: BatchFacilitatorContext = {
    networkFor: (network) => networks.get(network),
    authorizer,
    ...readReceiptWait(options),
    serialize: createSerializer(),
  };
  const addresses = accounts.map((a) => a.address);
  const lifetime = createSchemeLifetime(errorText);

  const guarded = lifetime.guard({
    payer: (payload) => {
      const read = readBatchPayload(payload.payload, ['deposit', 'voucher', 'refund']);
      return read.ok && 'channelConfig' in read.payload ? read.payload.channelConfig.payer : undefined;
    },
    settlementKey: (payload, requirements) => {
      const key = batchPaymentKey(payload.payload, requirements.network);
      return key ? paymentKeyId(key) : undefined;
    },
    verify: async (payload, requirements) => (await verifyBatchPayment(ctx, payload, requirements)).response,
    settle: async (payload, requirements, call): Promise<SettleResponse> => {
      const read = readBatchPayload(payload.payload);
      const chainId = evmChainId(requirements.network);
      if (!read.ok) return refuseSettle(requirements, read.reason, read.message);
      if (requirements.scheme !== BATCH_SETTLEMENT_SCHEME || chainId === undefined)
        return refuseSettle(
          requirements,
          BatchSettlementReasons.scheme,
          `scheme must be ${BATCH_SETTLEMENT_SCHEME} on eip155`,
        );
      const p = read.payload;
      let answer: SettleResponse;
      switch (p.type) {
        case 'deposit':
          answer = await settleDeposit(ctx, payload, requirements, call);
          break;
        case 'claim':
          answer = await settleClaim(ctx, p, requirements, call, chainId);
          break;
        case 'settle':
          answer = await settleSweep(ctx, p, requirements, call);
          break;
        case 'refund':
          answer = await settleRefund(ctx, p, requirements, call, chainId);
          break;
        default:
          return refuseSettle(
            requirements,
            BatchSettlementReasons.unknownSettleAction,
            'a voucher is not settled on chain',
          );
      }
      tell(options.onSettled, requirements.network, p, answer);
      return answer;
    },
  });

  return {
    scheme: BATCH_SETTLEMENT_SCHEME,
    family: 'eip155:*',
    networks: [...networks.keys()],
    receiverAuthorizer: authorizer?.address,
    getExtra: () => (authorizer ? { receiverAuthorizer: authorizer.address } : undefined),
    getSigners: () => [...addresses],
    ...guarded,
    close: () => lifetime.close(),
  };
}

function parseAuthorizer(
  value: Hex | LocalAccount | false | undefined,
  accounts: readonly LocalAccount[],
): LocalAccount | undefined {
  if (value === false) return undefined;
  if (value === undefined) return accounts[0];
  if (typeof value === 'string') {
    if (!/^0x[0-9a-fA-F]{64}$/.test(value))
      throw new EvmConfigError('authorizerKey', 'is not a 0x-prefixed 32-byte private key');
    return privateKeyToAccount(value);
  }
  if (typeof value.signTypedData !== 'function')
    throw new EvmConfigError('authorizerKey', 'must be a private key or a viem local account');
  return value;
}

/** Tell `onSettled` of an answered settle; a throwing listener is ignored. */
function tell(
  onSettled: BatchSettlementEvmFacilitatorOptions['onSettled'],
  network: string,
  payload: { type: BatchSettleEvent['action']; claims?: readonly unknown[] },
  answer: SettleResponse,
): void {
  if (!onSettled) return;
  const outcome = answer.success
    ? 'settled'
    : answer.errorReason === BatchSettlementReasons.settlementPending
      ? 'pending'
      : 'failed';
  try {
    onSettled({
      network,
      action: payload.type,
      outcome,
      ...(payload.type === 'claim' ? { rows: payload.claims?.length ?? 0 } : {}),
    });
  } catch {
    // metrics must never change an answer
  }
}
