/**
 * Where did a signed TRON authorization go? The TRON half of the nonce-based reconcilers, through
 * the node's HTTP API:
 *
 * 1. the recorded transaction: settled when its receipt says `SUCCESS`, it logged the token's
 *    `Transfer(payer -> payee, amount)`, and its call data carries the authorization (its nonce
 *    word and signature bytes);
 * 2. the nonce, read after the latest block: unused means no transaction consumed the
 *    authorization; unused after its deadline by that block's timestamp means none ever will:
 *    `expired`;
 * 3. used without a matching recorded transaction: `unknown`. A TRON full node has no log search
 *    (`eth_getLogs`), so a settlement the ledger holds no hash of (a front-run, an instance that
 *    died before recording) is never answered here, and never a failure.
 */

import type { SettlementLookup } from '@x402kit/core';
import { carriesAuthorization } from '@x402kit/core';
import type { TronNodeClient } from '../node-client.js';
import type { TronTransactionInfo } from '../node-schemas.js';

/**
 * What a transaction that settles the authorization looks like on TRON.
 *
 * @example
 * const authorization: TronAuthorization = { token, payer, payTo, amount: 10_000n, deadline, nonceUsed, evidence: [nonceWord(nonce), signature] }
 */
export type TronAuthorization = {
  /** 20-byte hex bodies (`0x` optional, any case) of the token, the payer and the payee. */
  token: string;
  payer: string;
  payTo: string;
  /** The `Transfer` value that pays for it. */
  amount: bigint;
  /** The last block timestamp (seconds) at which the contract still accepts it. */
  deadline: bigint;
  /** Is the nonce used now? A thrown error means "cannot tell". */
  nonceUsed(): Promise<boolean>;
  /** Byte strings the call data of a transaction carrying it contains. */
  evidence: readonly string[];
};

const TRANSFER_TOPIC = 'ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';
const TX_ID = /^(?:0x)?([0-9a-fA-F]{64})$/;

/**
 * Look an authorization up on a TRON node.
 *
 * @example
 * const found = await findTronSettlement(node, authorization, { recorded: record.transaction })
 */
export async function findTronSettlement(
  node: TronNodeClient,
  authorization: TronAuthorization,
  options: { recorded?: string | undefined },
): Promise<SettlementLookup> {
  const id = TX_ID.exec(options.recorded ?? '')?.[1]?.toLowerCase();
  if (id !== undefined) {
    const info = await node.getTransactionInfoById(id).catch(() => undefined);
    if (info?.receipt?.result === 'SUCCESS' && paysPayee(info, authorization)) {
      const transaction = await node.getTransactionById(id).catch(() => undefined);
      const data = transaction?.raw_data.contract[0]?.parameter.value.data;
      if (typeof data === 'string' && carriesAuthorization(data, authorization.evidence)) {
        return { kind: 'settled', transaction: id, amount: authorization.amount };
      }
    }
  }
  const head = await node.getNowBlock();
  const used = await authorization.nonceUsed().catch(() => undefined);
  const timestamp = BigInt(Math.floor(head.block_header.raw_data.timestamp / 1000));
  if (used === false && timestamp > authorization.deadline) {
    return { kind: 'expired', block: BigInt(head.block_header.raw_data.number), timestamp };
  }
  return { kind: 'unknown' };
}

/** Did the transaction log the token's `Transfer(payer -> payTo, amount)`? */
function paysPayee(info: TronTransactionInfo, authorization: TronAuthorization): boolean {
  const body = (value: string) => value.replace(/^0x/i, '').toLowerCase().slice(-40);
  const [token, payer, payTo] = [authorization.token, authorization.payer, authorization.payTo].map(body);
  return (info.log ?? []).some((log) => {
    const [topic, from, to] = (log.topics ?? []).map((t) => t.replace(/^0x/i, '').toLowerCase());
    const data = (log.data ?? '').replace(/^0x/i, '');
    return (
      topic === TRANSFER_TOPIC &&
      from !== undefined &&
      to !== undefined &&
      body(log.address) === token &&
      body(from) === payer &&
      body(to) === payTo &&
      data.length >= 64 &&
      BigInt(`0x${data.slice(0, 64)}`) === authorization.amount
    );
  });
}
