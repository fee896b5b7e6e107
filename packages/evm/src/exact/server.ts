/**
 * The resource-server side of `exact` on EVM: turns a route price into amount, asset and the
 * token's EIP-712 domain in `extra`. Deterministic, no RPC.
 */
import {
  type AssetAmount,
  findAsset,
  type ParsedPrice,
  type Price,
  parsePrice,
  Reasons,
  type SchemeServer,
  X402Error,
} from '@x402kit/core';

/**
 * A custom price conversion tried before the registry default, for plain money prices (`"$1.50"`,
 * `1.5`, `"1.50"`). It receives the decimal amount as a string and returns an asset amount, or
 * `undefined`/`null` to let the next parser (and finally the network's default stablecoin) try.
 */
export type ExactEvmMoneyParser = (
  amount: string,
  network: string,
) => AssetAmount | null | undefined | Promise<AssetAmount | null | undefined>;

/** Options of `createExactEvmServer`. */
export type ExactEvmServerOptions = {
  /** Tried in order for money prices; the registry's default asset is the fallback. */
  moneyParsers?: readonly ExactEvmMoneyParser[];
};

const MONEY = /^\$?\s*(\d+(?:\.\d+)?)$/;

/**
 * Create the server half of `exact` on EVM, for `createResourceServer` from `@x402kit/core`.
 * For `$0.001` on `eip155:84532` it yields amount `"1000"` of Base Sepolia USDC with
 * `extra: { name: "USDC", version: "2" }`, exactly what the reference server offers.
 *
 * @example
 * const server = createExactEvmServer()
 * await server.parsePrice('$0.001', 'eip155:84532') // { amount: 1000n, asset: '0x036C…', extra: { name: 'USDC', version: '2' } }
 */
export function createExactEvmServer(options: ExactEvmServerOptions = {}): SchemeServer {
  const moneyParsers = options.moneyParsers ?? [];
  return {
    scheme: 'exact',
    async parsePrice(price, network) {
      const custom = await fromMoneyParsers(moneyParsers, price, network);
      const parsed = custom ?? parsePrice(price, network);
      return withTransferExtra(parsed, network);
    },
  };
}

async function fromMoneyParsers(
  parsers: readonly ExactEvmMoneyParser[],
  price: Price,
  network: string,
): Promise<ParsedPrice | undefined> {
  if (parsers.length === 0 || typeof price === 'object') return undefined;
  const match = MONEY.exec(typeof price === 'number' ? String(price) : price.trim());
  const amount = match?.[1];
  if (amount === undefined) return undefined;
  for (const parser of parsers) {
    const result = await parser(amount, network);
    if (result) return parsePrice(result, network);
  }
  return undefined;
}

/**
 * Fills `extra` the way the reference server does: EIP-3009 tokens get their EIP-712 domain;
 * Permit2 tokens get `assetTransferMethod: "permit2"` plus `name`/`version` only when the token
 * supports EIP-2612 (so the client can sign a gas-sponsoring permit).
 */
function withTransferExtra(parsed: ParsedPrice, network: string): ParsedPrice {
  const info = parsed.assetInfo ?? findAsset(network, parsed.asset);
  const explicit = parsed.extra?.assetTransferMethod;
  if (explicit !== undefined) {
    if (explicit !== 'eip3009' && explicit !== 'permit2') {
      throw new X402Error(
        Reasons.invalidPaymentRequirements,
        `exact EVM server: extra.assetTransferMethod "${String(explicit)}" is not offered (eip3009 or permit2)`,
      );
    }
    return parsed;
  }
  if (info?.transferMethod === 'permit2') {
    return {
      ...parsed,
      extra: {
        ...(info.eip712 ? { name: info.eip712.name, version: info.eip712.version } : {}),
        ...parsed.extra,
        assetTransferMethod: 'permit2',
      },
    };
  }
  // an explicit AssetAmount keeps its own extra, verbatim
  if (parsed.extra) return parsed;
  if (info?.eip712) return { ...parsed, extra: { name: info.eip712.name, version: info.eip712.version } };
  return { ...parsed, extra: {} };
}
