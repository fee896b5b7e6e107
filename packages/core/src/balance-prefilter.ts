/**
 * The skeleton of the chains' balance pre-filters (`sufficientBalancePolicy` of `@x402kit/evm`,
 * `sufficientSvmBalancePolicy` of `@x402kit/svm`): read each (network, asset) balance once and in
 * parallel, keep the offers it covers, and let `unchecked` decide the offers no balance answers for.
 */
import type { OfferPrefilter } from './client.js';
import type { ChainAddresses } from './networks/chain-addresses.js';
import type { Offer } from './payment-policy.js';
import { withReason } from './protocol/errors.js';

/** One balance read: its cache key (network and asset) and the read itself. */
export type OfferBalanceRead = { key: string; read: () => Promise<bigint> };

/** What a chain gives {@link balancePrefilter}. */
export type BalancePrefilterOptions = {
  /** The read of the balance `offer` spends, or `undefined` when this chain cannot check it. */
  balanceOf(offer: Offer): OfferBalanceRead | undefined;
  /** What `offer` takes from that balance (atomic units). */
  required(offer: Offer): bigint;
  /** Offers without a balance (not checkable, or the read failed): kept (default) or dropped. */
  unchecked?: 'keep' | 'drop';
};

/**
 * Reads `owner`'s balance of the token `asset` on `network` (atomic units), `A` being the chain's
 * address type: the read a chain's balance policy makes, or a test's, a cache's or a batching client's.
 */
export type TokenBalanceRead<A extends string> = (parameters: {
  network: string;
  rpcUrl: string;
  asset: A;
  owner: A;
}) => Promise<bigint>;

/** The options of a chain's balance policy (`sufficientBalancePolicy`, `sufficientSvmBalancePolicy`). */
export type BalancePolicyOptions<Read> = {
  /** JSON-RPC URL per CAIP-2 network of the chain (`{ 'eip155:8453': 'https://…' }`). */
  rpc: Readonly<Record<string, string>>;
  /** The paying address (the signer's address, in the chain's form). */
  owner: string;
  /**
   * What to do with offers it cannot check: on a network of another chain or without an `rpc` entry,
   * with an asset that is not a token address of the chain, or whose balance read failed. Default
   * `'keep'` (the payment itself will tell).
   */
  unchecked?: 'keep' | 'drop';
  /** Replaces the chain's own read (tests, caching, a batching client). */
  readBalance?: Read;
};

/**
 * An {@link OfferPrefilter} keeping the offers whose balance covers what they take.
 *
 * @example
 * balancePrefilter({ balanceOf: (offer) => ({ key: offer.requirements.asset, read: () => readBalance(offer) }), required: (offer) => BigInt(offer.requirements.amount) })
 */
export function balancePrefilter(options: BalancePrefilterOptions): OfferPrefilter {
  const keepUnchecked = (options.unchecked ?? 'keep') === 'keep';
  return async (offers) => {
    const balances = new Map<string, Promise<bigint | undefined>>();
    const balanceFor = (offer: Offer): Promise<bigint | undefined> => {
      const reading = options.balanceOf(offer);
      if (!reading) return Promise.resolve(undefined);
      let pending = balances.get(reading.key);
      if (!pending) {
        pending = reading.read().catch(() => undefined);
        balances.set(reading.key, pending);
      }
      return pending;
    };
    const verdicts = await Promise.all(
      offers.map(async (offer) => {
        const balance = await balanceFor(offer);
        return balance === undefined ? keepUnchecked : balance >= options.required(offer);
      }),
    );
    return offers.filter((_, i) => verdicts[i]);
  };
}

/** What a chain tells {@link chainBalancePrefilter}: its address form, its errors and its default read. */
export type ChainBalanceReads<A extends string> = {
  /** The chain's address form: its networks' namespace, and the owner and token addresses it accepts. */
  addresses: ChainAddresses<A>;
  /** The policy's name, for the error about a bad `owner` (`sufficientBalancePolicy`). */
  policy: string;
  /** The chain's config reason, the error's `reason`. */
  configReason: string;
  /** The read used when the options give none. */
  read: TokenBalanceRead<A>;
  /** What an offer takes from the balance (atomic units). Default: the offer's `amount`. */
  required?(offer: Offer): bigint;
};

/**
 * A chain's balance policy: {@link balancePrefilter} reading, per network of the chain with an `rpc`
 * entry and asset of the chain's form, `options.readBalance` (or the chain's read) once.
 *
 * @example
 * chainBalancePrefilter(options, { addresses: evmAddresses, policy: 'sufficientBalancePolicy', configReason: EvmReasons.config, read, required })
 * @throws a `TypeError` tagged with `configReason` when `options.owner` is not an address of the chain.
 */
export function chainBalancePrefilter<A extends string>(
  options: BalancePolicyOptions<TokenBalanceRead<A>>,
  chain: ChainBalanceReads<A>,
): OfferPrefilter {
  const { addresses } = chain;
  const owner = addresses.canonical(options.owner);
  if (owner === undefined)
    throw withReason(
      new TypeError(`${chain.policy}: owner ${options.owner} is not ${addresses.name}`),
      chain.configReason,
    );
  const read = options.readBalance ?? chain.read;
  return balancePrefilter({
    balanceOf: ({ requirements: { network, asset: offered } }) => {
      const rpcUrl = options.rpc[network];
      const asset = network.startsWith(`${addresses.namespace}:`) ? addresses.canonical(offered) : undefined;
      if (rpcUrl === undefined || asset === undefined) return undefined;
      // the asset in the chain's one spelling: one read per token
      return { key: `${network}|${asset}`, read: () => read({ network, rpcUrl, asset, owner }) };
    },
    required: chain.required ?? ((offer) => BigInt(offer.requirements.amount)),
    unchecked: options.unchecked,
  });
}
