/**
 * Reading an `exact` payload's transaction: base64 wire bytes -> signatures, message and a flat
 * view of its instructions (program, account addresses, data). Address lookup tables are not
 * resolved: a transaction that uses them is treated as undecodable.
 */
import type { CompiledTransactionMessage, Transaction } from '@solana/kit';
import {
  getBase58Decoder,
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
} from '@solana/kit';
import type { InstructionView } from './compute-budget.js';
import { isTokenProgram } from './programs.js';

/** A decoded `exact` transaction. */
export type DecodedSvmTransaction = {
  transaction: Transaction;
  message: CompiledTransactionMessage;
  /** Base58 static account keys; `[0]` is the fee payer. */
  accounts: string[];
  instructions: InstructionView[];
};

const transactionDecoder = getTransactionDecoder();
const messageDecoder = getCompiledTransactionMessageDecoder();

/**
 * Decodes the base64 wire transaction of an `exact` payload, or answers `undefined` when it is
 * not one (bad base64, bad bytes, lookup tables, an index out of range).
 *
 * @example
 * const decoded = decodeSvmTransaction(payload.payload.transaction)
 * decoded?.accounts[0] // the fee payer
 */
export function decodeSvmTransaction(base64: unknown): DecodedSvmTransaction | undefined {
  if (typeof base64 !== 'string' || base64.length === 0) return undefined;
  try {
    const transaction = transactionDecoder.decode(getBase64Encoder().encode(base64));
    const message = messageDecoder.decode(transaction.messageBytes);
    if (!('instructions' in message)) return undefined;
    if ('addressTableLookups' in message && (message.addressTableLookups?.length ?? 0) > 0) return undefined;
    const accounts = message.staticAccounts.map(String);
    const at = (index: number): string => {
      const key = accounts[index];
      if (key === undefined) throw new RangeError(`account index ${index} out of range`);
      return key;
    };
    const instructions = message.instructions.map((ix) => ({
      programAddress: at(ix.programAddressIndex),
      accounts: (ix.accountIndices ?? []).map(at),
      data: new Uint8Array(ix.data ?? new Uint8Array()),
    }));
    return { transaction, message, accounts, instructions };
  } catch {
    return undefined;
  }
}

/**
 * The transfer authority (the paying owner) as the reference reads it: the fourth account of the
 * first token-program instruction, or `''`.
 *
 * @example
 * tokenPayerOf(decoded) // 'Hx3…' (the payer's wallet, not its token account)
 */
export function tokenPayerOf(decoded: DecodedSvmTransaction): string {
  for (const ix of decoded.instructions) {
    if (isTokenProgram(ix.programAddress) && ix.accounts.length >= 4) return ix.accounts[3] ?? '';
  }
  return '';
}

/**
 * The transaction's id: the base58 of its first signature (the fee payer's), once signed.
 *
 * @example
 * transactionSignatureOf(signed) // '5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW'
 */
export function transactionSignatureOf(transaction: Transaction): string | undefined {
  const first = Object.values(transaction.signatures)[0];
  return first ? getBase58Decoder().decode(first) : undefined;
}

/**
 * A key for the transaction's message (the same message settled twice has the same key): hex of
 * its SHA-256.
 *
 * @example
 * await messageKey(decoded) // '9f86d0…'
 */
export async function messageKey(decoded: DecodedSvmTransaction): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(decoded.transaction.messageBytes));
  return Buffer.from(digest).toString('hex');
}
