/**
 * `sufficientSvmBalancePolicy`: an asynchronous pre-filter for `createX402Client({ prefilter })` that
 * drops the Solana offers the payer cannot afford, reading its token balances over JSON-RPC (one read per
 * network and mint, in parallel). The Solana counterpart of `sufficientBalancePolicy` of `@x402kit/evm`.
 */
import type { Address } from '@solana/kit';
import { address, createSolanaRpc, isAddress } from '@solana/kit';
import { findAssociatedTokenPda } from '@solana-program/token';
import type { OfferPrefilter } from '@x402kit/core';
import {
  type BalancePolicyOptions,
  chainBalancePrefilter,
  type TokenBalanceRead,
} from '@x402kit/core/internal';
import { readMintFacts } from './mint.js';
import { SvmReasons } from './reasons.js';

/** Reads `owner`'s balance of the mint `asset` on `network` (atomic units; 0 without a token account). */
export type ReadSvmTokenBalance = TokenBalanceRead<Address>;

/** Options of `sufficientSvmBalancePolicy`: `rpc` by `solana:*` network, `owner` a base58 address. */
export type SufficientSvmBalancePolicyOptions = BalancePolicyOptions<ReadSvmTokenBalance>;

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

/**
 * Keep only the offers whose mint balance covers the amount. Offers on `solana:*` networks only are checked;
 * the others follow `unchecked`. With the EVM policy too, combine them: `combinePrefilters` of `@x402kit/core`.
 *
 * @example
 * const client = createX402Client({
 *   schemes: [{ network: 'solana:*', client: createExactSvmClient({ signer, rpc: rpcUrl }) }],
 *   prefilter: sufficientSvmBalancePolicy({ rpc: { 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1': rpcUrl }, owner: signer.address }),
 * })
 */
export function sufficientSvmBalancePolicy(options: SufficientSvmBalancePolicyOptions): OfferPrefilter {
  return chainBalancePrefilter(options, {
    namespace: 'solana',
    policy: 'sufficientSvmBalancePolicy',
    address: (value) => (isAddress(value) ? address(value) : undefined),
    addressForm: 'a base58 Solana address',
    configReason: SvmReasons.config,
    read: readSvmTokenBalance,
    required: (offer) => BigInt(offer.requirements.amount),
  });
}
