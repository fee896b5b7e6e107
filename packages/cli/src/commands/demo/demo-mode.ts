/** Which demo to run: `--scheme`, `--network`, `--price` and `--charge`, checked and combined. */
import { formatUnits, parseUnits } from '@x402kit/core';
import { UsageError } from '../../command.js';

export const DEMO_SCHEMES = ['exact', 'permit2', 'upto', 'exact_permit', 'exact_gasfree'] as const;
export type DemoScheme = (typeof DEMO_SCHEMES)[number];
export const BASE_SEPOLIA = 'eip155:84532';
export const BSC_TESTNET = 'eip155:97';
export const TRON_NILE = 'tron:nile';
/** TRON Nile's id forms the demo accepts. */
const TRON_NILE_IDS = new Set([TRON_NILE, 'tron:0xcd8690dc', 'tron:3448148188']);
/** The network each scheme runs on in the demo (exact_permit also runs on TRON Nile). */
export const DEMO_NETWORKS: Record<DemoScheme, string> = {
  exact: BASE_SEPOLIA,
  permit2: BASE_SEPOLIA,
  upto: BASE_SEPOLIA,
  exact_permit: BSC_TESTNET,
  exact_gasfree: TRON_NILE,
};
/** Schemes the demo runs on TRON Nile. */
const TRON_SCHEMES: readonly DemoScheme[] = ['exact_permit', 'exact_gasfree'];
export const USD_AMOUNT = /^\d+(\.\d{1,6})?$/;

/** What `--scheme`, `--network`, `--price` and `--charge` asked for, validated. */
export type DemoMode =
  | { scheme: 'exact' }
  | { scheme: 'permit2' | 'exact_permit'; network: string; price: string }
  | { scheme: 'upto'; network: string; price: string; charge: string }
  | { scheme: 'exact_permit' | 'exact_gasfree'; network: 'tron:nile'; price: string; tron: true };

export function isDemoScheme(value: string): value is DemoScheme {
  return DEMO_SCHEMES.some((s) => s === value);
}

/** Validate the flag combination; every bad combination is a {@link UsageError} (exit 2). */
export function parseDemoMode(values: {
  price?: string | undefined;
  scheme?: string | undefined;
  network?: string | undefined;
  charge?: string | undefined;
}): DemoMode {
  const onTron = values.network !== undefined && TRON_NILE_IDS.has(values.network.toLowerCase());
  if (values.network?.startsWith('tron:') && !onTron)
    throw new UsageError(
      `--network ${values.network}: the demo's TRON network is ${TRON_NILE} (offline Nile)`,
    );
  const scheme = values.scheme ?? (onTron ? 'exact_permit' : 'exact');
  if (!isDemoScheme(scheme))
    throw new UsageError(
      `--scheme must be one of ${DEMO_SCHEMES.join(', ')}, batch-settlement (got ${JSON.stringify(scheme)})`,
    );
  if (onTron || scheme === 'exact_gasfree') {
    if (!TRON_SCHEMES.includes(scheme))
      throw new UsageError(
        `--scheme ${scheme} does not run on ${TRON_NILE}; use --scheme ${TRON_SCHEMES.join(' or ')}`,
      );
    if (values.charge !== undefined) throw new UsageError('--charge only applies to --scheme upto');
    if (values.price !== undefined && !USD_AMOUNT.test(values.price))
      throw new UsageError('--price: must be a decimal dollar amount with at most 6 decimals, e.g. 0.001');
    return {
      scheme: scheme === 'exact_gasfree' ? 'exact_gasfree' : 'exact_permit',
      network: TRON_NILE,
      price: values.price ?? '0.01',
      tron: true,
    };
  }
  const network = values.network ?? DEMO_NETWORKS[scheme];
  if (network !== DEMO_NETWORKS[scheme]) {
    const fits = DEMO_SCHEMES.filter((s) => DEMO_NETWORKS[s] === network);
    throw new UsageError(
      `--scheme ${scheme} runs on ${DEMO_NETWORKS[scheme]} in the demo, not ${network}` +
        (fits.length > 0
          ? `; on ${network} use --scheme ${fits.join(' or ')}`
          : `; networks: ${BASE_SEPOLIA}, ${BSC_TESTNET}, ${TRON_NILE}`),
    );
  }
  if (values.charge !== undefined && scheme !== 'upto')
    throw new UsageError('--charge only applies to --scheme upto (the amount charged under the maximum)');
  for (const [flag, value] of [
    ['--price', values.price],
    ['--charge', values.charge],
  ] as const) {
    if (value !== undefined && !USD_AMOUNT.test(value))
      throw new UsageError(`${flag}: must be a decimal dollar amount with at most 6 decimals, e.g. 0.001`);
  }
  if (scheme === 'exact') return { scheme };
  if (scheme === 'upto') {
    const price = values.price ?? '0.01';
    const max = parseUnits(price, 6);
    const charge = values.charge ?? formatUnits((max * 4n) / 10n, 6);
    if (parseUnits(charge, 6) > max)
      throw new UsageError(
        `--charge ${charge} is above the maximum --price ${price}: upto never charges more`,
      );
    return { scheme, network, price, charge };
  }
  return { scheme, network, price: values.price ?? (scheme === 'exact_permit' ? '0.01' : '0.001') };
}
