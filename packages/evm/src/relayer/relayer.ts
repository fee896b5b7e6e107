/**
 * A relayer sends transactions for one key on one chain: locally managed nonces, an explicit gas
 * limit, cached EIP-1559 fees, local signing and one `eth_sendRawTransaction` per send (the same
 * bytes once more when the first answer was lost). The hash is computed from the signed bytes
 * before they leave, so a send whose outcome is unknown still names the transaction to watch. A sent
 * transaction that stays unmined can be replaced (same nonce, higher fees) with `replace`.
 */
import { Reasons, X402Error } from '@x402kit/core';
import type { Address, Hash, LocalAccount, PublicClient } from 'viem';
import { errorText } from '../error-text.js';
import { EvmReasons } from '../evm-reasons.js';
import { broadcastSignedTransaction } from './broadcast-signed-transaction.js';
import { bumpFees } from './bump-fees.js';
import type { FeeOracle, GasFees } from './fee-oracle.js';
import { createNonceManager, type NonceManager } from './nonce-manager.js';
import type { RelayedCall, SettlementBatcher } from './relayed-call.js';

/** Options of `createRelayer`. */
export type RelayerOptions = {
  /** Reads (`pending` nonce, known transactions) and broadcast. */
  client: Pick<PublicClient, 'getTransactionCount' | 'sendRawTransaction' | 'request'>;
  /** The key that signs and pays gas. */
  account: LocalAccount;
  chainId: number;
  /** Usually shared by every relayer of the chain. */
  fees: FeeOracle;
  /**
   * A transaction without a receipt after this long is replaced (same nonce, fees raised by at least
   * 12.5 %) by `relaySettlement`; 0 never replaces. Default 15 000 ms.
   */
  stuckAfterMs?: number;
  /** Set by the network when settlements are batched (see `createSettlementBatcher`). */
  batcher?: SettlementBatcher;
};

/** What `createRelayer` returns. */
export type Relayer = {
  readonly address: Address;
  readonly chainId: number;
  /** How long a sent transaction may stay unmined before `replace` is worth it; 0 means never. */
  readonly stuckAfterMs: number;
  /** Present when the network batches EIP-3009 settlements into Multicall3 transactions. */
  readonly batcher?: SettlementBatcher;
  /**
   * Sign and broadcast; resolves with the transaction hash once the node accepted it (or is found
   * to hold it). Rejects with a `RelayerSendError`: `ambiguous: false` only when the node proved it
   * refused the transaction, else `ambiguous: true` with the `hash` that may still be mined (the
   * nonce lane then re-reads the chain's `pending` count before the next send).
   */
  send(call: RelayedCall): Promise<Hash>;
  /**
   * Re-sign the transaction `hash` (sent by this relayer and not forgotten) with the same nonce and
   * fees raised by at least 12.5 % on both EIP-1559 fields (nodes demand 10 %), and broadcast it.
   * Resolves with the replacement's hash; rejects with a `RelayerSendError` when the node refuses it
   * (for example `nonce too low`: one of the versions was mined).
   */
  replace(hash: Hash): Promise<Hash>;
  /** Stop tracking `hash` and its replacements (once a receipt or a final answer is in). */
  forget(hash: Hash): void;
  /** Forget the local nonce (after a receipt timeout, for example); the next send re-reads `pending`. */
  reset(): void;
};

/**
 * A send the node refused (`ambiguous: false`: a JSON-RPC error in a well-formed reply, and the node
 * does not know the transaction), or whose outcome is unknown (`ambiguous: true`: the connection
 * dropped, a proxy answered 5xx or garbage, the request timed out, ... after the signed bytes may
 * have reached a node). `hash` is computed from the signed bytes, so it is always the one to watch.
 * Reason `evm_relayer_send_failed`.
 *
 * @example
 * try { await relayer.send(call) } catch (e) { if (e instanceof RelayerSendError && e.ambiguous) watch(e.hash) }
 */
export class RelayerSendError extends X402Error {
  override name = 'RelayerSendError';
  readonly hash: Hash | undefined;
  readonly ambiguous: boolean;

  constructor(message: string, options: { cause: unknown; hash?: Hash; ambiguous: boolean }) {
    super(EvmReasons.relayerSend, message, { cause: options.cause });
    this.hash = options.hash;
    this.ambiguous = options.ambiguous;
  }
}

const NONCE_CONFLICT =
  /nonce too low|nonce has already been used|invalid nonce|replacement transaction underpriced/i;
const FEE_TOO_LOW = /fee.*(too low|less than)|underpriced|base fee/i;
/** Sent transactions remembered for replacement; the oldest are dropped beyond this. */
const MAX_TRACKED = 10_000;
const DEFAULT_STUCK_AFTER_MS = 15_000;

type Sent = { nonce: number; call: RelayedCall; fees: GasFees; hashes: Hash[] };

/**
 * Create a relayer for one key. Concurrent `send`s are serialized only around nonce assignment,
 * signing and broadcast; receipt waits happen outside (see `watchTransaction`).
 *
 * @example
 * const relayer = createRelayer({ client, account: privateKeyToAccount(key), chainId: 84532, fees: createFeeOracle({ client }) })
 * const hash = await relayer.send({ to: token, data, gas: 120_000n })
 */
export function createRelayer(options: RelayerOptions): Relayer {
  const { client, account, chainId, fees } = options;
  const lane: Lane = {
    client,
    account,
    chainId,
    fees,
    nonces: createNonceManager({
      readPendingNonce: () => client.getTransactionCount({ address: account.address, blockTag: 'pending' }),
    }),
    tracked: new Map<Hash, Sent>(),
  };
  return {
    address: account.address,
    chainId,
    stuckAfterMs: options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS,
    ...(options.batcher ? { batcher: options.batcher } : {}),
    send: (call) => send(lane, call),
    replace: (hash) => replace(lane, hash),
    forget(hash) {
      const sent = lane.tracked.get(hash);
      for (const h of sent?.hashes ?? [hash]) lane.tracked.delete(h);
    },
    reset: () => lane.nonces.reset(),
  };
}

/** One relayer's key, nonce lane and the transactions it remembers for replacement. */
type Lane = Pick<RelayerOptions, 'client' | 'account' | 'chainId' | 'fees'> & {
  nonces: NonceManager;
  tracked: Map<Hash, Sent>;
};

function track(lane: Lane, hash: Hash, sent: Sent): void {
  const { tracked } = lane;
  if (!sent.hashes.includes(hash)) sent.hashes.push(hash);
  tracked.set(hash, sent);
  while (tracked.size > MAX_TRACKED) {
    const oldest = tracked.keys().next().value;
    if (oldest === undefined) break;
    tracked.delete(oldest);
  }
}

async function signAndBroadcast(
  lane: Lane,
  nonce: number,
  call: RelayedCall,
  gasFees: GasFees,
): Promise<Hash> {
  const { client, account, chainId, fees } = lane;
  const base = {
    chainId,
    nonce,
    to: call.to,
    data: call.data,
    gas: call.gas,
    ...(call.value ? { value: call.value } : {}),
  };
  const serializedTransaction = await account.signTransaction(
    gasFees.type === 'eip1559'
      ? {
          ...base,
          type: 'eip1559',
          maxFeePerGas: gasFees.maxFeePerGas,
          maxPriorityFeePerGas: gasFees.maxPriorityFeePerGas,
        }
      : { ...base, type: 'legacy', gasPrice: gasFees.gasPrice },
  );
  const sent = await broadcastSignedTransaction(client, serializedTransaction);
  if (sent.kind === 'accepted') return sent.hash;
  if (sent.kind === 'refused') {
    if (FEE_TOO_LOW.test(sent.message)) fees.invalidate();
    throw new RelayerSendError(
      `broadcast from ${account.address} (nonce ${nonce}) refused: ${sent.message}`,
      {
        cause: sent.error,
        hash: sent.hash,
        ambiguous: false,
      },
    );
  }
  throw new RelayerSendError(
    `broadcast from ${account.address} (nonce ${nonce}) has an unknown outcome: ${sent.message}; ${sent.hash} may still be mined`,
    { cause: sent.error, hash: sent.hash, ambiguous: true },
  );
}

async function sendOnce(lane: Lane, call: RelayedCall): Promise<Hash> {
  const gasFees = await lane.fees.get();
  return lane.nonces.withNextNonce(async (nonce) => {
    const hash = await signAndBroadcast(lane, nonce, call, gasFees);
    track(lane, hash, { nonce, call, fees: gasFees, hashes: [] });
    return hash;
  });
}

async function send(lane: Lane, call: RelayedCall): Promise<Hash> {
  try {
    return await sendOnce(lane, call);
  } catch (error) {
    // another sender used our nonce (or the node dropped our view): one retry with a fresh read.
    // The refused transaction is proven absent from the node (else it would not be a refusal),
    // so the retry is never a second transaction for the same call.
    if (
      error instanceof RelayerSendError &&
      !error.ambiguous &&
      NONCE_CONFLICT.test(errorText(error.cause))
    ) {
      return sendOnce(lane, call);
    }
    throw error;
  }
}

async function replace(lane: Lane, hash: Hash): Promise<Hash> {
  const sent = lane.tracked.get(hash);
  if (!sent)
    throw new X402Error(
      Reasons.invalidArgument,
      `transaction ${hash} is not tracked by relayer ${lane.account.address}`,
    );
  const raised = bumpFees(sent.fees, await lane.fees.get());
  // the next attempt raises from here even if the node refuses this one
  sent.fees = raised;
  const next = await signAndBroadcast(lane, sent.nonce, sent.call, raised);
  track(lane, next, sent);
  return next;
}
