/**
 * TRC-20 tokens x402 prices in on TRON (BofAI's registry: USDT, USDD), the PaymentPermit deployments
 * and the GasFree controllers, per canonical network. Addresses are Base58Check, the TRON wire form.
 */
import { X402Error } from '@x402kit/core';
import { PAYMENT_PERMIT_TRON_ADDRESSES } from '@x402kit/payment-permit';
import { sameTronAddress, toTronAddress } from './address.js';
import { parseTronNetwork, requireTronNetwork, type TronNetworkName } from './networks.js';
import { TronReasons } from './reasons.js';

/** BofAI `PaymentPermit` deployments on TRON, Base58Check, per canonical network (their one home is `@x402kit/payment-permit`). */
export { PAYMENT_PERMIT_TRON_ADDRESSES };

/**
 * A TRC-20 token known to x402kit.
 *
 * @example
 * const usdt: TronToken = findTronToken('tron:nile', 'USDT')!;
 */
export type TronToken = {
  /** Canonical network id (`tron:nile`). */
  network: TronNetworkName;
  symbol: string;
  /** Base58Check address. */
  address: string;
  decimals: number;
  /** EIP-712 domain name (`extra.name` in BofAI requirements). */
  name: string;
  /** EIP-712 domain version (`extra.version`). */
  version: string;
};

const token = (
  network: TronNetworkName,
  symbol: string,
  address: string,
  decimals: number,
  name: string,
): TronToken => Object.freeze({ network, symbol, address, decimals, name, version: '1' });

const builtIn: readonly TronToken[] = [
  token('tron:mainnet', 'USDT', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 6, 'Tether USD'),
  token('tron:mainnet', 'USDD', 'TXDk8mbtRbXeYuMNS83CfKPaYYT8XWv9Hz', 18, 'Decentralized USD'),
  token('tron:nile', 'USDT', 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf', 6, 'Tether USD'),
  token('tron:nile', 'USDD', 'TGjgvdTWWrybVLaVeFqSyVqJQWjxqRYbaK', 18, 'Decentralized USD'),
  token('tron:shasta', 'USDT', 'TG3XXyExBkPp9nzdajDZsozEu4BkaSJozs', 6, 'Tether USD'),
];

/**
 * The built-in TRON tokens (USDT and USDD on mainnet and Nile, USDT on Shasta).
 *
 * @example
 * TRON_TOKENS.filter((t) => t.network === 'tron:nile').map((t) => t.symbol); // ['USDT', 'USDD']
 */
export const TRON_TOKENS: readonly TronToken[] = Object.freeze(builtIn);

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
 * GasFreeController deployments (reference §2.1), Base58Check, per canonical network. Mainnet is the
 * checksum-valid `TFFAMQLZ…`, not the widely copied typo `TFFAMLQZ…`.
 *
 * @example
 * GASFREE_CONTROLLER_ADDRESSES['tron:mainnet']; // 'TFFAMQLZybALaLb4uxHA9RBE7pxhUAjF3U'
 */
export const GASFREE_CONTROLLER_ADDRESSES: Readonly<Record<TronNetworkName, string>> = Object.freeze({
  'tron:mainnet': 'TFFAMQLZybALaLb4uxHA9RBE7pxhUAjF3U',
  'tron:nile': 'THQGuFzL87ZqhxkgqYEryRAd7gqFqL5rdc',
  'tron:shasta': 'TQghdCeVDA6CnuNVTUhfaAyPfTetqZWNpm',
});

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
