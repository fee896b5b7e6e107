/**
 * TRON transaction signatures: secp256k1 over the 32-byte txID (no further hashing), serialized as
 * 65 bytes r‖s‖v with v = 27 + recovery id, lowercase hex without `0x` (TronWeb's convention).
 */
import { type Hex, recoverAddress, serializeSignature } from 'viem';
import { sign } from 'viem/accounts';
import { toTronAddress } from './address.js';
import type { TronTransaction } from './node-schemas.js';
import { TronReasons } from './reasons.js';
import { TronTransactionError, tronTransactionId } from './transaction.js';

function readTxId(txId: string): Hex {
  const body = typeof txId === 'string' ? txId.replace(/^0x/, '') : '';
  if (!/^[0-9a-fA-F]{64}$/.test(body)) {
    throw new TronTransactionError(TronReasons.txMalformed, 'a transaction id is 32 bytes as 64 hex digits');
  }
  return `0x${body.toLowerCase()}`;
}

function readKey(privateKey: string): Hex {
  const body = typeof privateKey === 'string' ? privateKey.replace(/^0x/, '') : '';
  if (!/^[0-9a-fA-F]{64}$/.test(body)) {
    throw new TronTransactionError(
      TronReasons.invalidPrivateKey,
      'the private key must be 32 bytes as hex (0x optional)',
    );
  }
  return `0x${body.toLowerCase()}`;
}

/**
 * Signs a transaction id with a private key: 65-byte r‖s‖v hex (v 0x1b/0x1c), no `0x`.
 *
 * @throws {TronTransactionError} `tron_tx_malformed` (bad id) or `invalid_tron_private_key`.
 * @example
 * const signature = await signTronTransactionId(tx.txID, privateKey);
 */
export async function signTronTransactionId(txId: string, privateKey: string): Promise<string> {
  const hash = readTxId(txId);
  const key = readKey(privateKey);
  try {
    const signature = await sign({ hash, privateKey: key });
    return serializeSignature(signature).slice(2);
  } catch (error) {
    throw new TronTransactionError(
      TronReasons.invalidPrivateKey,
      'the private key is out of range for secp256k1',
      error,
    );
  }
}

/**
 * Signs a transaction: verifies `txID == sha256(raw_data_hex)` (never sign an id we did not derive), then
 * returns a copy with the signature appended to `signature[]`, ready for `broadcastTransaction`.
 * Run {@link checkTriggerTransaction} first on anything a node built.
 *
 * @throws {TronTransactionError} `tron_tx_id_mismatch`, `tron_tx_malformed` or `invalid_tron_private_key`.
 * @example
 * const signed = await signTronTransaction(tx, privateKey);
 * await node.broadcastTransaction(signed);
 */
export async function signTronTransaction(tx: TronTransaction, privateKey: string): Promise<TronTransaction> {
  const txId = tronTransactionId(tx.raw_data_hex);
  if (txId !== readTxId(tx.txID).slice(2)) {
    throw new TronTransactionError(
      TronReasons.txIdMismatch,
      'txID is not sha256(raw_data_hex): refusing to sign',
    );
  }
  const signature = await signTronTransactionId(txId, privateKey);
  const existing = (tx.signature ?? []).filter((s) => s.replace(/^0x/, '').toLowerCase() !== signature);
  return { ...tx, signature: [...existing, signature] };
}

/**
 * The Base58 address that produced a transaction signature (`0x` optional, v 27/28 or 0/1).
 *
 * @throws {TronTransactionError} `invalid_tron_signature` when the signature is malformed or unrecoverable.
 * @example
 * await recoverTronTransactionSigner(tx.txID, tx.signature[0]); // 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz'
 */
export async function recoverTronTransactionSigner(txId: string, signature: string): Promise<string> {
  const hash = readTxId(txId);
  const body = typeof signature === 'string' ? signature.replace(/^0x/, '') : '';
  if (!/^[0-9a-fA-F]{130}$/.test(body)) {
    throw new TronTransactionError(TronReasons.invalidSignature, 'a TRON signature is 65 bytes r‖s‖v as hex');
  }
  try {
    return toTronAddress(await recoverAddress({ hash, signature: `0x${body}` }));
  } catch (error) {
    throw new TronTransactionError(
      TronReasons.invalidSignature,
      'the signature does not recover to any key',
      error,
    );
  }
}
