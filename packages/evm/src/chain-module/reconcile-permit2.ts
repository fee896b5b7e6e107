/**
 * Find on chain the settlement of a Permit2 payment (`exact` through `x402ExactPermit2Proxy`,
 * `upto` through `x402UptoPermit2Proxy`) whose outcome the ledger does not know: its recorded
 * transaction never landed, its instance died before recording one, or someone else submitted the
 * authorization first. Both proxies spend Permit2 SignatureTransfer unordered nonces, so the
 * nonce state is bit `nonce & 0xff` of `nonceBitmap(owner, nonce >> 8)` at the canonical Permit2.
 * A used nonce is matched to the `Transfer(from -> witness.to)` whose transaction carries the
 * permit's nonce and signature (see {@link findEvmSettlement}); an unused one past `deadline` by
 * the chain's clock can never settle (`permit2_deadline_expired`).
 */

import { keyNonce, nonceWord, type Reconcile, settlementAnswer } from '@x402kit/core';
import { type Address, type PublicClient, parseAbiItem, parseErc6492Signature } from 'viem';
import { PERMIT2_ADDRESS, Permit2Reasons, readPermit2Payload } from '../permit2/index.js';
import { createEvmClients } from './evm-clients.js';
import { findEvmSettlement } from './find-evm-settlement.js';

/** Options of `createPermit2Reconciler`. */
export type Permit2ReconcilerOptions = {
  /** JSON-RPC URL per CAIP-2 network. */
  rpc: Record<string, string>;
  /** How far back `Transfer` logs are searched; default 50 000 blocks. */
  lookbackBlocks?: bigint;
};

const nonceBitmapFunction = parseAbiItem(
  'function nonceBitmap(address owner, uint256 wordPos) view returns (uint256)',
);

/**
 * Create a reconciler for Permit2 `exact` and `upto` payments (the EVM chain module's second).
 *
 * @example
 * const reconcile = firstReconciler(createExactEvmReconciler({ rpc }), createPermit2Reconciler({ rpc }))
 */
export function createPermit2Reconciler(options: Permit2ReconcilerOptions): Reconcile {
  const clientFor = createEvmClients(options.rpc);
  const lookbackBlocks = options.lookbackBlocks ?? 50_000n;

  return async function reconcilePermit2(payment, record) {
    const { scheme, network } = payment.requirements;
    if (scheme !== 'exact' && scheme !== 'upto') return undefined;
    const nonce = keyNonce(record.key, 'permit2');
    const client = clientFor(network);
    if (nonce === undefined || !client) return undefined;
    const read = readPermit2Payload(payment.payload.payload, { requireFacilitator: scheme === 'upto' });
    if (!read.ok) return undefined;
    const auth = read.payload.permit2Authorization;
    if (BigInt(auth.nonce) !== nonce) return undefined; // not the payment the ledger claimed
    const permitted = BigInt(auth.permitted.amount);
    const found = await findEvmSettlement(
      client,
      {
        token: auth.permitted.token,
        payer: auth.from,
        payTo: auth.witness.to,
        amount: scheme === 'upto' ? { atMost: permitted } : { exactly: permitted },
        deadline: BigInt(auth.deadline),
        nonceUsed: (blockNumber) => permit2NonceUsed(client, auth.from, nonce, blockNumber),
        // an ERC-6492 wrapper is stripped before the proxy call (encodePermit2SettleCall)
        evidence: [nonceWord(nonce), parseErc6492Signature(read.payload.signature).signature],
      },
      { recorded: record.transaction, lookbackBlocks },
    );
    return settlementAnswer(payment, record, auth.from, found, {
      expiredReason: Permit2Reasons.deadlineExpired,
      deadline: `deadline ${auth.deadline}`,
      withAmount: scheme === 'upto',
    });
  };
}

/** Is Permit2 nonce `nonce` of `owner` used (SignatureTransfer's unordered nonce bitmap)? */
async function permit2NonceUsed(
  client: PublicClient,
  owner: Address,
  nonce: bigint,
  blockNumber: bigint,
): Promise<boolean> {
  const word = await client.readContract({
    address: PERMIT2_ADDRESS,
    abi: [nonceBitmapFunction],
    functionName: 'nonceBitmap',
    args: [owner, nonce >> 8n],
    blockNumber,
  });
  return ((word >> (nonce & 0xffn)) & 1n) === 1n;
}
