/**
 * What the client must know about a mint before paying with it: its token program (the account's
 * owner) and its decimals (`TransferChecked` carries them).
 */
import type { Address, GetAccountInfoApi, Rpc } from '@solana/kit';
import { getBase64Encoder } from '@solana/kit';
import { Reasons, X402Error } from '@x402kit/core';
import { isTokenProgram } from './programs.js';

/** A mint's token program and decimals. */
export type MintFacts = { programAddress: Address; decimals: number };

/** Offset of `decimals` in an SPL mint account (after the mint authority option and the supply). */
const DECIMALS_OFFSET = 44;

/**
 * Reads a mint's owner program and decimals. Throws an `X402Error` (`invalid_payment_requirements`)
 * when the account is missing or is not a mint of SPL Token or Token-2022.
 *
 * @example
 * await readMintFacts(createSolanaRpc(url), address('4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU'))
 * // { programAddress: 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA', decimals: 6 }
 */
export async function readMintFacts(rpc: Rpc<GetAccountInfoApi>, mint: Address): Promise<MintFacts> {
  const { value } = await rpc.getAccountInfo(mint, { encoding: 'base64' }).send();
  if (!value) {
    throw new X402Error(Reasons.invalidPaymentRequirements, `exact SVM: the asset ${mint} has no account`);
  }
  const data = getBase64Encoder().encode(value.data[0]);
  const decimals = data[DECIMALS_OFFSET];
  if (!isTokenProgram(value.owner) || decimals === undefined) {
    throw new X402Error(
      Reasons.invalidPaymentRequirements,
      `exact SVM: the asset ${mint} is not a mint of SPL Token or Token-2022 (owner ${value.owner})`,
    );
  }
  return { programAddress: value.owner, decimals };
}
