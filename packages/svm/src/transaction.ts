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
import { encodeBase58, withReason } from '@x402kit/core';
import type { InstructionView } from './compute-budget.js';
import { isTokenProgram } from './programs.js';
import { SvmReasons } from './reasons.js';

/** A decoded `exact` transaction. */
export type DecodedSvmTransaction = {
  /** @solana/kit's view of the wire transaction, for signing and sending (decoded on first use). */
  readonly transaction: Transaction;
  /** @solana/kit's view of the message (decoded on first use). */
  readonly message: CompiledTransactionMessage;
  /** The message bytes the signatures sign. */
  readonly messageBytes: Uint8Array;
  /** How many accounts sign (the message header's first byte). */
  readonly numSignerAccounts: number;
  /** The signatures, in signer order (`[0]` the fee payer's; 64 zero bytes where one is missing). */
  readonly signatures: readonly Uint8Array[];
  /** Base58 static account keys; `[0]` is the fee payer. */
  readonly accounts: string[];
  readonly instructions: InstructionView[];
};

const transactionDecoder = getTransactionDecoder();
const messageDecoder = getCompiledTransactionMessageDecoder();
const base64 = getBase64Encoder();

/**
 * Decodes the base64 wire transaction of an `exact` payload, or answers `undefined` when it is
 * not one (bad base64, bad bytes, lookup tables, an index out of range). The wire format is read
 * here directly (compact-u16 counts, 64-byte signatures, 32-byte keys): @solana/kit's decoders
 * spell every key through BigInt, which was most of a verification's CPU; kit's own views are
 * built only when asked for (`transaction`, `message`: to sign and send).
 *
 * @example
 * const decoded = decodeSvmTransaction(payload.payload.transaction)
 * decoded?.accounts[0] // the fee payer
 */
export function decodeSvmTransaction(wire: unknown): DecodedSvmTransaction | undefined {
  if (typeof wire !== 'string' || wire.length === 0) return undefined;
  try {
    const bytes = new Uint8Array(base64.encode(wire));
    const parsed = parseWireTransaction(bytes);
    if (!parsed) return undefined;
    let transaction: Transaction | undefined;
    let message: CompiledTransactionMessage | undefined;
    return {
      get transaction() {
        transaction ??= transactionDecoder.decode(bytes);
        return transaction;
      },
      get message() {
        message ??= messageDecoder.decode(parsed.messageBytes);
        return message;
      },
      ...parsed,
    };
  } catch {
    return undefined;
  }
}

type ParsedWire = Omit<DecodedSvmTransaction, 'transaction' | 'message'>;

/** The legacy or v0 wire transaction in `bytes`; `undefined` for lookup tables or anything malformed. */
function parseWireTransaction(bytes: Uint8Array): ParsedWire | undefined {
  let at = 0;
  const take = (n: number): Uint8Array => {
    if (n < 0 || at + n > bytes.length) throw undecodable('the transaction ends early');
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const byte = (): number => take(1)[0] ?? 0;
  const shortVec = (): number => {
    let value = 0;
    for (let i = 0; i < 3; i++) {
      const b = byte();
      value |= (b & 0x7f) << (7 * i);
      if ((b & 0x80) === 0) return value;
    }
    throw undecodable('a compact-u16 longer than 3 bytes');
  };
  const signatures = Array.from({ length: shortVec() }, () => take(64));
  const messageBytes = bytes.subarray(at);
  const versioned = (bytes[at] ?? 0) & 0x80;
  if (versioned && byte() !== 0x80) return undefined; // only v0 is known
  const [numSignerAccounts = 0] = take(3);
  const accounts = Array.from({ length: shortVec() }, () => encodeBase58(take(32)));
  if (signatures.length !== numSignerAccounts || numSignerAccounts > accounts.length) return undefined;
  take(32); // recent blockhash
  const key = (index: number): string => {
    const found = accounts[index];
    if (found === undefined) throw undecodable(`account index ${index} out of range`);
    return found;
  };
  const instructions = Array.from({ length: shortVec() }, (): InstructionView => {
    const programAddress = key(byte());
    const indices = take(shortVec());
    const data = new Uint8Array(take(shortVec()));
    return { programAddress, accounts: Array.from(indices, key), data };
  });
  if (versioned && shortVec() > 0) return undefined; // address lookup tables are not resolved
  return { messageBytes, numSignerAccounts, signatures, accounts, instructions };
}

/** What the reader throws at malformed bytes (and its caller turns into `undefined`). */
function undecodable(message: string): RangeError {
  return withReason(new RangeError(message), SvmReasons.transactionCouldNotBeDecoded);
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
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(decoded.messageBytes));
  return Buffer.from(digest).toString('hex');
}
