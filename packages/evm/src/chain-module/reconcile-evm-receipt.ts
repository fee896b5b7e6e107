/**
 * Finish a pending EVM settlement of any scheme from the receipt of the transaction the ledger
 * recorded: a successful receipt with a `Transfer` of the payment's token from the payer to the
 * payee. Anything else stays unknown (the sweep asks again later): a reverted Permit2 settlement
 * may have been front-run by a call that still paid the payee, so a revert alone never marks a
 * payment failed here. EIP-3009 payments have the finer reconciler (`createExactEvmReconciler`),
 * which also reads the nonce state.
 */

import type { Reconcile, ReconcileRecord, SettleResponse, StoredPayment } from '@x402kit/core';
import { networkForVersion } from '@x402kit/core';
import { decodeEventLog, type Hash, isHash, type PublicClient, parseAbiItem } from 'viem';
import { sameAddress } from '../address.js';
import { createEvmClients } from './evm-clients.js';

/** Options of `createEvmReceiptReconciler`. */
export type EvmReceiptReconcilerOptions = {
  /** JSON-RPC URL per EVM network (CAIP-2). */
  rpc?: Record<string, string>;
};

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

/**
 * Create a reconciler that settles pending EVM payments from their recorded transaction's receipt
 * (the last of the EVM chain module's reconcilers).
 *
 * @example
 * const reconcile = firstReconciler(createExactEvmReconciler({ rpc }), createEvmReceiptReconciler({ rpc }))
 */
export function createEvmReceiptReconciler(options: EvmReceiptReconcilerOptions): Reconcile {
  const evmFor = createEvmClients(options.rpc);

  return async function reconcileByEvmReceipt(payment, record) {
    const transaction = record.transaction;
    if (!transaction) return undefined;
    const network = payment.requirements.network;
    const client = evmFor(network);
    if (!client || !isHash(transaction)) return undefined;
    if (!(await paidBy(client, transaction, payment, record))) return undefined;
    const settled: SettleResponse = {
      success: true,
      transaction,
      network: networkForVersion(network, payment.x402Version),
      payer: record.key.payer,
    };
    return settled;
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
