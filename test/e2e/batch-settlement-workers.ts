/**
 * The paying side of the batch-settlement load and kill tests: one x402kit batch-settlement client per
 * payer wallet (one channel each), and `workersPerChannel` concurrent workers per channel that take
 * the channel's paid requests one at a time (after the channel's deposit, paid on `depositPath`), alternating between the server instances, until the
 * channel has `perChannel` paid 200s. A worker keeps its request until it is paid: a 402 refusal
 * (counted by reason) is signed again against that 402 (the corrective offer or the busy channel's),
 * a lost answer (a killed instance) is signed again on the next instance, a 202 is presented again.
 * So every refusal is followed by that worker's success, and the 200s are exactly the target.
 */
import {
  createX402Client,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  type PaymentRequired,
  type X402Client,
} from '@x402kit/core';
import type { DevnetAccount } from '@x402kit/devnet';
import { createBatchSettlementEvmClient } from '@x402kit/evm/batch-settlement';
import { privateKeyToAccount } from 'viem/accounts';
import { type BatchStack, PRICE } from './batch-settlement-stack.js';

/** One paid 200 a client got. */
export type PaidAnswer = {
  channelId: string;
  max: string;
  instance: string;
  /** The deposit's transaction, or "" for a voucher. */
  transaction: string;
  charged: string;
  /** performance.now() when the answer came. */
  at: number;
};

/** What the workers saw. */
export type LoadStats = {
  paid: PaidAnswer[];
  /** 402 refusals by reason (`error` of the 402). */
  refusals: Record<string, number>;
  /** Requests whose answer never came (a killed instance), and 202 answers. */
  lost: number;
  pending: number;
  /** Any other answer (status: body), which the test fails on. */
  unexpected: string[];
  elapsedMs: number;
};

/** A payer's client over its channel. */
export type Payer = { client: X402Client; address: string };

/**
 * One client per payer wallet (deposits of `depositUnits` each, enough for the run).
 *
 * @example const payers = payersOf(devnet.extraPayers.slice(0, 10), devnet.rpcUrl)
 */
export function payersOf(accounts: readonly DevnetAccount[], rpcUrl: string, depositUnits = 200n * PRICE) {
  return accounts.map((account) => {
    const signer = privateKeyToAccount(account.privateKey);
    const scheme = createBatchSettlementEvmClient({
      signer,
      rpcUrl,
      depositPolicy: { amount: depositUnits },
    });
    const client = createX402Client({ schemes: [{ network: 'eip155:*', client: scheme }] });
    return { client, address: signer.address } satisfies Payer;
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The 402 of an unpaid request. */
export async function offerAt(url: string): Promise<PaymentRequired> {
  const res = await fetch(url);
  if (res.status !== 402) throw new Error(`unpaid ${url} answered ${res.status}`);
  return decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '') as PaymentRequired;
}

/**
 * Pay until every channel has `perChannel` 200s; `urls()` is read at each request (a restarted instance
 * has a new URL), `onPaid` is told of each 200 (the kill test acts on progress).
 *
 * @example const stats = await runWorkers({ payers, urls: () => [a.url, b.url], path: '/weather', perChannel: 100, workersPerChannel: 5 })
 */
export async function runWorkers(options: {
  payers: readonly Payer[];
  urls: () => string[];
  path: string;
  /** The route of each channel's first payment (its deposit). */
  depositPath: string;
  perChannel: number;
  workersPerChannel: number;
  onPaid?: (paid: number) => void;
}): Promise<LoadStats> {
  const started = performance.now();
  const stats: LoadStats = { paid: [], refusals: {}, lost: 0, pending: 0, unexpected: [], elapsedMs: 0 };
  const base = await offerAt(`${options.urls()[0]}${options.path}`);
  let turn = 0;

  /** One paid request: retried (as the module comment says) until a 200. */
  async function payOnce(payer: Payer, worker: number, path = options.path): Promise<void> {
    let offer = path === options.path ? base : await offerAt(`${options.urls()[0]}${path}`);
    const deadline = performance.now() + 150_000;
    while (performance.now() < deadline) {
      const urls = options.urls();
      const url = `${urls[(worker + turn++) % urls.length]}${path}`;
      const payload = await payer.client.createPaymentPayload(offer);
      const header = encodePaymentSignatureHeader(payload);
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { 'PAYMENT-SIGNATURE': header },
          signal: AbortSignal.timeout(60_000),
        });
        while (res.status === 202) {
          stats.pending++;
          await sleep(200);
          res = await fetch(url, {
            headers: { 'PAYMENT-SIGNATURE': header },
            signal: AbortSignal.timeout(60_000),
          });
        }
      } catch {
        stats.lost++;
        await payer.client.reportOutcome(payload, 'unknown');
        await sleep(50);
        continue;
      }
      const body = await res.text();
      if (res.status === 200) {
        const settlement = decodePaymentResponseHeader(res.headers.get('payment-response') ?? '');
        await payer.client.reportOutcome(payload, 'paid', settlement);
        const voucher = (payload.payload as { voucher: { channelId: string; maxClaimableAmount: string } })
          .voucher;
        const state = (
          settlement.extra as { channelState?: { chargedCumulativeAmount?: string } } | undefined
        )?.channelState;
        stats.paid.push({
          channelId: voucher.channelId.toLowerCase(),
          max: voucher.maxClaimableAmount,
          instance: (JSON.parse(body) as { instance: string }).instance,
          transaction: settlement.transaction,
          charged: state?.chargedCumulativeAmount ?? '',
          at: performance.now(),
        });
        return;
      }
      const required = res.headers.get('payment-required');
      if (res.status !== 402 || !required) {
        const receipt = res.headers.get('payment-response');
        const said = receipt ? JSON.stringify(decodePaymentResponseHeader(receipt)) : '';
        stats.unexpected.push(`${res.status}: ${body.slice(0, 200)} ${said.slice(0, 400)}`);
        await sleep(100);
        continue;
      }
      const refusal = decodePaymentRequiredHeader(required) as PaymentRequired;
      const reason = refusal.error ?? '(none)';
      stats.refusals[reason] = (stats.refusals[reason] ?? 0) + 1;
      await payer.client.reportOutcome(payload, 'refused');
      offer = refusal;
      // a busy channel serves another worker's request now: come back once it is likely done
      await sleep(reason.endsWith('channel_busy') ? 10 + Math.random() * 40 : Math.random() * 5);
    }
    throw new Error(`${payer.address}: no 200 within 150 s (${JSON.stringify(stats.refusals)})`);
  }

  await Promise.all(
    options.payers.map(async (payer) => {
      // the deposit first, on a route with a long window: a deposit waits for its transaction
      await payOnce(payer, 0, options.depositPath);
      let slots = options.perChannel - 1;
      const worker = async (index: number) => {
        while (slots > 0) {
          slots--;
          await payOnce(payer, index);
          options.onPaid?.(stats.paid.length);
        }
      };
      await Promise.all(Array.from({ length: options.workersPerChannel }, (_, i) => worker(i)));
    }),
  );
  stats.elapsedMs = Math.round(performance.now() - started);
  return stats;
}

/**
 * The tests' load: 10 channels (the stack's first 10 extra payers) x 100 paid requests, 5 workers per
 * channel over every running instance, deposits on `/slow-weather`, vouchers on `/weather`.
 *
 * @example const stats = await runLoad(stack)
 */
export function runLoad(stack: BatchStack, onPaid?: (paid: number) => void): Promise<LoadStats> {
  return runWorkers({
    payers: payersOf(stack.devnet.extraPayers.slice(0, 10), stack.devnet.rpcUrl),
    urls: () => [...stack.servers.values()].map((s) => s.url),
    path: '/weather',
    depositPath: '/slow-weather',
    perChannel: 100,
    workersPerChannel: 5,
    ...(onPaid ? { onPaid } : {}),
  });
}
