/**
 * Find on chain the settlement of an `exact_permit` payment (BofAI's PaymentPermit, on EVM and on
 * TRON) whose outcome the ledger does not know: its recorded transaction never landed, its
 * instance died before recording one, or it was settled elsewhere. The nonce state is the
 * contract's `nonceUsed(buyer, nonce)`; an unused nonce past `validBefore` by the chain's clock can
 * never settle (`invalid_exact_permit_expired`). A used one is matched to the
 * `Transfer(buyer -> payTo, payAmount)` whose transaction carries the permit's nonce and signature:
 * on EVM the recorded transaction or any found in the token's logs ({@link findEvmSettlement}); on
 * TRON only the recorded one, the node having no log search ({@link findTronSettlement}).
 */

import type { ReconcileRecord, StoredPayment } from '@x402kit/core';
import { canonicalNetwork, keyNonce, nonceWord, settlementAnswer } from '@x402kit/core';
import {
  ExactPermitReasons,
  type PaymentPermitMessage,
  paymentPermitAbi,
  paymentPermitAddress,
  readExactPermitPayload,
} from '@x402kit/evm';
import {
  createTronNodeClient,
  isTronNetwork,
  paymentPermitTronAddress,
  type TronNodeClient,
  toTronAddress,
} from '@x402kit/tron';
import { readExactPermitTronPayload, readNonceUsed } from '@x402kit/tron/exact-permit';
import { createEvmClients } from './evm-clients.js';
import { findEvmSettlement } from './find-evm-settlement.js';
import { findTronSettlement } from './find-tron-settlement.js';
import type { Reconcile } from './ledger-hooks.js';

export type ExactPermitReconcilerOptions = {
  /** JSON-RPC URL per EVM network (CAIP-2). */
  rpc?: Record<string, string>;
  /** PaymentPermit per EVM network where it is not the known deployment (BSC 56 and 97). */
  paymentPermitAddress?: Record<string, string>;
  /** How far back `Transfer` logs are searched on EVM; default 50 000 blocks. */
  lookbackBlocks?: bigint;
  /**
   * TRON node per network (any id form), with its API key and the PaymentPermit address where it
   * is not the known deployment: the `tron.networks` section of the service config fits.
   */
  tron?: Record<
    string,
    { fullHost: string; apiKey?: string | undefined; paymentPermitAddress?: string | undefined }
  >;
};

type TronEntry = { node: TronNodeClient; contract: string | undefined };

/**
 * Create a reconciler for `exact_permit` payments, for `createLedgerHooks({ reconcile })` and
 * `createPendingReconciler`.
 *
 * @example
 * const reconcile = firstReconciler(createPermit2Reconciler({ rpc }), createExactPermitReconciler({ rpc, tron }))
 */
export function createExactPermitReconciler(options: ExactPermitReconcilerOptions): Reconcile {
  const clientFor = createEvmClients(options.rpc);
  const lookbackBlocks = options.lookbackBlocks ?? 50_000n;
  const tron = new Map<string, TronEntry>();
  const tronFor = (network: string): TronEntry | undefined => {
    const canonical = canonicalNetwork(network);
    const known = tron.get(canonical);
    if (known) return known;
    const entry = Object.entries(options.tron ?? {}).find(
      ([key]) => canonicalNetwork(key) === canonical,
    )?.[1];
    if (!entry) return undefined;
    const made: TronEntry = {
      node: createTronNodeClient({ url: entry.fullHost, ...(entry.apiKey ? { apiKey: entry.apiKey } : {}) }),
      contract: entry.paymentPermitAddress ?? paymentPermitTronAddress(canonical),
    };
    tron.set(canonical, made);
    return made;
  };

  async function reconcileOnEvm(payment: StoredPayment, record: ReconcileRecord, nonce: bigint) {
    const network = payment.requirements.network;
    const client = clientFor(network);
    const contract = paymentPermitAddress(network, options.paymentPermitAddress);
    const read = readExactPermitPayload(payment.payload.payload);
    if (!client || !contract || !read.ok || read.permit.meta.nonce !== nonce) return undefined;
    const { permit, signature } = read;
    const found = await findEvmSettlement(
      client,
      {
        token: permit.payment.payToken,
        payer: permit.buyer,
        payTo: permit.payment.payTo,
        amount: { exactly: permit.payment.payAmount },
        deadline: permit.meta.validBefore,
        nonceUsed: (blockNumber) =>
          client.readContract({
            address: contract,
            abi: paymentPermitAbi,
            functionName: 'nonceUsed',
            args: [permit.buyer, nonce],
            blockNumber,
          }),
        evidence: [nonceWord(nonce), signature],
      },
      { recorded: record.transaction, lookbackBlocks },
    );
    return settlementAnswer(payment, record, permit.buyer, found, wording(permit));
  }

  async function reconcileOnTron(payment: StoredPayment, record: ReconcileRecord, nonce: bigint) {
    const entry = tronFor(payment.requirements.network);
    const read = readExactPermitTronPayload(payment.payload.payload);
    if (!entry?.contract || !read.ok || read.permit.meta.nonce !== nonce) return undefined;
    const { permit, signature } = read;
    const { node, contract } = entry;
    const payer = toTronAddress(permit.buyer);
    const found = await findTronSettlement(
      node,
      {
        token: permit.payment.payToken,
        payer: permit.buyer,
        payTo: permit.payment.payTo,
        amount: permit.payment.payAmount,
        deadline: permit.meta.validBefore,
        nonceUsed: () => readNonceUsed(node, contract, payer, nonce),
        evidence: [nonceWord(nonce), signature],
      },
      { recorded: record.transaction },
    );
    return settlementAnswer(payment, record, payer, found, wording(permit));
  }

  return async function reconcileExactPermit(payment, record) {
    if (payment.requirements.scheme !== 'exact_permit') return undefined;
    const nonce = keyNonce(record.key, 'paymentpermit');
    if (nonce === undefined) return undefined;
    const network = payment.requirements.network;
    if (isTronNetwork(network) || network.startsWith('tron:')) return reconcileOnTron(payment, record, nonce);
    return reconcileOnEvm(payment, record, nonce);
  };
}

function wording(permit: PaymentPermitMessage) {
  return {
    expiredReason: ExactPermitReasons.expired,
    deadline: `validBefore ${permit.meta.validBefore}`,
  };
}
