/**
 * How one chain writes its addresses. Each chain package describes its form once (`evmAddresses` of
 * `@x402kit/evm`, `tronAddresses` of `@x402kit/tron`, `solanaAddresses` of `@x402kit/svm`), and the code
 * that checks, compares or prints addresses for several chains (the balance pre-filter, the
 * `exact_permit` checks and fee quotes) takes that description instead of a small one of its own.
 */

/**
 * A chain's address form: which strings are addresses, their one canonical spelling, and when two
 * spellings name the same account. `A` is the chain's address type.
 *
 * @example
 * const evm: ChainAddresses<Address> = { namespace: 'eip155', name: 'an EVM address', canonical: (v) => (isEvmAddress(v) ? getAddress(v) : undefined), same: sameAddress };
 */
export type ChainAddresses<A extends string = string> = {
  /** The CAIP-2 namespace whose networks write addresses this way (`eip155`, `tron`, `solana`). */
  readonly namespace: string;
  /** What an address of the chain is, for messages (`an EVM address`). */
  readonly name: string;
  /** `value` in the chain's one spelling (checksummed 0x, Base58Check `T…`, base58) when it is an address, else `undefined`. */
  canonical(value: unknown): A | undefined;
  /** Whether `a` and `b` name the same account, whatever their spellings; false when either is not an address. */
  same(a: string, b: string): boolean;
};
