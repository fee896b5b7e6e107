/**
 * The EVM chain module's sections of the facilitator's configuration file: `networks` (the RPC
 * URLs of each EVM network served), `evm` (settlement tuning and gas sponsoring) and `fees` (flat
 * `exact_permit` fees), and the environment variables that override `networks` (`RPC_URL_<CHAINID>`,
 * and `EVM_RPC_URL` for `EVM_NETWORK`).
 * Errors are worded like the rest of the file (`networks["eip155:84532"].rpc[0]: must be an http(s) URL`).
 */
import { evmChainId, httpUrl, privateKey, toCaip2 } from '@x402kit/core';
import { splitEnvList } from '@x402kit/core/internal';
import { z } from 'zod';
import { FeePolicySchema } from './fee-policy.js';

const wei = z
  .union([z.string().regex(/^\d+$/, 'must be a whole number of wei'), z.number().int().nonnegative()])
  .transform((value) => BigInt(value));

/**
 * `networks`: RPC URLs per EVM network, keyed by `eip155:<chainId>` or a v1 name (`base-sepolia`);
 * parsed keys are CAIP-2.
 *
 * @example EvmNetworksSchema.parse({ 'base-sepolia': { rpc: ['http://127.0.0.1:8545'] } }) // { 'eip155:84532': { rpc: [...] } }
 */
export const EvmNetworksSchema = z
  .record(z.string(), z.strictObject({ rpc: z.array(httpUrl).min(1, 'give at least one URL') }))
  .default({})
  .superRefine((value, ctx) => {
    for (const key of Object.keys(value)) {
      const network = toCaip2(key);
      if (network === undefined || evmChainId(network) === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'is not an EVM network; use eip155:<chainId>',
        });
      }
    }
  })
  .transform((networks) => {
    // a v1 name and the CAIP-2 id of one network (`--rpc base-sepolia=… --rpc eip155:84532=…`) are one
    // entry: their URLs in order, each once
    const out: Record<string, { rpc: string[] }> = {};
    for (const [key, { rpc }] of Object.entries(networks)) {
      const network = toCaip2(key) ?? key;
      const urls = out[network]?.rpc ?? [];
      for (const url of rpc) if (!urls.includes(url)) urls.push(url);
      out[network] = { rpc: urls };
    }
    return out;
  });

/**
 * `evm`: Multicall3 batching (worth it at block times of about 1 s or more), stuck-tx replacement,
 * ERC-6492 factories, and what the facilitator may spend on a payer's behalf.
 *
 * @example EvmSettingsSchema.parse({}).gasSponsoring.maxTopUpWei // 2000000000000000n
 */
export const EvmSettingsSchema = z
  .strictObject({
    batching: z
      .union([
        z.literal(false),
        z.strictObject({
          windowMs: z.number().int().min(1).max(10_000).optional(),
          maxBatch: z.number().int().min(1).max(500).optional(),
        }),
      ])
      .default(false),
    stuckAfterMs: z.number().int().min(0).optional(),
    erc6492Factories: z.record(z.string(), z.array(z.string().regex(/^0x[0-9a-fA-F]{40}$/))).optional(),
    /**
     * What the facilitator may spend on a payer's behalf (approval top-ups under
     * `erc20ApprovalGasSponsoring`, ERC-6492 wallet deployments): a cap per payment, budgets per
     * payer and per key over 24 hours (per network, shared through the ledger's database), and
     * what a sponsored approval may ask for.
     */
    gasSponsoring: z
      .strictObject({
        maxTopUpWei: wei.default(2_000_000_000_000_000n),
        perPayerPerDayWei: wei.default(4_000_000_000_000_000n),
        perKeyPerDayWei: wei.default(100_000_000_000_000_000n),
        maxApprovalGas: z.number().int().min(21_000).max(1_000_000).default(100_000),
        maxFeeFactor: z.number().min(1).max(100).default(3),
        maxDeploymentGas: z.number().int().min(21_000).max(30_000_000).default(1_000_000),
      })
      .prefault({}),
    /**
     * `batch-settlement`: the receiver-authorizer key that signs claims and refunds for the servers that
     * delegate to it (advertised as `extra.receiverAuthorizer` in `/supported`); default the first of
     * `signers.privateKeys`. Env `BATCH_SETTLEMENT_AUTHORIZER_KEY`.
     */
    batchSettlement: z.strictObject({ authorizerKey: privateKey.optional() }).optional(),
  })
  .prefault({});

/** The parsed `networks` section. */
export type EvmNetworksConfig = z.output<typeof EvmNetworksSchema>;
/** The parsed `evm` section. */
export type EvmSettings = z.output<typeof EvmSettingsSchema>;
/** The parsed `fees` section. */
export type EvmFeesConfig = z.output<typeof FeePolicySchema>;

/** The sections the EVM chain module owns, as parsed. */
export type EvmSections = {
  networks: EvmNetworksConfig;
  evm: EvmSettings;
  fees: EvmFeesConfig;
};

/**
 * The schemas of {@link EvmSections}.
 *
 * @example EVM_SECTIONS.networks.safeParse({ 'solana:abc': { rpc: ['http://x'] } }).success // false
 */
export const EVM_SECTIONS = {
  networks: EvmNetworksSchema,
  evm: EvmSettingsSchema,
  fees: FeePolicySchema,
} as const;

/** The network `EVM_RPC_URL` serves when `EVM_NETWORK` is not set. */
const DEFAULT_EVM_NETWORK = 'eip155:84532';

/**
 * The EVM chain module's environment as overrides of `networks`: `RPC_URL_<CHAINID>` (comma-separated
 * URLs) for `eip155:<CHAINID>`, and `EVM_RPC_URL` for `EVM_NETWORK` (a CAIP-2 id or v1 name, default
 * `eip155:84532`; the x402 e2e harness sets these two), which wins over `RPC_URL_<CHAINID>` for the
 * same network; `BATCH_SETTLEMENT_AUTHORIZER_KEY` sets `evm.batchSettlement.authorizerKey`.
 *
 * @example evmEnvOverrides({ RPC_URL_84532: 'http://a:8545, http://b:8545' }) // { networks: { 'eip155:84532': { rpc: ['http://a:8545', 'http://b:8545'] } } }
 * @example evmEnvOverrides({ EVM_NETWORK: 'base-sepolia', EVM_RPC_URL: 'http://a:8545' }) // { networks: { 'eip155:84532': { rpc: ['http://a:8545'] } } }
 */
export function evmEnvOverrides(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const networks: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = /^RPC_URL_(\d+)$/.exec(name);
    if (match && value) networks[`eip155:${match[1]}`] = { rpc: splitEnvList(value) };
  }
  if (env.EVM_RPC_URL) {
    const network = env.EVM_NETWORK || DEFAULT_EVM_NETWORK;
    networks[toCaip2(network) ?? network] = { rpc: [env.EVM_RPC_URL] };
  }
  const authorizerKey = env.BATCH_SETTLEMENT_AUTHORIZER_KEY;
  return {
    ...(Object.keys(networks).length > 0 ? { networks } : {}),
    ...(authorizerKey ? { evm: { batchSettlement: { authorizerKey } } } : {}),
  };
}
