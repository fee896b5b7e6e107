import { parseTronNetwork, Reasons, TRON_TOKENS, X402Error } from '@x402kit/core';
import { PAYMENT_PERMIT_TRON_ADDRESSES } from '@x402kit/payment-permit';

/** CAIP-2 style id BofAI and x402kit use for Nile. */
export const TRON_NILE_NETWORK = 'tron:nile';

/** TRON Nile's chain id (last 4 bytes of its genesis block id, `0xcd8690dc`): `block.chainid` and TIP-712 `chainId`. */
export const TRON_NILE_CHAIN_ID: number = parseTronNetwork(TRON_NILE_NETWORK)?.chainId ?? 3448148188;

/** A built-in Nile token's address, from the one TRON token table (`@x402kit/core`). */
function nileToken(symbol: string): string {
  const token = TRON_TOKENS.find((t) => t.network === TRON_NILE_NETWORK && t.symbol === symbol);
  if (!token)
    throw new X402Error(
      Reasons.internalError,
      `the TRON token table has no ${symbol} on ${TRON_NILE_NETWORK}`,
    );
  return token.address;
}

/** BofAI's PaymentPermit on Nile (20-byte body `0x41a0d8786c5e20d27b6225e9d03ed1cbfe271634`). */
export const NILE_PAYMENT_PERMIT_ADDRESS: string = PAYMENT_PERMIT_TRON_ADDRESSES['tron:nile'];

/** Tether USD on Nile (6 decimals); the devnet puts `TronUsdtToken` here. */
export const NILE_USDT_ADDRESS: string = nileToken('USDT');

/** Decentralized USD on Nile (18 decimals); the devnet puts a plain ERC-20 here. */
export const NILE_USDD_ADDRESS: string = nileToken('USDD');

/**
 * Wei of anvil's native balance per SUN: 1 SUN = 10^12 wei, so 1 TRX (10^6 SUN) = 10^18 wei and anvil's
 * default 10000 ETH per account reads as 10000 TRX. `call_value` (SUN) is sent as `call_value × 10^12` wei.
 */
export const WEI_PER_SUN = 10n ** 12n;

/**
 * SUN burned per unit of energy by the local node (`getEnergyFee`); configurable with `energyPrice`.
 * Real networks changed this by proposal over time (420, 210, 100, …): read `getchainparameters` there.
 */
export const DEFAULT_ENERGY_PRICE_SUN = 100n;

/** The largest `fee_limit` the local node accepts (`getMaxFeeLimit`, 15000 TRX as on mainnet). */
export const MAX_FEE_LIMIT_SUN = 15_000_000_000n;
