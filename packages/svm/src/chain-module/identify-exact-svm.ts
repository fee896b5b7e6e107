/**
 * The ledger identity of an `exact` payment on Solana. The payer signs one transaction; its
 * Ed25519 signature is a function of the message, so the same transaction presented twice (to
 * any instance, under any spelling of the network) has the same key and is sent at most once,
 * and a different transaction is a different payment:
 *
 * | network   | asset    | payer                          | nonce                                  |
 * |-----------|----------|--------------------------------|----------------------------------------|
 * | CAIP-2 id | the mint | the transfer authority, base58 | `solsig:<the payer's signature, base58>` |
 */
import { encodeBase58, type FacilitatorCall, normalizePaymentKey, type PaymentKey } from '@x402kit/core';
import { isTokenProgram } from '../programs.js';
import { decodeSvmTransaction } from '../transaction.js';
import { solanaNetworkId } from './solana-config.js';

/** The nonce space of Solana payments in the ledger. */
export const SOLANA_SIGNATURE_NONCE = 'solsig';

/**
 * The {@link PaymentKey} of an `exact` payment on a Solana network, or `undefined` when the call is
 * not one or its transaction names no signed transfer authority (the scheme then refuses it).
 *
 * @example
 * identifyExactSvm(call)
 * // { network: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1', asset: '4zMMC9…', payer: 'Hx3…', nonce: 'solsig:5VER…' }
 */
export function identifyExactSvm(call: FacilitatorCall): PaymentKey | undefined {
  if (call.requirements.scheme !== 'exact') return undefined;
  const network = solanaNetworkId(call.requirements.network);
  if (network === undefined) return undefined;
  const decoded = decodeSvmTransaction(call.payload.payload.transaction);
  if (!decoded) return undefined;
  // the transfer as the reference reads it: the first token-program instruction with its four accounts
  const transfer = decoded.instructions.find(
    (ix) => isTokenProgram(ix.programAddress) && ix.accounts.length >= 4,
  );
  const mint = transfer?.accounts[1];
  const authority = transfer?.accounts[3];
  if (mint === undefined || authority === undefined) return undefined;
  const index = decoded.accounts.indexOf(authority);
  if (index < 0 || index >= decoded.numSignerAccounts) return undefined;
  const signature = decoded.signatures[index];
  if (!signature || signature.every((byte) => byte === 0)) return undefined;
  return normalizePaymentKey({
    network,
    asset: mint,
    payer: authority,
    nonce: `${SOLANA_SIGNATURE_NONCE}:${encodeBase58(signature)}`,
  });
}
