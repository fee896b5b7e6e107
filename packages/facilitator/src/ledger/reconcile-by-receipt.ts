/**
 * Finish a pending settlement of any scheme from the receipt of the transaction the ledger
 * recorded: on EVM, a successful receipt with a `Transfer` of the payment's token from the payer;
 * on TRON, transaction info whose receipt says `SUCCESS`. Anything else stays unknown (the sweep
 * asks again later): a reverted Permit2 settlement may have been front-run by a call that still
 * paid the payee, so a revert alone never marks a payment failed here. EIP-3009 payments have
 * the finer reconciler (`createExactEvmReconciler`), which also reads the nonce state.
 */

import type { ReconcileRecord, StoredPayment } from '@x402kit/core';
import { canonicalNetwork, networkForVersion, type SettleResponse } from '@x402kit/core';
import { sameAddress } from '@x402kit/evm';
import { createTronNodeClient, isTronNetwork, type TronNodeClient } from '@x402kit/tron';
import { decodeEventLog, type Hash, isHash, type PublicClient, parseAbiItem } from 'viem';
import { createEvmClients } from './evm-clients.js';
import type { Reconcile } from './ledger-hooks.js';

export type ReceiptReconcilerOptions = {
  /** JSON-RPC URL per EVM network (CAIP-2). */
  rpc?: Record<string, string>;
  /** TRON node (TronGrid or compatible) per TRON network, with its API key. */
  tron?: Record<string, { fullHost: string; apiKey?: string }>;
};

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');
const TRON_TX_ID = /^(?:0x)?[0-9a-fA-F]{64}$/;

/**
 * Create a reconciler that settles pending payments from their recorded transaction's receipt.
 *
 * @example
 * const reconcile = firstReconciler(createExactEvmReconciler({ rpc }), createReceiptReconciler({ rpc, tron }))
 */
export function createReceiptReconciler(options: ReceiptReconcilerOptions): Reconcile {
  const evmFor = createEvmClients(options.rpc);
  const tron = new Map<string, TronNodeClient>();
  const tronFor = (network: string): TronNodeClient | undefined => {
    const entry =
      options.tron?.[network] ??
      Object.entries(options.tron ?? {}).find(
        ([key]) => canonicalNetwork(key) === canonicalNetwork(network),
      )?.[1];
    if (!entry) return undefined;
    let client = tron.get(network);
    if (!client) {
      client = createTronNodeClient({
        url: entry.fullHost,
        ...(entry.apiKey ? { apiKey: entry.apiKey } : {}),
      });
      tron.set(network, client);
    }
    return client;
  };

  return async function reconcileByReceipt(payment, record) {
    const transaction = record.transaction;
    if (!transaction) return undefined;
    const network = payment.requirements.network;
    const settled = (tx: string): SettleResponse => ({
      success: true,
      transaction: tx,
      network: networkForVersion(network, payment.x402Version),
      payer: record.key.payer,
    });
    if (isTronNetwork(network) || network.startsWith('tron:')) {
      const node = tronFor(network);
      if (!node || !TRON_TX_ID.test(transaction)) return undefined;
      const id = transaction.replace(/^0x/, '');
      const info = await node.getTransactionInfoById(id).catch(() => undefined);
      return info?.receipt?.result === 'SUCCESS' ? settled(id) : undefined;
    }
    const client = evmFor(network);
    if (!client || !isHash(transaction)) return undefined;
    return (await paidBy(client, transaction, payment, record)) ? settled(transaction) : undefined;
  };
}

/**
 * Try reconcilers in order; the first that knows the outcome answers.
 *
 * @example firstReconciler(createExactEvmReconciler({ rpc }), createReceiptReconciler({ rpc }))
 */
export function firstReconciler(...reconcilers: readonly Reconcile[]): Reconcile {
  return async (payment, record) => {
    for (const reconcile of reconcilers) {
      const found = await reconcile(payment, record);
      if (found) return found;
    }
    return undefined;
  };
}

async function paidBy(
  client: PublicClient,
  hash: Hash,
  payment: StoredPayment,
  record: ReconcileRecord,
): Promise<boolean> {
  const receipt = await client.getTransactionReceipt({ hash }).catch(() => undefined);
  if (receipt?.status !== 'success') return false;
  const asset = record.key.asset;
  const payTo = payment.requirements.payTo;
  return receipt.logs.some((log) => {
    if (!sameAddress(log.address, asset)) return false;
    try {
      const { args } = decodeEventLog({ abi: [transferEvent], topics: log.topics, data: log.data });
      return sameAddress(args.from, record.key.payer) && sameAddress(args.to, payTo);
    } catch {
      return false;
    }
  });
}
