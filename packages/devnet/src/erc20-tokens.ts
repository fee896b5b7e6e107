import type { Address } from 'viem';

/** A plain ERC-20 (`PlainErc20Token`): neither EIP-3009 nor EIP-2612; spending it needs `approve`. */
export interface PlainErc20TokenSpec {
  readonly kind: 'erc20';
  readonly address: Address;
  readonly name: string;
  readonly symbol: string;
  readonly decimals: number;
  /** `false`: `transfer`/`transferFrom` return no data (USDT on Ethereum/TRON); default `true`. */
  readonly returnsBool?: boolean;
}

/** An EIP-2612 token without EIP-3009 (`Eip2612Token`); `name`/`version` make its permit domain. */
export interface Eip2612TokenSpec {
  readonly kind: 'eip2612';
  readonly address: Address;
  /** ERC-20 `name()` and EIP-712 domain name; at most 31 bytes. */
  readonly name: string;
  /** EIP-712 domain version (`version()`); at most 31 bytes. */
  readonly version: string;
  readonly symbol: string;
  readonly decimals: number;
}

/** A token {@link placeErc20Token} can place. */
export type Erc20TokenSpec = PlainErc20TokenSpec | Eip2612TokenSpec;

/** BSC mainnet USDT (BEP-20 "Tether USD", 18 decimals). */
export const BSC_USDT_ADDRESS: Address = '0x55d398326f99059fF775485246999027B3197955';

/** BSC testnet USDT (18 decimals). */
export const BSC_TESTNET_USDT_ADDRESS: Address = '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd';

/** Where devnets put {@link DEVNET_PERMIT_TOKEN} (an address of our choosing, the same on every chain). */
export const DEVNET_PERMIT_TOKEN_ADDRESS: Address = '0x2612261226122612261226122612261226122612';

/** Where devnets put {@link DEVNET_PLAIN_TOKEN} (an address of our choosing, the same on every chain). */
export const DEVNET_PLAIN_TOKEN_ADDRESS: Address = '0x2020202020202020202020202020202020202020';

/**
 * USDT as on BSC: no EIP-3009, no EIP-2612, 18 decimals, `transfer` returns a bool (pass
 * `returnsBool: false` to imitate USDT on Ethereum/TRON). `address` defaults to BSC mainnet's.
 *
 * @example
 * ```ts
 * const usdt = bscUsdtToken(97); // at 0x337610d27c682E347C9cD60BD4b3b107C9d34dDd
 * ```
 */
export function bscUsdtToken(chainId: number, options: { returnsBool?: boolean } = {}): PlainErc20TokenSpec {
  return {
    kind: 'erc20',
    address: chainId === 97 ? BSC_TESTNET_USDT_ADDRESS : BSC_USDT_ADDRESS,
    name: 'Tether USD',
    symbol: 'USDT',
    decimals: 18,
    returnsBool: options.returnsBool ?? true,
  };
}

/**
 * The devnet's EIP-2612-only token: `Permit USD` (`PUSD`), EIP-712 version `1`, 6 decimals, at
 * {@link DEVNET_PERMIT_TOKEN_ADDRESS}: for Permit2 with the eip2612GasSponsoring extension.
 */
export const DEVNET_PERMIT_TOKEN: Eip2612TokenSpec = {
  kind: 'eip2612',
  address: DEVNET_PERMIT_TOKEN_ADDRESS,
  name: 'Permit USD',
  version: '1',
  symbol: 'PUSD',
  decimals: 6,
};

/**
 * The devnet's plain ERC-20: `Plain USD` (`PLUSD`), 6 decimals, at {@link DEVNET_PLAIN_TOKEN_ADDRESS}: for
 * Permit2 with the erc20ApprovalGasSponsoring extension (no permit of any kind).
 */
export const DEVNET_PLAIN_TOKEN: PlainErc20TokenSpec = {
  kind: 'erc20',
  address: DEVNET_PLAIN_TOKEN_ADDRESS,
  name: 'Plain USD',
  symbol: 'PLUSD',
  decimals: 6,
  returnsBool: true,
};
