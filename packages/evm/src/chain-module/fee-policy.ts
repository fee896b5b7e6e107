/**
 * A flat fee policy for `exact_permit`: one fee per network and token, configured once and
 * validated at the edge (`fees: { 'eip155:97': { '0x3376…': { feeTo?, amount: '100' } } }`).
 */
import { evmChainId, toCaip2, X402Error } from '@x402kit/core';
import { type Address, getAddress, isAddress } from 'viem';
import { z } from 'zod';
import { EvmReasons } from '../evm-reasons.js';

const address = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), 'must be a 0x-prefixed 20-byte address');

/** The schema of the `fees` option: network -> token address -> `{ feeTo?, amount }`. */
export const FeePolicySchema = z.record(
  z
    .string()
    .refine((key) => evmChainId(toCaip2(key) ?? key) !== undefined, 'must be an eip155:<chainId> network'),
  z.record(
    address,
    z.object({
      /** Who receives the fee; default the facilitator's first settlement address. */
      feeTo: address.optional(),
      /** Atomic units of the token, decimal string (or a bigint). */
      amount: z.union([
        z.string().regex(/^\d+$/, 'must be atomic units as a decimal string'),
        z.bigint().nonnegative(),
      ]),
    }),
  ),
);

/** Options of `createFlatFeePolicy`. */
export type FeePolicyConfig = z.input<typeof FeePolicySchema>;

/** The fee of one token. */
export type FlatFee = { feeTo: Address; amount: bigint };

/** What `createFlatFeePolicy` returns. */
export type FeePolicy = {
  /** The fee for `asset` on `network`, or `undefined` when the token is not served. */
  feeFor(network: string, asset: string): FlatFee | undefined;
  /** Networks with at least one priced token (CAIP-2). */
  readonly networks: readonly string[];
  /** The normalized table, for `createExactPermitEvmFacilitator({ fees })`. */
  readonly table: Record<string, Record<string, { feeTo: Address; amount: bigint }>>;
};

/**
 * A `fees` option that failed validation (reason `invalid_evm_fee_policy`); `path` names the field.
 *
 * @example
 * try { createFlatFeePolicy(fees, { defaultFeeTo }) } catch (e) { if (e instanceof FeePolicyError) console.error(e.path) }
 */
export class FeePolicyError extends X402Error {
  override name = 'FeePolicyError';
  readonly path: string;
  constructor(path: string, message: string) {
    super(EvmReasons.feePolicy, `fees${path}: ${message}`);
    this.path = path;
  }
}

/**
 * Validate a fee table and build its lookup. Network keys may be v1 names; token keys any case.
 *
 * @example
 * const policy = createFlatFeePolicy({ 'eip155:97': { '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd': { amount: '100' } } }, { defaultFeeTo: facilitatorAddress })
 * policy.feeFor('eip155:97', '0x337610d27c682e347c9cd60bd4b3b107c9d34ddd') // { feeTo, amount: 100n }
 */
export function createFlatFeePolicy(config: FeePolicyConfig, options: { defaultFeeTo: string }): FeePolicy {
  const parsed = FeePolicySchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map((p) => `[${JSON.stringify(String(p))}]`).join('');
    throw new FeePolicyError(path, issue?.message ?? 'is invalid');
  }
  const defaultFeeTo = getAddress(options.defaultFeeTo);
  const table: Record<string, Record<string, { feeTo: Address; amount: bigint }>> = {};
  for (const [rawNetwork, tokens] of Object.entries(parsed.data)) {
    const network = toCaip2(rawNetwork) ?? rawNetwork;
    const row: Record<string, { feeTo: Address; amount: bigint }> = table[network] ?? {};
    table[network] = row;
    for (const [asset, fee] of Object.entries(tokens)) {
      row[asset.toLowerCase()] = {
        feeTo: fee.feeTo ? getAddress(fee.feeTo) : defaultFeeTo,
        amount: typeof fee.amount === 'bigint' ? fee.amount : BigInt(fee.amount),
      };
    }
  }
  return {
    networks: Object.keys(table),
    table,
    feeFor(network, asset) {
      return table[toCaip2(network) ?? network]?.[asset.toLowerCase()];
    },
  };
}
