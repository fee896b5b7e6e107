/**
 * Tokens `exact_permit` prices in on BSC, as in BofAI's registry: symbol, decimals and the
 * `extra.name` / `extra.version` its server puts in requirements. Any ERC-20 works with the
 * contract; these are the ones `"0.01 USDT"`-style prices resolve to.
 */
import type { Address } from 'viem';
import { sameAddress } from '../address.js';

/** A token `exact_permit` knows on a network: its address, symbol and decimals. */
export type ExactPermitToken = {
  network: string;
  symbol: string;
  address: Address;
  decimals: number;
  /** `extra.name` (BofAI copies the token's EIP-712 name there even though the permit does not use it). */
  name: string;
  version: string;
};

/** BSC mainnet and testnet USDT/USDC (18 decimals on BSC). */
export const EXACT_PERMIT_TOKENS: readonly ExactPermitToken[] = [
  {
    network: 'eip155:56',
    symbol: 'USDT',
    address: '0x55d398326f99059fF775485246999027B3197955',
    decimals: 18,
    name: 'Tether USD',
    version: '1',
  },
  {
    network: 'eip155:56',
    symbol: 'USDC',
    address: '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d',
    decimals: 18,
    name: 'USD Coin',
    version: '1',
  },
  {
    network: 'eip155:97',
    symbol: 'USDT',
    address: '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd',
    decimals: 18,
    name: 'Tether USD',
    version: '1',
  },
  {
    network: 'eip155:97',
    symbol: 'USDC',
    address: '0x64544969ed7EBf5f083679233325356EbE738930',
    decimals: 18,
    name: 'USD Coin',
    version: '1',
  },
];

/**
 * The registry entry for a token, by address or symbol (case-insensitive).
 *
 * @example findExactPermitToken('eip155:97', 'USDT')?.decimals // 18
 */
export function findExactPermitToken(
  network: string,
  addressOrSymbol: string,
  tokens: readonly ExactPermitToken[] = EXACT_PERMIT_TOKENS,
): ExactPermitToken | undefined {
  const symbol = addressOrSymbol.toUpperCase();
  return tokens.find(
    (t) => t.network === network && (t.symbol === symbol || sameAddress(t.address, addressOrSymbol)),
  );
}
