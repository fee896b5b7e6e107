/**
 * `sufficientSvmBalancePolicy`: an asynchronous pre-filter for `createX402Client({ prefilter })` that
 * drops the Solana offers the payer cannot afford, reading its token balances over JSON-RPC (one read per
 * network and mint, in parallel). The Solana counterpart of `sufficientBalancePolicy` of `@x402kit/evm`.
 */
import type { OfferPrefilter } from '@x402kit/core';
import { type BalancePolicyOptions, chainBalancePrefilter } from '@x402kit/core/internal';
import { solanaAddresses } from './address.js';
import { type ReadSvmTokenBalance, readSvmTokenBalance } from './read-svm-token-balance.js';
import { SvmReasons } from './reasons.js';

/** Options of `sufficientSvmBalancePolicy`: `rpc` by `solana:*` network, `owner` a base58 address. */
export type SufficientSvmBalancePolicyOptions = BalancePolicyOptions<ReadSvmTokenBalance>;

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
    addresses: solanaAddresses,
    policy: 'sufficientSvmBalancePolicy',
    configReason: SvmReasons.config,
    read: readSvmTokenBalance,
  });
}
