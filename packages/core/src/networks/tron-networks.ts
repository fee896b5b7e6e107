/**
 * The TRON network and token table, without a chain dependency: the one home that `@x402kit/tron`,
 * the network registry and the devnet read.
 *
 * The same TRON chain travels under three CAIP-2 spellings: BofAI's name form (`tron:nile`, what we
 * emit), the hex chain id (`tron:0xcd8690dc`) and the decimal one (`tron:3448148188`). Token and
 * contract addresses are Base58Check, the TRON wire form.
 */

/**
 * A canonical TRON network id (the name form).
 *
 * @example
 * const n: TronNetworkName = 'tron:nile';
 */
export type TronNetworkName = 'tron:mainnet' | 'tron:nile' | 'tron:shasta';

/**
 * A TRON network id resolved to every form it can take.
 *
 * @example
 * const n: TronNetwork = parseTronNetwork('tron:0xcd8690dc')!;
 * n.network; // 'tron:nile'
 */
export type TronNetwork = {
  /** Canonical id, the form we emit by default (`tron:nile`). */
  network: TronNetworkName;
  /** Numeric chain id (TIP-712 `chainId`, TVM `block.chainid`). */
  chainId: number;
  /** Hex CAIP-2 form, lowercase (`tron:0xcd8690dc`). */
  hexId: string;
  /** Decimal CAIP-2 form (`tron:3448148188`). */
  decimalId: string;
  testnet: boolean;
};

const CHAIN_IDS: Readonly<Record<TronNetworkName, number>> = {
  'tron:mainnet': 728126428,
  'tron:nile': 3448148188,
  'tron:shasta': 2494104990,
};

function describe(network: TronNetworkName): TronNetwork {
  const chainId = CHAIN_IDS[network];
  return {
    network,
    chainId,
    hexId: `tron:0x${chainId.toString(16).padStart(8, '0')}`,
    decimalId: `tron:${chainId}`,
    testnet: network !== 'tron:mainnet',
  };
}

/**
 * The three public TRON networks, resolved.
 *
 * @example
 * TRON_NETWORKS.map((n) => n.network); // ['tron:mainnet', 'tron:nile', 'tron:shasta']
 */
export const TRON_NETWORKS: readonly TronNetwork[] = Object.freeze(
  (['tron:mainnet', 'tron:nile', 'tron:shasta'] as const).map((name) => Object.freeze(describe(name))),
);

const byChainId = new Map<number, TronNetwork>(TRON_NETWORKS.map((n) => [n.chainId, n]));
const byName = new Map<string, TronNetwork>(TRON_NETWORKS.map((n) => [n.network, n]));

/**
 * Resolves a TRON network id in any form (name, hex or decimal CAIP-2; hex case-insensitive).
 * Returns `undefined` for anything else, including unknown TRON chain ids.
 *
 * @example
 * parseTronNetwork('tron:3448148188')?.network; // 'tron:nile'
 * parseTronNetwork('tron:0x2B6653DC')?.chainId; // 728126428
 * parseTronNetwork('eip155:1'); // undefined
 */
export function parseTronNetwork(id: unknown): TronNetwork | undefined {
  if (typeof id !== 'string' || id.length > 40) return undefined;
  const named = byName.get(id);
  if (named) return named;
  const match = /^tron:(?:0[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}))$/.exec(id);
  if (!match) return undefined;
  const chainId = match[1] !== undefined ? Number.parseInt(match[1], 16) : Number(match[2]);
  return byChainId.get(chainId);
}

/**
 * The canonical (name) form of a TRON network id, or `undefined` when it is not one.
 *
 * @example
 * canonicalTronNetwork('tron:0xcd8690dc'); // 'tron:nile'
 */
export function canonicalTronNetwork(id: string): TronNetworkName | undefined {
  return parseTronNetwork(id)?.network;
}

/**
 * True when `id` names one of the known TRON networks in any form.
 *
 * @example
 * isTronNetwork('tron:728126428'); // true
 */
export function isTronNetwork(id: unknown): boolean {
  return parseTronNetwork(id) !== undefined;
}

/**
 * True when `a` and `b` are the same known TRON network, whatever their forms.
 *
 * @example
 * sameTronNetwork('tron:nile', 'tron:3448148188'); // true
 */
export function sameTronNetwork(a: string, b: string): boolean {
  const x = parseTronNetwork(a);
  return x !== undefined && x === parseTronNetwork(b);
}

/**
 * A TRC-20 token known to x402kit.
 *
 * @example
 * const usdt: TronToken = TRON_TOKENS[0];
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

/**
 * The built-in TRON tokens x402 prices in (BofAI's registry: USDT and USDD on mainnet and Nile, USDT
 * on Shasta).
 *
 * @example
 * TRON_TOKENS.filter((t) => t.network === 'tron:nile').map((t) => t.symbol); // ['USDT', 'USDD']
 */
export const TRON_TOKENS: readonly TronToken[] = Object.freeze([
  token('tron:mainnet', 'USDT', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', 6, 'Tether USD'),
  token('tron:mainnet', 'USDD', 'TXDk8mbtRbXeYuMNS83CfKPaYYT8XWv9Hz', 18, 'Decentralized USD'),
  token('tron:nile', 'USDT', 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf', 6, 'Tether USD'),
  token('tron:nile', 'USDD', 'TGjgvdTWWrybVLaVeFqSyVqJQWjxqRYbaK', 18, 'Decentralized USD'),
  token('tron:shasta', 'USDT', 'TG3XXyExBkPp9nzdajDZsozEu4BkaSJozs', 6, 'Tether USD'),
]);

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
