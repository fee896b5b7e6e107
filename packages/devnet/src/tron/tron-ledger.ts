import { setTimeout as sleep } from 'node:timers/promises';
import type { Hex } from 'viem';
import type { AnvilRpc } from './anvil-rpc.js';
import { WEI_PER_SUN } from './tron-nile.js';
import type { ExecutionFacts, ExecutionOutcome, TronTransactionInfoJson } from './tron-receipts.js';
import { executionOutcome, toTransactionInfo } from './tron-receipts.js';
import type { TronTransactionJson } from './tron-transactions.js';

/** A transaction the node accepted and handed to anvil. */
export interface LedgerEntry {
  /** The signed transaction as broadcast (normalized JSON). */
  readonly tx: TronTransactionJson;
  /** `41…` hex of the signer, who pays the fee. */
  readonly owner: string;
  readonly facts: Omit<ExecutionFacts, 'blockTimestamp'>;
  readonly ethHash: Hex;
}

/** An executed transaction: its TRON info, outcome and block. */
export interface SettledEntry {
  readonly info: TronTransactionInfoJson;
  readonly outcome: ExecutionOutcome;
  readonly blockNumber: bigint;
}

const RECEIPT_POLL_MS = 50;
const RECEIPT_TIMEOUT_MS = 120_000;

/**
 * The node's memory: transaction ids seen (for DUP_TRANSACTION_ERROR), txid → anvil hash, and each executed
 * transaction's TRON info. Settling a transaction burns its energy fee from the owner's TRX exactly once.
 * Writes that read-modify-write balances run one at a time.
 *
 * @example
 * ```ts
 * const ledger = new TronLedger(rpc);
 * const info = await ledger.settle(txid, { wait: true });
 * ```
 */
export class TronLedger {
  private readonly rpc: AnvilRpc;
  private readonly seen = new Set<string>();
  private readonly entries = new Map<string, LedgerEntry>();
  private readonly byEthHash = new Map<string, string>();
  private readonly settled = new Map<string, SettledEntry>();
  private readonly settling = new Map<string, Promise<SettledEntry | undefined>>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(rpc: AnvilRpc) {
    this.rpc = rpc;
  }

  /** Runs `work` after every earlier serialized work has finished. */
  serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Records a txid as seen; false if it was seen before (java-tron caches ids before validating). */
  markSeen(txid: string): boolean {
    if (this.seen.has(txid)) return false;
    this.seen.add(txid);
    return true;
  }

  record(entry: LedgerEntry): void {
    this.entries.set(entry.facts.txID, entry);
    this.byEthHash.set(entry.ethHash.toLowerCase(), entry.facts.txID);
  }

  get(txid: string): LedgerEntry | undefined {
    return this.entries.get(txid.toLowerCase());
  }

  /** The txid of the TRON transaction anvil executed as `ethHash`, if it was one. */
  txidOf(ethHash: string): string | undefined {
    return this.byEthHash.get(ethHash.toLowerCase());
  }

  /** Stops background settlement loops (on node shutdown). */
  close(): void {
    this.closed = true;
  }

  /**
   * The executed transaction's info, settling it on first sight of its receipt (fee burned once). Without
   * `wait`, answers undefined while anvil has not mined it; with `wait`, polls for the receipt.
   */
  async settle(txid: string, options: { wait: boolean }): Promise<SettledEntry | undefined> {
    const key = txid.toLowerCase();
    const done = this.settled.get(key);
    if (done) return done;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    let pending = this.settling.get(key);
    if (!pending) {
      pending = this.trySettle(entry).finally(() => this.settling.delete(key));
      this.settling.set(key, pending);
    }
    let result = await pending;
    const deadline = Date.now() + RECEIPT_TIMEOUT_MS;
    while (!result && options.wait && !this.closed && Date.now() < deadline) {
      await sleep(RECEIPT_POLL_MS);
      result = await this.settle(txid, { wait: false });
    }
    return result;
  }

  private async trySettle(entry: LedgerEntry): Promise<SettledEntry | undefined> {
    const receipt = await this.rpc.getReceipt(entry.ethHash);
    if (!receipt) return undefined;
    const [trace, block] = await Promise.all([
      this.rpc.traceCall(entry.ethHash),
      this.rpc.getBlock(receipt.blockNumber),
    ]);
    const facts: ExecutionFacts = { ...entry.facts, blockTimestamp: block?.timestamp ?? 0n };
    const outcome = executionOutcome(receipt, trace, facts);
    const info = toTransactionInfo(receipt, trace, facts, outcome);
    await this.burn(entry.owner, outcome.fee);
    const settled: SettledEntry = { info, outcome, blockNumber: receipt.blockNumber };
    this.settled.set(entry.facts.txID, settled);
    return settled;
  }

  /** Takes `sun` from the account's TRX (anvil balance / 10^12), never below zero. */
  burn(owner: string, sun: bigint): Promise<void> {
    if (sun <= 0n) return Promise.resolve();
    const address: Hex = `0x${owner.slice(2)}`;
    return this.serialize(async () => {
      const balance = await this.rpc.getBalance(address);
      const fee = sun * WEI_PER_SUN;
      await this.rpc.setBalance(address, balance > fee ? balance - fee : 0n);
    });
  }
}
