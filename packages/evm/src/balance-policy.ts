/**
 * `sufficientBalancePolicy`: an asynchronous pre-filter for `createX402Client({ prefilter })` that
 * drops the offers the payer cannot afford, reading token balances on-chain (one `balanceOf` per
 * network and asset, in parallel).
 */
import type { Offer, OfferPrefilter } from '@x402kit/core';
import { type Address, createPublicClient, erc20Abi, getAddress, http, isAddress } from 'viem';

/** Reads `owner`'s balance of `asset` on `network` (atomic units). */
export type ReadTokenBalance = (parameters: {
  network: string;
  rpcUrl: string;
  asset: Address;
  owner: Address;
}) => Promise<bigint>;

/** Options of `sufficientBalancePolicy`. */
export type SufficientBalancePolicyOptions = {
  /** JSON-RPC URL per CAIP-2 network (`{ 'eip155:8453': 'https://…' }`). */
  rpc: Readonly<Record<string, string>>;
  /** The paying address (the signer's address). */
  owner: string;
  /**
   * What to do with offers it cannot check: on a network without an `rpc` entry, with an asset that is
   * not an address, or whose balance read failed. Default `'keep'` (the payment itself will tell).
   */
  unchecked?: 'keep' | 'drop';
  /** Replaces the on-chain read (tests, caching, a batching client). */
  readBalance?: ReadTokenBalance;
};

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
  if (!isAddress(options.owner))
    throw new TypeError(`sufficientBalancePolicy: owner ${options.owner} is not an address`);
  const owner = getAddress(options.owner);
  const keepUnchecked = (options.unchecked ?? 'keep') === 'keep';
  const read = options.readBalance ?? readOnChain;
  return async (offers) => {
    const balances = new Map<string, Promise<bigint | undefined>>();
    const balanceFor = (offer: Offer): Promise<bigint | undefined> => {
      const { network, asset } = offer.requirements;
      const rpcUrl = options.rpc[network];
      if (!network.startsWith('eip155:') || rpcUrl === undefined || !isAddress(asset))
        return Promise.resolve(undefined);
      const key = `${network}|${asset.toLowerCase()}`;
      let pending = balances.get(key);
      if (!pending) {
        pending = read({ network, rpcUrl, asset: getAddress(asset), owner }).catch(() => undefined);
        balances.set(key, pending);
      }
      return pending;
    };
    const verdicts = await Promise.all(
      offers.map(async (offer) => {
        const balance = await balanceFor(offer);
        return balance === undefined ? keepUnchecked : balance >= requiredBalance(offer);
      }),
    );
    return offers.filter((_, i) => verdicts[i]);
  };
}
