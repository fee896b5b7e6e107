/**
 * `readSvmTokenBalance`: a payer's balance of one mint over Solana JSON-RPC, the read behind
 * `sufficientSvmBalancePolicy`.
 */
import type { Address } from '@solana/kit';
import { createSolanaRpc } from '@solana/kit';
import { findAssociatedTokenPda } from '@solana-program/token';
import type { TokenBalanceRead } from '@x402kit/core/internal';
import { readMintFacts } from './mint.js';

/** Reads `owner`'s balance of the mint `asset` on `network` (atomic units; 0 without a token account). */
export type ReadSvmTokenBalance = TokenBalanceRead<Address>;

/**
 * Reads `owner`'s balance of `asset` from its associated token account under the mint's token program (SPL
 * Token or Token-2022, the owner of the mint account) with `getTokenAccountBalance`. A token account that
 * does not exist holds 0. Throws when the mint is missing or not a token mint, or the RPC fails.
 *
 * @example
 * await readSvmTokenBalance({ network, rpcUrl: 'https://api.devnet.solana.com', asset: usdcMint, owner: payer })
 * // 1000000000n
 */
export const readSvmTokenBalance: ReadSvmTokenBalance = async ({ rpcUrl, asset, owner }) => {
  const rpc = createSolanaRpc(rpcUrl);
  const { programAddress: tokenProgram } = await readMintFacts(rpc, asset);
  const [account] = await findAssociatedTokenPda({ mint: asset, owner, tokenProgram });
  try {
    const { value } = await rpc.getTokenAccountBalance(account).send();
    return BigInt(value.amount);
  } catch (error) {
    // Solana answers a missing account with an error ("could not find account"): look before saying 0
    const { value } = await rpc.getAccountInfo(account, { encoding: 'base64' }).send();
    if (value === null) return 0n;
    throw error;
  }
};
