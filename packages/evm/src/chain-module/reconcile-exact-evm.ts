/**
 * Find on chain the settlement of an `exact` EIP-3009 payment whose outcome the ledger does not
 * know (its instance died after sending, or its receipt did not arrive in time). A payment is
 * settled when its transaction succeeded and emitted `Transfer(from -> to, value)`; the
 * transaction is the recorded one, or the one that emitted `AuthorizationUsed(from, nonce)`.
 * This is also the answer to front-running: someone else consuming the authorization still paid
 * the payee. The token's `authorizationState(from, nonce)` is read first: an unused authorization
 * needs no log search, and one unused after its `validBefore` (by the chain's clock) can never
 * settle, which is a final `success: false`.
 */
import { networkForVersion, Reasons, type Reconcile, type SettleResponse } from '@x402kit/core';
import { decodeEventLog, type Hash, isAddress, isHash, parseAbiItem } from 'viem';
import { z } from 'zod';
import { sameAddress } from '../address.js';
import { createEvmClients } from './evm-clients.js';

/** Options of `createExactEvmReconciler`. */
export type ExactEvmReconcilerOptions = {
  /** JSON-RPC URL per CAIP-2 network. */
  rpc: Record<string, string>;
  /** How far back `AuthorizationUsed` is searched; default 50 000 blocks. */
  lookbackBlocks?: bigint;
};

const Authorization = z.object({
  authorization: z.object({
    from: z.string(),
    to: z.string(),
    value: z.string(),
    nonce: z.string(),
    validBefore: z.union([z.string(), z.number()]).optional(),
  }),
});
const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');
const authorizationStateFunction = parseAbiItem(
  'function authorizationState(address authorizer, bytes32 nonce) view returns (bool)',
);
const authorizationUsedEvent = parseAbiItem(
  'event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)',
);

/**
 * Create a reconciler for `exact` EIP-3009 payments (the first of the EVM chain module's reconcilers).
 *
 * @example
 * const reconcile = createExactEvmReconciler({ rpc: { 'eip155:84532': 'http://127.0.0.1:8545' } })
 * await reconcile(payment, { key, transaction }) // { success: true, transaction, network, payer } or undefined
 */
export function createExactEvmReconciler(options: ExactEvmReconcilerOptions): Reconcile {
  const lookback = options.lookbackBlocks ?? 50_000n;
  const clientFor = createEvmClients(options.rpc);

  return async function reconcileExactEvm(call, record) {
    const client = clientFor(call.requirements.network);
    const parsed = Authorization.safeParse(call.payload.payload);
    if (!client || !parsed.success) return undefined;
    const { from, to, value, nonce, validBefore } = parsed.data.authorization;
    const asset = call.requirements.asset;
    if (!isHash(nonce) || !isAddress(from) || !isAddress(asset)) return undefined;

    const settledBy = async (hash: Hash): Promise<boolean> => {
      const receipt = await client.getTransactionReceipt({ hash }).catch(() => undefined);
      if (receipt?.status !== 'success') return false;
      return receipt.logs.some((log) => {
        if (!sameAddress(log.address, asset)) return false;
        try {
          const { args } = decodeEventLog({ abi: [transferEvent], topics: log.topics, data: log.data });
          return sameAddress(args.from, from) && sameAddress(args.to, to) && args.value === BigInt(value);
        } catch {
          return false;
        }
      });
    };
    const success = (hash: Hash): SettleResponse => ({
      success: true,
      transaction: hash,
      network: networkForVersion(call.requirements.network, call.x402Version),
      payer: from,
    });

    if (record.transaction && isHash(record.transaction) && (await settledBy(record.transaction))) {
      return success(record.transaction);
    }
    // the nonce state: unused means nobody settled it (yet); tokens without the view fall through
    const head = await client.getBlock({ blockTag: 'latest' });
    const used = await client
      .readContract({
        address: asset,
        abi: [authorizationStateFunction],
        functionName: 'authorizationState',
        args: [from, nonce],
        blockNumber: head.number,
      })
      .catch(() => undefined);
    if (used === false) {
      const expiry = validBefore === undefined ? '' : String(validBefore);
      if (!/^\d+$/.test(expiry) || head.timestamp < BigInt(expiry)) return undefined;
      return {
        success: false,
        errorReason: Reasons.exactEvmValidBefore,
        errorMessage:
          `the authorization expired unused (validBefore ${validBefore}, block ${head.number} at ${head.timestamp}); ` +
          'it can never settle and nothing was charged: sign a new payment',
        transaction: record.transaction ?? '',
        network: networkForVersion(call.requirements.network, call.x402Version),
        payer: from,
      };
    }
    // not (or not yet) by the recorded transaction: whoever consumed the authorization
    const latest = head.number;
    const logs = await client.getLogs({
      address: asset,
      event: authorizationUsedEvent,
      args: { authorizer: from, nonce },
      fromBlock: latest > lookback ? latest - lookback : 0n,
      toBlock: latest,
    });
    for (const log of logs) {
      if (log.transactionHash && (await settledBy(log.transactionHash))) return success(log.transactionHash);
    }
    return undefined;
  };
}
