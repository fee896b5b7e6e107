import type { Address, Transaction } from '@solana/kit';
import { address, getBase58Decoder, getCompiledTransactionMessageDecoder, lamports } from '@solana/kit';
import { Reasons, X402Error } from '@x402kit/core';
import type { FailedTransactionMetadata, LiteSVM, TransactionMetadata } from 'litesvm';
import { DevnetReasons } from '../devnet-reasons.js';
import type { SolanaWireTransactionError } from './solana-transaction-error.js';
import { toWireTransactionError } from './solana-transaction-error.js';

/** Blocks a blockhash stays valid for, as on Solana (`MAX_PROCESSING_AGE`). */
export const BLOCKHASH_VALIDITY_BLOCKS = 150n;
/** Lamports per signature, Solana's base fee. */
export const LAMPORTS_PER_SIGNATURE = 5000n;

const COMPUTE_BUDGET_PROGRAM = 'ComputeBudget111111111111111111111111111111';

/** The status of a landed transaction, as `getSignatureStatuses` reports it. */
export interface SolanaSignatureStatus {
  readonly slot: bigint;
  readonly err: SolanaWireTransactionError | null;
}

/** What executing (or simulating) a transaction gave. */
export type SolanaExecution =
  | { readonly ok: true; readonly signature: string; readonly logs: string[]; readonly unitsConsumed: bigint }
  | {
      readonly ok: false;
      readonly signature: string;
      readonly err: SolanaWireTransactionError;
      /** True when the transaction never ran (duplicate, unknown blockhash, bad signature, fee payer). */
      readonly refused: boolean;
      readonly logs: string[];
      readonly unitsConsumed: bigint;
    };

/**
 * The transaction could not be decoded or is missing signatures: the RPC answers it as a request error.
 * `code` is the JSON-RPC code Solana uses (-32602 bad params, -32003 signature verification failure); the
 * reason is `devnet_solana_transaction_rejected`.
 */
export class SolanaTransactionRejected extends X402Error {
  override readonly name = 'SolanaTransactionRejected';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(DevnetReasons.solanaTransaction, message);
  }
}

function firstSignature(tx: Transaction): string {
  const [first] = Object.values(tx.signatures);
  return first
    ? getBase58Decoder().decode(first)
    : '1111111111111111111111111111111111111111111111111111111111111111';
}

function isFailed(result: unknown): result is FailedTransactionMetadata {
  return typeof result === 'object' && result !== null && 'err' in result;
}

/**
 * A litesvm chain with Solana's block rules on top: a queue of recent blockhashes (each valid for 150 blocks),
 * a new block (slot and blockhash) after each landed transaction, duplicates refused with `AlreadyProcessed`
 * and signature statuses for every landed transaction. litesvm alone accepts only its latest blockhash.
 * litesvm is a native addon: the caller loads it (`startSolanaDevnet` does, lazily), so importing this
 * package does not.
 *
 * @example
 * ```ts
 * const { LiteSVM } = await import('litesvm');
 * const chain = new SolanaChain(new LiteSVM());
 * const result = chain.send(signedTransaction);
 * ```
 */
export class SolanaChain {
  readonly svm: LiteSVM;
  private readonly recentBlockhashes = new Map<string, bigint>();
  private readonly statuses = new Map<string, SolanaSignatureStatus>();
  private readonly genesisSlot: bigint;
  private landed = 0n;

  constructor(svm: LiteSVM) {
    this.svm = svm.withBlockhashCheck(false).withTransactionHistory(100_000n);
    this.genesisSlot = svm.getClock().slot;
    this.recentBlockhashes.set(svm.latestBlockhash(), BLOCKHASH_VALIDITY_BLOCKS);
  }

  get slot(): bigint {
    return this.svm.getClock().slot;
  }

  get blockHeight(): bigint {
    return this.slot - this.genesisSlot;
  }

  get transactionCount(): bigint {
    return this.landed;
  }

  latestBlockhash(): { blockhash: string; lastValidBlockHeight: bigint } {
    const blockhash = this.svm.latestBlockhash();
    return { blockhash, lastValidBlockHeight: this.recentBlockhashes.get(blockhash) ?? this.blockHeight };
  }

  isBlockhashValid(blockhash: string): boolean {
    const lastValid = this.recentBlockhashes.get(blockhash);
    return lastValid !== undefined && lastValid >= this.blockHeight;
  }

  /** Produces a block: the slot moves on by one and a new blockhash becomes the latest. */
  advance(): void {
    this.svm.expireBlockhash();
    this.svm.warpToSlot(this.slot + 1n);
    const height = this.blockHeight;
    for (const [hash, lastValid] of this.recentBlockhashes) {
      if (lastValid < height) this.recentBlockhashes.delete(hash);
    }
    this.recentBlockhashes.set(this.svm.latestBlockhash(), height + BLOCKHASH_VALIDITY_BLOCKS);
  }

  signatureStatus(signature: string): SolanaSignatureStatus | undefined {
    return this.statuses.get(signature);
  }

  airdrop(to: Address, amount: bigint): string {
    const result = this.svm.airdrop(to, lamports(amount));
    if (!result || isFailed(result)) throw new X402Error(Reasons.internalError, `airdrop to ${to} failed`);
    const signature = getBase58Decoder().decode(result.signature());
    this.statuses.set(signature, { slot: this.slot, err: null });
    this.landed += 1n;
    this.advance();
    return signature;
  }

  /** Lamports the fee payer of `messageBytes` pays: 5000 per signature plus the priority fee. */
  feeForMessage(messageBytes: Uint8Array): bigint {
    const message = getCompiledTransactionMessageDecoder().decode(messageBytes);
    let unitLimit: bigint | undefined;
    let microLamportsPerUnit = 0n;
    let others = 0n;
    const instructions = 'instructions' in message ? message.instructions : [];
    for (const instruction of instructions) {
      const program = message.staticAccounts[instruction.programAddressIndex];
      const data = instruction.data ?? new Uint8Array();
      if (program !== COMPUTE_BUDGET_PROGRAM) {
        others += 1n;
        continue;
      }
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      if (data[0] === 2 && data.length >= 5) unitLimit = BigInt(view.getUint32(1, true));
      if (data[0] === 3 && data.length >= 9) microLamportsPerUnit = view.getBigUint64(1, true);
    }
    const units = unitLimit ?? (others * 200_000n > 1_400_000n ? 1_400_000n : others * 200_000n);
    const priority = (units * microLamportsPerUnit + 999_999n) / 1_000_000n;
    return BigInt(message.header.numSignerAccounts) * LAMPORTS_PER_SIGNATURE + priority;
  }

  /** The recent blockhash a compiled message names. */
  blockhashOfMessage(messageBytes: Uint8Array): string {
    return getCompiledTransactionMessageDecoder().decode(messageBytes).lifetimeToken;
  }

  private preflight(tx: Transaction, checkBlockhash: boolean): SolanaExecution | undefined {
    const signature = firstSignature(tx);
    const refuse = (err: SolanaWireTransactionError): SolanaExecution => ({
      ok: false,
      signature,
      err,
      refused: true,
      logs: [],
      unitsConsumed: 0n,
    });
    if (this.statuses.has(signature)) return refuse('AlreadyProcessed');
    if (checkBlockhash) {
      const message = getCompiledTransactionMessageDecoder().decode(tx.messageBytes);
      if (!this.isBlockhashValid(message.lifetimeToken)) return refuse('BlockhashNotFound');
    }
    return undefined;
  }

  private outcome(
    signature: string,
    result: TransactionMetadata | FailedTransactionMetadata,
    meta: TransactionMetadata,
  ): SolanaExecution {
    const logs = meta.logs();
    const unitsConsumed = meta.computeUnitsConsumed();
    if (!isFailed(result)) return { ok: true, signature, logs, unitsConsumed };
    const err = toWireTransactionError(result);
    return { ok: false, signature, err, refused: typeof err === 'string', logs, unitsConsumed };
  }

  /**
   * Executes a fully signed transaction. A transaction that ran lands in a new block (also when an instruction
   * failed); one that never ran (`refused`) changes nothing.
   */
  send(tx: Transaction): SolanaExecution {
    const signature = firstSignature(tx);
    if (Object.values(tx.signatures).some((s) => s === null)) {
      throw new SolanaTransactionRejected(-32003, 'Transaction signature verification failure');
    }
    const early = this.preflight(tx, true);
    if (early) return early;
    let result: TransactionMetadata | FailedTransactionMetadata;
    try {
      result = this.svm.sendTransaction(tx);
    } catch (error) {
      throw new SolanaTransactionRejected(-32602, `invalid transaction: ${(error as Error).message}`);
    }
    const execution = this.outcome(signature, result, isFailed(result) ? result.meta() : result);
    if (!execution.ok && execution.err === 'SignatureFailure') {
      throw new SolanaTransactionRejected(-32003, 'Transaction signature verification failure');
    }
    if (execution.ok || !execution.refused) {
      this.statuses.set(signature, { slot: this.slot, err: execution.ok ? null : execution.err });
      this.landed += 1n;
      this.advance();
    }
    return execution;
  }

  /** Runs a transaction without keeping its effects; signatures are checked only when `sigVerify` is set. */
  simulate(
    tx: Transaction,
    options: { sigVerify: boolean; replaceRecentBlockhash: boolean },
  ): SolanaExecution {
    const signature = firstSignature(tx);
    const early = this.preflight(tx, !options.replaceRecentBlockhash);
    if (early) return early;
    if (options.sigVerify && Object.values(tx.signatures).some((s) => s === null)) {
      return { ok: false, signature, err: 'SignatureFailure', refused: true, logs: [], unitsConsumed: 0n };
    }
    this.svm.withSigverify(options.sigVerify);
    try {
      const result = this.svm.simulateTransaction(tx);
      if (isFailed(result)) return this.outcome(signature, result, result.meta());
      const meta = result.meta();
      return { ok: true, signature, logs: meta.logs(), unitsConsumed: meta.computeUnitsConsumed() };
    } catch (error) {
      throw new SolanaTransactionRejected(-32602, `invalid transaction: ${(error as Error).message}`);
    } finally {
      this.svm.withSigverify(true);
    }
  }
}

/** `address()` that answers `undefined` instead of throwing. */
export function parseAddress(value: unknown): Address | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return address(value);
  } catch {
    return undefined;
  }
}
