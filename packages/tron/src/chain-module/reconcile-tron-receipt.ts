/**
 * Finish a pending TRON settlement of any scheme from the transaction the ledger recorded: its
 * transaction info says `SUCCESS`. Anything else stays unknown (the sweep asks again later), so a
 * revert alone never marks a payment failed here.
 */

import { canonicalNetwork, networkForVersion, type Reconcile, type SettleResponse } from '@x402kit/core';
import { isTronNetwork } from '../networks.js';
import type { TronNodeClient } from '../node-client.js';
import { connectTronNode, type TronNodeEndpoint } from '../node-endpoint.js';

/**
 * TRON node (TronGrid or compatible) per TRON network, with its API key.
 *
 * @example
 * const nodes: TronReceiptReconcilerNodes = { 'tron:nile': { fullHost: 'https://nile.trongrid.io' } }
 */
export type TronReceiptReconcilerNodes = Record<string, TronNodeEndpoint>;

const TRON_TX_ID = /^(?:0x)?[0-9a-fA-F]{64}$/;

/**
 * Create a reconciler that settles pending TRON payments from their recorded transaction's receipt.
 *
 * @example
 * const reconcile = firstReconciler(createExactPermitTronReconciler(networks), createTronReceiptReconciler(nodes))
 */
export function createTronReceiptReconciler(nodes: TronReceiptReconcilerNodes): Reconcile {
  const tron = new Map<string, TronNodeClient>();
  const tronFor = (network: string): TronNodeClient | undefined => {
    const entry =
      nodes[network] ??
      Object.entries(nodes).find(([key]) => canonicalNetwork(key) === canonicalNetwork(network))?.[1];
    if (!entry) return undefined;
    let client = tron.get(network);
    if (!client) {
      client = connectTronNode(entry);
      tron.set(network, client);
    }
    return client;
  };

  return async function reconcileTronReceipt(payment, record) {
    const transaction = record.transaction;
    if (!transaction) return undefined;
    const network = payment.requirements.network;
    if (!(isTronNetwork(network) || network.startsWith('tron:'))) return undefined;
    const node = tronFor(network);
    if (!node || !TRON_TX_ID.test(transaction)) return undefined;
    const id = transaction.replace(/^0x/, '');
    const info = await node.getTransactionInfoById(id).catch(() => undefined);
    if (info?.receipt?.result !== 'SUCCESS') return undefined;
    const settled: SettleResponse = {
      success: true,
      transaction: id,
      network: networkForVersion(network, payment.x402Version),
      payer: record.key.payer,
    };
    return settled;
  };
}
