/**
 * Find on chain the settlement of a TRON `exact_permit` payment (BofAI's PaymentPermit) whose
 * outcome the ledger does not know: its recorded transaction never landed, its instance died
 * before recording one, or it was settled elsewhere. The nonce state is the contract's
 * `nonceUsed(buyer, nonce)`; an unused nonce past `validBefore` by the chain's clock can never
 * settle (`invalid_exact_permit_expired`). A used one is matched to the
 * `Transfer(buyer -> payTo, payAmount)` of the recorded transaction only, when it carries the
 * permit's nonce and signature: a TRON node has no log search ({@link findTronSettlement}).
 */

import {
  canonicalNetwork,
  keyNonce,
  nonceWord,
  type Reconcile,
  type ReconcileRecord,
  type StoredPayment,
  settlementAnswer,
} from '@x402kit/core';
import { toTronAddress } from '../address.js';
import { readExactPermitTronPayload } from '../exact-permit/permit-wire.js';
import { ExactPermitTronReasons } from '../exact-permit/reasons.js';
import { readNonceUsed } from '../exact-permit/verify.js';
import { isTronNetwork } from '../networks.js';
import type { TronNodeClient } from '../node-client.js';
import { connectTronNode, type TronNodeEndpoint } from '../node-endpoint.js';
import { paymentPermitTronAddress } from '../tokens.js';
import { findTronSettlement } from './find-tron-settlement.js';

/**
 * TRON node per network (any id form), with its API key and the PaymentPermit address where it is
 * not the known deployment: the `tron.networks` section of the service config fits.
 *
 * @example
 * const nodes: ExactPermitTronReconcilerNodes = { 'tron:nile': { fullHost: 'https://nile.trongrid.io' } }
 */
export type ExactPermitTronReconcilerNodes = Record<
  string,
  TronNodeEndpoint & { paymentPermitAddress?: string | undefined }
>;

type TronEntry = { node: TronNodeClient; contract: string | undefined };

/**
 * Create a reconciler for TRON `exact_permit` payments; other payments it leaves unknown.
 *
 * @example
 * const reconcile = firstReconciler(createExactPermitTronReconciler(config.tron.networks), createTronReceiptReconciler(nodes))
 */
export function createExactPermitTronReconciler(nodes: ExactPermitTronReconcilerNodes): Reconcile {
  const tron = new Map<string, TronEntry>();
  const tronFor = (network: string): TronEntry | undefined => {
    const canonical = canonicalNetwork(network);
    const known = tron.get(canonical);
    if (known) return known;
    const entry = Object.entries(nodes).find(([key]) => canonicalNetwork(key) === canonical)?.[1];
    if (!entry) return undefined;
    const made: TronEntry = {
      node: connectTronNode(entry),
      contract: entry.paymentPermitAddress ?? paymentPermitTronAddress(canonical),
    };
    tron.set(canonical, made);
    return made;
  };

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
    return settlementAnswer(payment, record, payer, found, {
      expiredReason: ExactPermitTronReasons.expired,
      deadline: `validBefore ${permit.meta.validBefore}`,
    });
  }

  return async function reconcileExactPermitTron(payment, record) {
    if (payment.requirements.scheme !== 'exact_permit') return undefined;
    const nonce = keyNonce(record.key, 'paymentpermit');
    if (nonce === undefined) return undefined;
    const network = payment.requirements.network;
    if (!(isTronNetwork(network) || network.startsWith('tron:'))) return undefined;
    return reconcileOnTron(payment, record, nonce);
  };
}
