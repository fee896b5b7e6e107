/**
 * Batched settlement: concurrent `transferWithAuthorization` calls that arrive within a short window
 * are sent as ONE Multicall3 `aggregate3` transaction (every sub-call with `allowFailure`), from one
 * relayer lane (lanes taken round-robin, one per batch). Each caller still gets its own outcome: the
 * batch is simulated first and a call that would fail inside it is answered `refused` and left out
 * (so it cannot poison the others), and once mined each caller receives its own view of the receipt
 * (`paymentReceipts`): its sub-call's success and its own `AuthorizationUsed` and `Transfer` logs.
 *
 * Worth it where blocks take a while (block time of about 1 s and more): callers then wait for the
 * next block anyway, and a window of a quarter block costs no extra latency while saving 21 000 gas
 * and one nonce per payment. On automine chains it only adds the window to every settle.
 */
import { notifyBroadcast } from '@x402kit/core/internal';
import {
  type Address,
  decodeErrorResult,
  decodeFunctionResult,
  encodeFunctionData,
  type Hash,
  type Hex,
  type PublicClient,
  parseAbi,
} from 'viem';
import { MULTICALL3_ADDRESS } from '../multicall3.js';
import { type BatchedPayment, paymentReceipts, readBatchedPayment } from './batched-payment.js';
import type { BatchRelayOptions, RelayedCall, RelayedSettlement, SettlementBatcher } from './relayed-call.js';
import type { Relayer } from './relayer.js';
import { sendCall } from './send-call.js';
import { watchTransaction } from './watch-transaction.js';

/** Canonical Multicall3 address. */
export const BATCH_MULTICALL3_ADDRESS: Address = MULTICALL3_ADDRESS;

/**
 * Batched settlement of concurrent EIP-3009 payments in one Multicall3 `aggregate3` transaction per
 * window: its tuning, as the facilitator options give it. Worth it where blocks take about 1 s or more
 * (a payment waits for the next block anyway); on automine chains (anvil's default, instant blocks) it
 * only adds the window to every settle.
 */
export type EvmBatchingOptions = {
  /** How long the first payment of a batch waits for others; default a quarter of the block time, 10-500 ms. */
  windowMs?: number;
  /** Block time (ms) the default window derives from; default measured over the chain's last 8 blocks. */
  blockTimeMs?: number;
  /** Payments per batch; a full batch is sent at once. Default 50, at most 500 in facilitator options. */
  maxBatch?: number;
  /** Gas limit of one batch transaction (the sum of the calls' limits never exceeds it); default 10 000 000. */
  maxGas?: bigint;
};

/** Options of `createSettlementBatcher`. */
export type SettlementBatcherOptions = EvmBatchingOptions & {
  client: Pick<PublicClient, 'request' | 'call' | 'estimateGas' | 'getBlock'>;
  /** The lane for the next batch (round-robin over the network's keys). */
  nextRelayer: () => Relayer;
  /** Default the canonical {@link BATCH_MULTICALL3_ADDRESS}. */
  multicallAddress?: Address;
};

type Entry = {
  call: RelayedCall;
  payment: BatchedPayment;
  options: BatchRelayOptions;
  resolve: (outcome: RelayedSettlement) => void;
};

const aggregate3Abi = parseAbi([
  'struct Call3 { address target; bool allowFailure; bytes callData; }',
  'struct Result { bool success; bytes returnData; }',
  'function aggregate3(Call3[] calls) payable returns (Result[] returnData)',
]);
/** Multicall3's own cost per batch on top of its calls' limits. */
const BATCH_OVERHEAD_GAS = 50_000n;
const MIN_WINDOW_MS = 10;
const MAX_WINDOW_MS = 500;
const UNKNOWN_BLOCK_TIME_WINDOW_MS = 50;

/** One batcher's tuning and its queue, shared by the steps below. */
type Batcher = {
  options: SettlementBatcherOptions;
  client: SettlementBatcherOptions['client'];
  maxBatch: number;
  maxGas: bigint;
  multicall: Address;
  queue: Entry[];
  scheduled: boolean;
  round: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  window: Promise<number> | undefined;
};

/**
 * Create a batcher for one network.
 *
 * @example
 * const batcher = createSettlementBatcher({ client, nextRelayer: () => net.nextRelayer(), blockTimeMs: 2000 })
 * const outcome = await batcher.relay({ to: token, data, gas: 120_000n }, { pollingIntervalMs: 100, receiptTimeoutMs: 30_000 })
 */
export function createSettlementBatcher(options: SettlementBatcherOptions): SettlementBatcher {
  const batcher: Batcher = {
    options,
    client: options.client,
    maxBatch: Math.max(1, Math.floor(options.maxBatch ?? 50)),
    maxGas: options.maxGas ?? 10_000_000n,
    multicall: options.multicallAddress ?? BATCH_MULTICALL3_ADDRESS,
    queue: [],
    scheduled: false,
    round: 0,
    timer: undefined,
    window: undefined,
  };
  return {
    accepts: (call) => readBatchedPayment(call) !== undefined,
    relay(call, relayOptions) {
      const payment = readBatchedPayment(call);
      if (!payment) {
        return Promise.resolve({
          kind: 'refused',
          message: 'only transferWithAuthorization calls can be batched',
        });
      }
      return new Promise((resolve) => enqueue(batcher, { call, payment, options: relayOptions, resolve }));
    },
  };
}

function windowMs(batcher: Batcher): Promise<number> {
  const { options } = batcher;
  if (options.windowMs !== undefined) return Promise.resolve(options.windowMs);
  batcher.window ??= (
    options.blockTimeMs === undefined
      ? measureBlockTimeMs(batcher.client)
      : Promise.resolve(options.blockTimeMs)
  ).then((blockTime) =>
    blockTime === undefined
      ? UNKNOWN_BLOCK_TIME_WINDOW_MS
      : Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, blockTime / 4)),
  );
  return batcher.window;
}

/** The next batch off the queue: at most `maxBatch` calls whose gas limits fit `maxGas`. */
function take(batcher: Batcher): Entry[] {
  const { queue, maxBatch, maxGas } = batcher;
  const batch: Entry[] = [];
  let gas = 0n;
  for (let next = queue[0]; next && batch.length < maxBatch; next = queue[0]) {
    if (batch.length > 0 && gas + next.call.gas + BATCH_OVERHEAD_GAS > maxGas) break;
    batch.push(next);
    gas += next.call.gas;
    queue.shift();
  }
  return batch;
}

function flushAll(batcher: Batcher): void {
  while (batcher.queue.length > 0) void run(batcher, take(batcher));
}

/** Arm the window timer (once per batch); `round` invalidates a timer whose batch left early. */
function schedule(batcher: Batcher): void {
  if (batcher.scheduled) return;
  batcher.scheduled = true;
  const mine = ++batcher.round;
  void windowMs(batcher).then((ms) => {
    if (mine !== batcher.round) return;
    batcher.timer = setTimeout(() => {
      batcher.timer = undefined;
      batcher.scheduled = false;
      flushAll(batcher);
    }, ms);
  });
}

function cancel(batcher: Batcher): void {
  if (batcher.timer) clearTimeout(batcher.timer);
  batcher.timer = undefined;
  batcher.scheduled = false;
  batcher.round++;
}

function enqueue(batcher: Batcher, entry: Entry): void {
  batcher.queue.push(entry);
  while (batcher.queue.length >= batcher.maxBatch) void run(batcher, take(batcher));
  if (batcher.queue.length === 0) cancel(batcher);
  else schedule(batcher);
}

async function simulate(batcher: Batcher, from: Address, entries: readonly Entry[]) {
  try {
    const { data } = await batcher.client.call({
      account: from,
      to: batcher.multicall,
      data: aggregate(entries, true),
    });
    if (!data) return undefined;
    return decodeFunctionResult({ abi: aggregate3Abi, functionName: 'aggregate3', data });
  } catch {
    return undefined; // judged one by one before; send as they are
  }
}

async function batchGas(batcher: Batcher, from: Address, entries: readonly Entry[]): Promise<bigint> {
  const { maxGas } = batcher;
  try {
    const estimate = await batcher.client.estimateGas({
      account: from,
      to: batcher.multicall,
      data: aggregate(entries, false),
    });
    const padded = (estimate * 5n) / 4n;
    return padded < maxGas ? padded : maxGas;
  } catch {
    // no estimate (a race with another batch, or the node cannot): the calls' own limits, capped
    const limits = entries.reduce((sum, e) => sum + e.call.gas, BATCH_OVERHEAD_GAS);
    // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers)
    return limits < maxGas ? limits : maxGas;
  }
}

async function run(batcher: Batcher, batch: Entry[]): Promise<void> {
  let entries = batch.filter((entry) => {
    if (!entry.options.signal?.aborted) return true;
    entry.resolve({ kind: 'refused', message: 'the settlement was aborted before broadcast' });
    return false;
  });
  if (entries.length === 0) return;
  const relayer = batcher.options.nextRelayer();
  if (entries.length > 1) {
    const results = await simulate(batcher, relayer.address, entries);
    if (results) {
      entries = entries.filter((entry, i) => {
        const result = results[i];
        if (!result || result.success) return true;
        entry.resolve({ kind: 'refused', message: revertMessage(result.returnData) });
        return false;
      });
    }
  }
  const [only] = entries;
  if (!only) return;
  const call: RelayedCall =
    entries.length === 1
      ? only.call
      : {
          to: batcher.multicall,
          data: aggregate(entries, true),
          gas: await batchGas(batcher, relayer.address, entries),
        };
  const sent = await sendCall(relayer, call);
  if (sent.kind === 'refused') {
    for (const entry of entries) entry.resolve(sent);
    return;
  }
  await watchBatch(batcher, relayer, sent.hash, entries, sent.unknownOutcome);
}

/** Report the batch's hash to every caller and wait for its receipt (`unknownOutcome`: never replaced). */
async function watchBatch(
  batcher: Batcher,
  relayer: Relayer,
  hash: Hash,
  entries: readonly Entry[],
  unknownOutcome: string | undefined,
): Promise<void> {
  const tellAll = (transaction: Hash) =>
    Promise.all(entries.map((e) => notifyBroadcast(e.options.onBroadcast, transaction))).then(() => {});
  await tellAll(hash);
  const wait = { latest: hash };
  // the shared wait stops only when every caller stopped waiting
  const allGone = new AbortController();
  const stopWaiting = answerAbortedWaits(entries, wait, allGone);
  const watched = await watchTransaction(hash, {
    client: batcher.client,
    // a send of unknown outcome is never replaced: its nonce may be someone else's by now
    ...(unknownOutcome ? {} : { relayer }),
    pollingIntervalMs: Math.min(...entries.map((e) => e.options.pollingIntervalMs)),
    timeoutMs: Math.max(...entries.map((e) => e.options.receiptTimeoutMs)),
    signal: allGone.signal,
    onReplaced: (replacement) => {
      wait.latest = replacement;
      return tellAll(replacement);
    },
  });
  for (const stop of stopWaiting) stop();
  relayer.forget(hash);
  if (!watched.receipt) {
    relayer.reset();
    const message = `${unknownOutcome ? `${unknownOutcome}; ` : ''}no receipt for ${watched.hashes.join(' or ')} in time; it may still be mined`;
    for (const entry of entries) entry.resolve({ kind: 'pending', hash: watched.hash, message });
    return;
  }
  const receipts = paymentReceipts(
    watched.receipt,
    entries.map((e) => e.payment),
  );
  entries.forEach((entry, i) => {
    const receipt = receipts[i];
    if (receipt) entry.resolve({ kind: 'mined', hash: watched.hash, receipt });
  });
}

/**
 * Answer `pending` (with the latest hash) to each caller whose signal aborts, and abort `allGone` once
 * no caller waits any more. One listener per distinct signal: callers often share one (a service's
 * lifetime). Returns the functions that remove the listeners.
 */
function answerAbortedWaits(
  entries: readonly Entry[],
  wait: { latest: Hash },
  allGone: AbortController,
): (() => void)[] {
  const stillWaiting = new Set(entries);
  const bySignal = new Map<AbortSignal, Entry[]>();
  for (const entry of entries) {
    const { signal } = entry.options;
    if (signal) bySignal.set(signal, [...(bySignal.get(signal) ?? []), entry]);
  }
  return [...bySignal].map(([signal, group]) => {
    const onAbort = () => {
      for (const entry of group) {
        entry.resolve({
          kind: 'pending',
          hash: wait.latest,
          message: `settlement wait aborted; ${wait.latest} may still be mined`,
        });
        stillWaiting.delete(entry);
      }
      if (stillWaiting.size === 0) allGone.abort();
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  });
}

function aggregate(entries: readonly Entry[], allowFailure: boolean): Hex {
  return encodeFunctionData({
    abi: aggregate3Abi,
    functionName: 'aggregate3',
    args: [entries.map((e) => ({ target: e.call.to, allowFailure, callData: e.call.data }))],
  });
}

/** `execution reverted: <reason>` for a failed sub-call's return data, as a node would word it. */
function revertMessage(data: Hex): string {
  try {
    const decoded = decodeErrorResult({ abi: [], data });
    return `execution reverted: ${(decoded.args ?? []).map(String).join(', ') || decoded.errorName}`;
  } catch {
    return `execution reverted${data.length > 2 ? ` (${data.slice(0, 10)})` : ''}`;
  }
}

/** Average seconds between the last 8 blocks, in ms; `undefined` on a young chain or RPC failure. */
async function measureBlockTimeMs(client: Pick<PublicClient, 'getBlock'>): Promise<number | undefined> {
  try {
    const latest = await client.getBlock({ blockTag: 'latest' });
    if (latest.number < 8n) return undefined;
    const earlier = await client.getBlock({ blockNumber: latest.number - 8n });
    return (Number(latest.timestamp - earlier.timestamp) * 1000) / 8;
  } catch {
    return undefined;
  }
}
