/**
 * TRC-20 tokens x402 prices in on TRON (BofAI's registry: USDT, USDD), the PaymentPermit deployments
 * and the GasFree controllers, per canonical network, with custom tokens registered at run time.
 * Addresses are Base58Check, the TRON wire form.
 */
import { GASFREE_CONTROLLER_ADDRESSES, TRON_TOKENS, type TronToken, X402Error } from '@x402kit/core';
import { PAYMENT_PERMIT_TRON_ADDRESSES } from '@x402kit/payment-permit';
import { sameTronAddress, toTronAddress } from './address.js';
import { parseTronNetwork, requireTronNetwork } from './networks.js';
import { TronReasons } from './reasons.js';

// The built-in token table and the GasFree controllers have their one home in @x402kit/core.
export { GASFREE_CONTROLLER_ADDRESSES, TRON_TOKENS, type TronToken } from '@x402kit/core';
/** BofAI `PaymentPermit` deployments on TRON, Base58Check, per canonical network (their one home is `@x402kit/payment-permit`). */
export { PAYMENT_PERMIT_TRON_ADDRESSES };

const custom: TronToken[] = [];

/**
 * A token registration that clashes with a known one (`tron_token_conflict`: same network and symbol or
 * address) or is malformed (`invalid_tron_token`).
 *
 * @example
 * try { registerTronToken({ ...usdt, decimals: 18 }) } catch (e) { if (e instanceof TronTokenError) console.log(e.reason) }
 */
export class TronTokenError extends X402Error {
  override name = 'TronTokenError';
  declare readonly reason: typeof TronReasons.tokenConflict | typeof TronReasons.invalidToken;

  constructor(reason: typeof TronReasons.tokenConflict | typeof TronReasons.invalidToken, message: string) {
    super(reason, message);
  }
}

/**
 * Input of {@link registerTronToken}: the network in any id form, the address in any address form.
 *
 * @example
 * const input: RegisterTronTokenInput = { network: 'tron:3448148188', symbol: 'TST', address: '41…', decimals: 6, name: 'Test' };
 */
export type RegisterTronTokenInput = Omit<TronToken, 'network' | 'version'> & {
  network: string;
  version?: string;
};

/**
 * Adds a custom TRC-20 (a test token, a new stablecoin). Re-registering the same token with the same
 * details is a no-op; a different token under a known symbol or address is rejected.
 *
 * @throws {TronNetworkError} for an unknown network; {@link TronAddressError} for a bad address;
 *   {@link TronTokenError} (`tron_token_conflict`, `invalid_tron_token`).
 * @example
 * registerTronToken({ network: 'tron:nile', symbol: 'TST', address: 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz', decimals: 6, name: 'Test' });
 */
export function registerTronToken(input: RegisterTronTokenInput): TronToken {
  const token: TronToken = Object.freeze({
    network: requireTronNetwork(input.network).network,
    symbol: input.symbol.toUpperCase(),
    address: toTronAddress(input.address),
    decimals: input.decimals,
    name: input.name,
    version: input.version ?? '1',
  });
  if (!Number.isInteger(token.decimals) || token.decimals < 0 || token.decimals > 77) {
    throw new TronTokenError(
      TronReasons.invalidToken,
      `decimals of ${token.symbol} must be an integer from 0 to 77`,
    );
  }
  const clash = allTokens().find(
    (t) => t.network === token.network && (t.symbol === token.symbol || t.address === token.address),
  );
  if (clash) {
    const same =
      clash.address === token.address &&
      clash.symbol === token.symbol &&
      clash.decimals === token.decimals &&
      clash.name === token.name &&
      clash.version === token.version;
    if (same) return clash;
    throw new TronTokenError(
      TronReasons.tokenConflict,
      `${token.network} already has ${clash.symbol} at ${clash.address}: pick another symbol or address`,
    );
  }
  custom.push(token);
  return token;
}

function allTokens(): readonly TronToken[] {
  return custom.length === 0 ? TRON_TOKENS : [...TRON_TOKENS, ...custom];
}

/**
 * Finds a token by symbol (case-insensitive) or address (any form), on a network given in any id form.
 * Returns `undefined` for unknown networks, tokens and malformed addresses.
 *
 * @example
 * findTronToken('tron:0xcd8690dc', 'usdt')?.address; // 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf'
 * findTronToken('tron:nile', '0xeca9bc828a3005b9a3b909f2cc5c2a54794de05f')?.symbol; // 'USDT'
 */
export function findTronToken(network: string, addressOrSymbol: string): TronToken | undefined {
  const canonical = parseTronNetwork(network)?.network;
  if (!canonical || typeof addressOrSymbol !== 'string') return undefined;
  const symbol = addressOrSymbol.toUpperCase();
  return allTokens().find(
    (t) => t.network === canonical && (t.symbol === symbol || sameTronAddress(t.address, addressOrSymbol)),
  );
}

/**
 * Every token known on a network (built-in and registered), network in any id form.
 *
 * @example
 * listTronTokens('tron:shasta').length; // 1
 */
export function listTronTokens(network: string): TronToken[] {
  const canonical = parseTronNetwork(network)?.network;
  return allTokens().filter((t) => t.network === canonical);
}

/**
 * The PaymentPermit address for a network in any id form; `undefined` for unknown networks.
 *
 * @example
 * paymentPermitTronAddress('tron:3448148188'); // 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH'
 */
export function paymentPermitTronAddress(network: string): string | undefined {
  const canonical = parseTronNetwork(network)?.network;
  return canonical ? PAYMENT_PERMIT_TRON_ADDRESSES[canonical] : undefined;
}

/**
 * The GasFreeController address for a network in any id form; `undefined` for unknown networks.
 *
 * @example
 * gasFreeControllerAddress('tron:0xcd8690dc'); // 'THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc'
 */
export function gasFreeControllerAddress(network: string): string | undefined {
  const canonical = parseTronNetwork(network)?.network;
  return canonical ? GASFREE_CONTROLLER_ADDRESSES[canonical] : undefined;
}
