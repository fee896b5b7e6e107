/**
 * Where did a signed EVM authorization go? The on-chain half shared by the reconcilers of the
 * nonce-based schemes (Permit2 `exact` and `upto`, `exact_permit`), in the order the EIP-3009
 * reconciler reads the chain:
 *
 * 1. the recorded transaction: settled when it succeeded, moved the token from the payer to the
 *    payee by the authorized amount, and its calldata carries the authorization;
 * 2. the nonce at the latest block: unused means no transaction consumed the authorization; unused
 *    after its deadline (by that block's timestamp) means none ever will: `expired`;
 * 3. used (or unreadable): the token's `Transfer(payer -> payee)` logs within a bounded lookback,
 *    newest first; a candidate is accepted only when its calldata carries THIS authorization (its
 *    nonce word and its signature bytes), whoever sent it (a front-runner, a dead instance).
 *
 * A used nonce without such a transfer is `unknown`, never a failure: the money may have moved in a
 * way this lookup cannot prove (beyond the lookback, through a contract that re-encodes the call).
 */

import type { SettlementLookup } from '@x402kit/core';
import { carriesAuthorization } from '@x402kit/core';
import {
  type Address,
  decodeEventLog,
  type Hash,
  type Hex,
  isHash,
  type Log,
  type PublicClient,
  parseAbiItem,
} from 'viem';
import { sameAddress } from '../address.js';

/** What a transaction that settles the authorization looks like on chain. */
export type EvmAuthorization = {
  token: Address;
  payer: Address;
  payTo: Address;
  /** The `Transfer` value that pays for it: exactly this, or (`upto`) above zero and at most this. */
  amount: { exactly: bigint } | { atMost: bigint };
  /** The last block timestamp (seconds) at which the contract still accepts it. */
  deadline: bigint;
  /** Is the nonce used at `blockNumber`? A thrown error means "cannot tell" (the logs are searched). */
  nonceUsed(blockNumber: bigint): Promise<boolean>;
  /** Byte strings every transaction carrying the authorization has in its calldata (see `nonceWord`). */
  evidence: readonly Hex[];
};

export type FindEvmSettlementOptions = {
  /** The transaction the ledger recorded for the payment, if any. */
  recorded?: string | undefined;
  /** How many blocks back `Transfer` logs are searched. */
  lookbackBlocks: bigint;
  /** Most transactions inspected among the candidates (newest first); default 100. */
  maxCandidates?: number;
};

const transferEvent = parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)');

/**
 * Look an authorization up on chain.
 *
 * @example
 * const found = await findEvmSettlement(client, authorization, { recorded: record.transaction, lookbackBlocks: 50_000n })
 * if (found.kind === 'settled') console.log(found.transaction)
 */
export async function findEvmSettlement(
  client: PublicClient,
  authorization: EvmAuthorization,
  options: FindEvmSettlementOptions,
): Promise<SettlementLookup> {
  const { token, payer, payTo } = authorization;
  const pays = (value: bigint): boolean =>
    'exactly' in authorization.amount
      ? value === authorization.amount.exactly
      : value > 0n && value <= authorization.amount.atMost;
  const carries = async (hash: Hash): Promise<boolean> => {
    const transaction = await client.getTransaction({ hash }).catch(() => undefined);
    return transaction !== undefined && carriesAuthorization(transaction.input, authorization.evidence);
  };
  const paidIn = (logs: readonly Log[]): bigint | undefined => {
    for (const log of logs) {
      if (!sameAddress(log.address, token)) continue;
      try {
        const { args } = decodeEventLog({ abi: [transferEvent], topics: log.topics, data: log.data });
        if (sameAddress(args.from, payer) && sameAddress(args.to, payTo) && pays(args.value))
          return args.value;
      } catch {
        // another event of the token
      }
    }
    return undefined;
  };

  const recorded = options.recorded;
  if (recorded && isHash(recorded)) {
    const receipt = await client.getTransactionReceipt({ hash: recorded }).catch(() => undefined);
    const value = receipt?.status === 'success' ? paidIn(receipt.logs) : undefined;
    if (value !== undefined && (await carries(recorded))) {
      return { kind: 'settled', transaction: recorded, amount: value };
    }
  }

  const head = await client.getBlock({ blockTag: 'latest' });
  const used = await authorization.nonceUsed(head.number).catch(() => undefined);
  if (used === false) {
    // the contract refuses it once block.timestamp > deadline; later blocks are never earlier
    return head.timestamp > authorization.deadline
      ? { kind: 'expired', block: head.number, timestamp: head.timestamp }
      : { kind: 'unknown' };
  }

  const logs = await client.getLogs({
    address: token,
    event: transferEvent,
    args: { from: payer, to: payTo },
    fromBlock: head.number > options.lookbackBlocks ? head.number - options.lookbackBlocks : 0n,
    toBlock: head.number,
  });
  const inspected = new Set<Hash>();
  const maxCandidates = options.maxCandidates ?? 100;
  for (const log of [...logs].reverse()) {
    const hash = log.transactionHash;
    if (log.removed || !hash || inspected.has(hash) || !pays(log.args.value ?? -1n)) continue;
    if (inspected.size >= maxCandidates) break;
    inspected.add(hash);
    if (await carries(hash)) return { kind: 'settled', transaction: hash, amount: log.args.value ?? 0n };
  }
  return { kind: 'unknown' };
}
