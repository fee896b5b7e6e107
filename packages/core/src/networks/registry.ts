/**
 * The network registry: CAIP-2 ids, v1 names and each network's default stablecoin.
 *
 * Addresses are written in EIP-55 form; compare them with `sameAddress` from `../address.js`.
 */
import { matchesNetworkPattern, parseCaip2 } from './caip.js';
import { parseTronNetwork, TRON_TOKENS, type TronNetworkName } from './tron-networks.js';

/** How a token can be pulled with a signature. */
export type AssetTransferMethod = 'eip3009' | 'permit2';

/** The `asset` parameter of `registerAsset`. */
export type AssetInfo = {
  address: string;
  symbol: string;
  decimals: number;
  /** EIP-712 domain of the token (EIP-3009 / EIP-2612), when it has one. */
  eip712?: { name: string; version: string };
  /** The transfer method a server offers by default for this token. */
  transferMethod: AssetTransferMethod;
};

/** The `info` parameter of `registerNetwork`. */
export type NetworkInfo = {
  id: string;
  name: string;
  /** x402 v1 network name, e.g. `base-sepolia`. */
  v1Name?: string;
  testnet: boolean;
  /** Default stablecoin for `"$0.01"`-style prices. */
  defaultAsset?: AssetInfo;
  /** Every known asset on this network (the default one included). */
  assets: AssetInfo[];
  /**
   * Other ids of the same chain (`tron:0xcd8690dc`, `tron:3448148188` for `tron:nile`); matched
   * case-insensitively and resolved to `id` by {@link canonicalNetwork}.
   */
  aliases?: readonly string[];
};

const usdc = (address: string, name: string, version = '2'): AssetInfo => ({
  address,
  symbol: 'USDC',
  decimals: 6,
  eip712: { name, version },
  transferMethod: 'eip3009',
});

const network = (
  id: string,
  name: string,
  v1Name: string | undefined,
  testnet: boolean,
  assets: AssetInfo[],
): NetworkInfo => ({
  id,
  name,
  ...(v1Name ? { v1Name } : {}),
  testnet,
  assets,
  ...(assets[0] ? { defaultAsset: assets[0] } : {}),
});

const bscUsdt = (address: string): AssetInfo => ({
  address,
  symbol: 'USDT',
  decimals: 18,
  transferMethod: 'permit2',
});
const bscUsdc = (address: string): AssetInfo => ({
  address,
  symbol: 'USDC',
  decimals: 18,
  transferMethod: 'permit2',
});

// TRON TRC-20s from the TRON table: addresses in Base58Check as the TRON wire carries them
// (case-sensitive, compared exactly). TRON USDT/USDD have no EIP-3009; BofAI pulls them with its
// PaymentPermit contract (exact_permit) or GasFree, and its newer SDK tags them `permit2`, the nearest
// method this union has.
const tronNetwork = (id: TronNetworkName, name: string): NetworkInfo => {
  const tron = parseTronNetwork(id);
  const assets = TRON_TOKENS.filter((t) => t.network === id).map(
    (t): AssetInfo => ({
      address: t.address,
      symbol: t.symbol,
      decimals: t.decimals,
      eip712: { name: t.name, version: t.version },
      transferMethod: 'permit2',
    }),
  );
  return {
    ...network(id, name, undefined, tron?.testnet ?? true, assets),
    aliases: tron ? [tron.hexId, tron.decimalId] : [],
  };
};

const builtIn: NetworkInfo[] = [
  network('eip155:8453', 'Base', 'base', false, [
    usdc('0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', 'USD Coin'),
    // bridged Tether USD on Base: no EIP-3009, so x402 pulls it through Permit2
    {
      address: '0xfde4C96c8593536E31F229EA8f37b2ADa2699bb2',
      symbol: 'USDT',
      decimals: 6,
      transferMethod: 'permit2',
    },
  ]),
  network('eip155:84532', 'Base Sepolia', 'base-sepolia', true, [
    usdc('0x036CbD53842c5426634e7929541eC2318f3dCF7e', 'USDC'),
  ]),
  network('eip155:1', 'Ethereum', 'ethereum', false, [
    usdc('0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', 'USD Coin'),
  ]),
  network('eip155:11155111', 'Sepolia', 'sepolia', true, [
    usdc('0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238', 'USDC'),
  ]),
  network('eip155:56', 'BNB Smart Chain', 'bsc', false, [
    bscUsdt('0x55d398326f99059fF775485246999027B3197955'),
    bscUsdc('0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d'),
  ]),
  network('eip155:97', 'BNB Smart Chain Testnet', 'bsc-testnet', true, [
    bscUsdt('0x337610d27c682E347C9cD60BD4b3b107C9d34dDd'),
    bscUsdc('0x64544969ed7EBf5f083679233325356EbE738930'),
  ]),
  network('eip155:196', 'X Layer', 'xlayer', false, [
    {
      address: '0x779Ded0c9e1022225f8E0630b35a9b54bE713736',
      symbol: 'USDT0',
      decimals: 6,
      eip712: { name: 'USDT0', version: '1' },
      transferMethod: 'eip3009',
    },
    // USDC on X Layer: EIP-3009 support is not confirmed, so Permit2 (works with any ERC-20)
    {
      address: '0x74b7F16337b8972027F6196A17a631aC6dE26d22',
      symbol: 'USDC',
      decimals: 6,
      transferMethod: 'permit2',
    },
  ]),
  network('eip155:137', 'Polygon', 'polygon', false, [
    usdc('0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359', 'USD Coin'),
  ]),
  network('eip155:80002', 'Polygon Amoy', 'polygon-amoy', true, [
    usdc('0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582', 'USDC'),
  ]),
  network('eip155:42161', 'Arbitrum One', 'arbitrum', false, [
    usdc('0xaf88d065e77c8cC2239327C5EDb3A432268e5831', 'USD Coin'),
  ]),
  network('eip155:421614', 'Arbitrum Sepolia', 'arbitrum-sepolia', true, [
    usdc('0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d', 'USD Coin'),
  ]),
  network('eip155:10', 'OP Mainnet', 'optimism', false, [
    usdc('0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85', 'USD Coin'),
  ]),
  network('eip155:43114', 'Avalanche C-Chain', 'avalanche', false, [
    usdc('0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E', 'USD Coin'),
  ]),
  network('eip155:43113', 'Avalanche Fuji', 'avalanche-fuji', true, [
    usdc('0x5425890298aed601595a70AB815c96711a31Bc65', 'USD Coin'),
  ]),
  network('eip155:143', 'Monad', 'monad', false, [
    usdc('0x754704Bc059F8C67012fEd69BC8A327a5aafb603', 'USD Coin'),
  ]),
  network('eip155:4326', 'MegaETH', 'megaeth', false, [
    {
      address: '0xFAfDdbb3FC7688494971a79cc65DCa3EF82079E7',
      symbol: 'USDM',
      decimals: 18,
      eip712: { name: 'MegaUSD', version: '1' },
      transferMethod: 'permit2',
    },
  ]),
  network('eip155:1329', 'Sei', 'sei', false, []),
  network('eip155:1328', 'Sei Testnet', 'sei-testnet', true, []),
  network('eip155:2741', 'Abstract', 'abstract', false, []),
  network('eip155:11124', 'Abstract Testnet', 'abstract-testnet', true, []),
  network('eip155:4689', 'IoTeX', 'iotex', false, []),
  network('eip155:3338', 'peaq', 'peaq', false, []),
  network('eip155:1514', 'Story', 'story', false, []),
  network('eip155:41923', 'EDU Chain', 'educhain', false, []),
  network('eip155:324705682', 'SKALE Base Sepolia', 'skale-base-sepolia', true, []),
  network('eip155:988', 'Stable', 'stable', false, [
    {
      address: '0x779Ded0c9e1022225f8E0630b35a9b54bE713736',
      symbol: 'USDT0',
      decimals: 6,
      eip712: { name: 'USDT0', version: '1' },
      transferMethod: 'eip3009',
    },
  ]),
  network('eip155:2201', 'Stable Testnet', 'stable-testnet', true, [
    {
      address: '0x78Cf24370174180738C5B8E352B6D14c83a6c9A9',
      symbol: 'USDT0',
      decimals: 6,
      eip712: { name: 'USDT0', version: '1' },
      transferMethod: 'eip3009',
    },
  ]),
  // TRON: BofAI's ids (`tron:<name>`); the same chains also appear as `tron:0x2b6653dc` / `tron:728126428`,
  // which parseTronNetwork maps onto these names.
  tronNetwork('tron:mainnet', 'TRON'),
  tronNetwork('tron:nile', 'TRON Nile'),
  tronNetwork('tron:shasta', 'TRON Shasta'),
  {
    ...network('solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp', 'Solana', 'solana', false, [
      {
        address: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
        symbol: 'USDC',
        decimals: 6,
        transferMethod: 'eip3009',
      },
    ]),
    aliases: ['solana:mainnet'],
  },
  {
    ...network('solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1', 'Solana Devnet', 'solana-devnet', true, [
      {
        address: '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU',
        symbol: 'USDC',
        decimals: 6,
        transferMethod: 'eip3009',
      },
    ]),
    aliases: ['solana:devnet'],
  },
];

const byId = new Map<string, NetworkInfo>();
const byV1Name = new Map<string, NetworkInfo>();
/** Lower-cased alias -> network. */
const byAlias = new Map<string, NetworkInfo>();
for (const n of builtIn) registerNetwork(n);

/**
 * Add or replace a network (a private chain, a new L2).
 *
 * @example
 * registerNetwork({ id: 'eip155:31337', name: 'Anvil', testnet: true, assets: [] })
 */
export function registerNetwork(info: NetworkInfo): void {
  const prev = byId.get(info.id);
  if (prev?.v1Name) byV1Name.delete(prev.v1Name);
  for (const alias of prev?.aliases ?? []) byAlias.delete(alias.toLowerCase());
  const defaultAsset = info.defaultAsset ?? info.assets[0];
  const entry: NetworkInfo = { ...info, ...(defaultAsset ? { defaultAsset } : {}) };
  byId.set(info.id, entry);
  if (info.v1Name) byV1Name.set(info.v1Name, entry);
  for (const alias of info.aliases ?? []) byAlias.set(alias.toLowerCase(), entry);
}

/**
 * Register an extra asset on a known network (or make it the default with `asDefault`).
 *
 * @example
 * registerAsset('eip155:84532', { address: '0x…', symbol: 'EURC', decimals: 6, eip712: { name: 'EURC', version: '2' }, transferMethod: 'eip3009' })
 */
export function registerAsset(
  networkId: string,
  asset: AssetInfo,
  options: { asDefault?: boolean } = {},
): void {
  const n = byId.get(networkId) ?? { id: networkId, name: networkId, testnet: true, assets: [] };
  const assets = [...n.assets.filter((a) => !sameAssetId(a.address, asset.address)), asset];
  registerNetwork({
    ...n,
    assets,
    ...(options.asDefault || !n.defaultAsset ? { defaultAsset: asset } : { defaultAsset: n.defaultAsset }),
  });
}

/**
 * The network with this CAIP-2 id, alias or v1 name.
 *
 * @example
 * ```ts
 * getNetwork('base-sepolia')?.id // 'eip155:84532'
 * ```
 */
export function getNetwork(idOrV1Name: string): NetworkInfo | undefined {
  return byId.get(idOrV1Name) ?? byV1Name.get(idOrV1Name) ?? byAlias.get(idOrV1Name.toLowerCase());
}

/**
 * The registered id of a network given by one of its aliases; any other input unchanged.
 *
 * @example canonicalNetwork('tron:0xCD8690DC') // 'tron:nile'
 */
export function canonicalNetwork(network: string): string {
  return byAlias.get(network.toLowerCase())?.id ?? network;
}

/**
 * Whether `network` matches `pattern` (`eip155:*`, `tron:nile`), either as written or once both are
 * resolved from aliases: `tron:3448148188` matches `tron:nile`.
 *
 * @example networkMatches('tron:0xcd8690dc', 'tron:nile') // true
 */
export function networkMatches(network: string, pattern: string): boolean {
  return (
    matchesNetworkPattern(network, pattern) ||
    matchesNetworkPattern(canonicalNetwork(network), canonicalNetwork(pattern))
  );
}

/**
 * Every registered network.
 *
 * @example
 * ```ts
 * listNetworks().filter((n) => !n.testnet).map((n) => n.id)
 * ```
 */
export function listNetworks(): NetworkInfo[] {
  return [...byId.values()];
}

/**
 * CAIP-2 id for a v1 name or a CAIP-2 id; undefined when unknown and not CAIP-2 shaped.
 *
 * @example toCaip2('base-sepolia') // 'eip155:84532'
 */
export function toCaip2(network: string): string | undefined {
  const known = byV1Name.get(network);
  if (known) return known.id;
  return parseCaip2(network) ? network : undefined;
}

/**
 * v1 name for a CAIP-2 id (or the input if it is already a v1 name); undefined when there is none.
 *
 * @example
 * ```ts
 * toV1Name('eip155:84532') // 'base-sepolia'
 * ```
 */
export function toV1Name(network: string): string | undefined {
  if (byV1Name.has(network)) return network;
  return byId.get(network)?.v1Name;
}

/**
 * Find an asset on a network by address (any case) or symbol.
 *
 * @example
 * ```ts
 * findAsset('eip155:8453', 'USDC')?.decimals // 6
 * ```
 */
export function findAsset(networkId: string, addressOrSymbol: string): AssetInfo | undefined {
  const n = getNetwork(networkId);
  if (!n) return undefined;
  return (
    n.assets.find((a) => sameAssetId(a.address, addressOrSymbol)) ??
    n.assets.find((a) => a.symbol.toUpperCase() === addressOrSymbol.toUpperCase())
  );
}

/**
 * Asset ids compare case-insensitively for hex addresses and exactly otherwise (base58 is case-sensitive).
 *
 * @example
 * ```ts
 * sameAssetId('0xABC0', '0xabc0') // true (hex); base58 mints compare exactly
 * ```
 */
export function sameAssetId(a: string, b: string): boolean {
  if (a.startsWith('0x') && b.startsWith('0x')) return a.toLowerCase() === b.toLowerCase();
  return a === b;
}
