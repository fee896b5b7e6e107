/**
 * `sufficientBalancePolicy`: an asynchronous pre-filter for `createX402Client({ prefilter })` that
 * drops the offers the payer cannot afford, reading token balances on-chain (one `balanceOf` per
 * network and asset, in parallel).
 */
import type { Offer, OfferPrefilter } from '@x402kit/core';
import {
  type BalancePolicyOptions,
  chainBalancePrefilter,
  type TokenBalanceRead,
} from '@x402kit/core/internal';
import { type Address, createPublicClient, erc20Abi, http } from 'viem';
import { evmAddresses } from './address.js';
import { EvmReasons } from './evm-reasons.js';

/** Reads `owner`'s balance of the ERC-20 `asset` on `network` (atomic units). */
export type ReadTokenBalance = TokenBalanceRead<Address>;

/** Options of `sufficientBalancePolicy`: `rpc` by `eip155:*` network, `owner` a 0x address. */
export type SufficientBalancePolicyOptions = BalancePolicyOptions<ReadTokenBalance>;

/**
 * What an offer takes from the payer's balance: the amount, plus `extra.fee.feeAmount` for
 * `exact_permit` (the payer pays the facilitator fee on top).
 *
 * @example requiredBalance(offer) // 10100n for { amount: '10000', extra: { fee: { feeAmount: '100' } } }
 */
export function requiredBalance(offer: Offer): bigint {
  const amount = BigInt(offer.requirements.amount);
  const fee = offer.requirements.extra?.fee;
  if (typeof fee !== 'object' || fee === null || Array.isArray(fee)) return amount;
  const feeAmount: unknown = Reflect.get(fee, 'feeAmount');
  return typeof feeAmount === 'string' && /^\d{1,78}$/.test(feeAmount) ? amount + BigInt(feeAmount) : amount;
}

const readOnChain: ReadTokenBalance = ({ rpcUrl, asset, owner }) =>
  createPublicClient({ transport: http(rpcUrl) }).readContract({
    address: asset,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  });

/**
 * Keep only the offers whose asset balance covers the payment (amount plus any `exact_permit` fee).
 * Offers on EVM networks only are checked; the others follow `unchecked`.
 *
 * @example
 * const client = createX402Client({
 *   schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer: account }) }],
 *   prefilter: sufficientBalancePolicy({ rpc: { 'eip155:8453': baseRpcUrl }, owner: account.address }),
 *   select: cheapest(),
 * })
 */
export function sufficientBalancePolicy(options: SufficientBalancePolicyOptions): OfferPrefilter {
  return chainBalancePrefilter(options, {
    addresses: evmAddresses,
    policy: 'sufficientBalancePolicy',
    configReason: EvmReasons.config,
    read: readOnChain,
    required: requiredBalance,
  });
}
