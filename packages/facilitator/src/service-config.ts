/**
 * The configuration of a facilitator deployment (`x402kit facilitator --config facilitator.yaml`):
 * a YAML or JSON file, overridden by environment variables, overridden by explicit values (CLI
 * flags), validated once with zod. Errors name the field's path
 * (`networks["eip155:84532"].rpc[0]: must be an http(s) URL`) and never echo a value.
 *
 * Environment variables: `DATABASE_URL` (PostgreSQL ledger), `FACILITATOR_PRIVATE_KEY` /
 * `FACILITATOR_PRIVATE_KEYS` (comma-separated), `PORT`, `HOST`, `RPC_URL_<CHAINID>` (comma-separated
 * URLs for `eip155:<CHAINID>`), `INSTANCE_ID`, `LOG_LEVEL`, `OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_SERVICE_NAME`; for a `tron` section also `TRON_GRID_API_KEY` and `GASFREE_API_KEY[_NILE|_MAINNET|_SHASTA]`,
 * `GASFREE_API_SECRET[_…]`.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { extname } from 'node:path';
import { evmChainId, httpUrl, isRecord, ms, privateKey, toCaip2 } from '@x402kit/core';
import { isTronAddress } from '@x402kit/tron';
import { isAddress } from 'viem';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type ConfigIssue, DEFAULT_FACILITATOR_PORT, FacilitatorConfigError } from './config.js';
import { FeePolicySchema } from './fee-policy.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './service.js';
import { TronConfigSchema, tronEnvDefaults } from './tron-config.js';

/** Where the embedded ledger lives when the config names none (relative to the working directory). */
export const DEFAULT_LEDGER_PATH = 'x402kit-ledger.db';

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL');
const address = z
  .string()
  .refine(
    (v) => isAddress(v, { strict: false }) || (v.startsWith('T') && isTronAddress(v)),
    'must be a 0x-prefixed 20-byte address or a checksummed TRON address (T…)',
  );
const perMinute = z.number().int().positive();
const wei = z
  .union([z.string().regex(/^\d+$/, 'must be a whole number of wei'), z.number().int().nonnegative()])
  .transform((value) => BigInt(value));

const LedgerSchema = z.union([
  z.strictObject({ sqlite: z.strictObject({ path: z.string().min(1) }) }),
  z.strictObject({ postgres: z.strictObject({ url: postgresUrl, schema: z.string().min(1).optional() }) }),
]);

/**
 * The schema of a configuration file (after environment overrides).
 *
 * @example
 * ServiceConfigSchema.parse({ networks: { 'eip155:84532': { rpc: ['http://127.0.0.1:8545'] } }, signers: { privateKeys: [key] } })
 */
export const ServiceConfigSchema = z
  .strictObject({
    port: z.number().int().min(0).max(65535).default(DEFAULT_FACILITATOR_PORT),
    host: z.string().min(1).default('127.0.0.1'),
    networks: z
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
      }),
    signers: z.strictObject({ privateKeys: z.array(privateKey).min(1, 'give at least one private key') }),
    tron: TronConfigSchema.optional(),
    // durable by default: a SQLite file in the working directory (':memory:' is allowed, with a warning)
    ledger: LedgerSchema.default({ sqlite: { path: DEFAULT_LEDGER_PATH } }),
    instanceId: z.string().min(1).default(`${hostname()}-${process.pid}`),
    fees: FeePolicySchema.optional(),
    apiKeys: z
      .array(
        z.strictObject({
          key: z.string().min(8, 'must be at least 8 characters'),
          name: z.string().min(1),
          payTo: z.array(address).optional(),
          assets: z.array(address).optional(),
          rateLimitPerMinute: perMinute.optional(),
        }),
      )
      .default([]),
    /** Absent `allowed` means: allowed when no API key is configured. */
    anonymous: z
      .strictObject({
        allowed: z.boolean().optional(),
        rateLimitPerMinute: perMinute.optional(),
        /** Behind a reverse proxy: rate-limit by the last X-Forwarded-For entry instead of the socket. */
        trustProxy: z.boolean().optional(),
      })
      .default({}),
    limits: z
      .strictObject({
        bodyBytes: z.number().int().positive().default(DEFAULT_BODY_LIMIT_BYTES),
        maxGasPerSettlement: z.number().int().min(21_000).optional(),
      })
      .default({ bodyBytes: DEFAULT_BODY_LIMIT_BYTES }),
    metrics: z.strictObject({ enabled: z.boolean().default(true) }).default({ enabled: true }),
    /**
     * Receipt and RPC waits of a settlement (`settlement_pending` after `receiptTimeoutMs`), and the
     * grant rule's clocks: a claim not heart-beaten for `claimLeaseMs` (its instance died) is taken
     * over by a retry of the same attempt; a verified payment stays reserved for its attempt for the
     * offer's `maxTimeoutSeconds` plus `reservationSkewMs`.
     */
    settlement: z
      .strictObject({
        receiptTimeoutMs: ms.optional(),
        rpcTimeoutMs: ms.optional(),
        claimLeaseMs: z.number().int().min(100).default(10_000),
        reservationSkewMs: z.number().int().min(0).default(30_000),
      })
      .prefault({}),
    /** The background sweep that finishes `settlement_pending` payments. */
    reconciler: z
      .strictObject({
        enabled: z.boolean().default(true),
        intervalMs: z.number().int().min(50).default(5000),
        leaseMs: ms.default(15_000),
        quietMs: ms.default(35_000),
        batchSize: z.number().int().min(1).max(1000).default(50),
      })
      .prefault({}),
    /** Relayer balances and nonce lag, read every `intervalMs`; below `lowBalanceWei` a warning is logged. */
    monitoring: z
      .strictObject({
        intervalMs: z.number().int().min(100).default(30_000),
        lowBalanceWei: wei.optional(),
        /** TRON settlement keys: warn below this many SUN (1 TRX = 10^6 SUN). */
        lowBalanceSun: wei.optional(),
      })
      .prefault({}),
    log: z.strictObject({ level: z.enum(['debug', 'info', 'warn', 'error']).default('info') }).prefault({}),
    /** OpenTelemetry traces (OTLP/HTTP JSON) when an endpoint is given. */
    telemetry: z
      .strictObject({
        otlpEndpoint: httpUrl.optional(),
        serviceName: z.string().min(1).default('x402kit-facilitator'),
      })
      .prefault({}),
    /** On SIGTERM: how long settlements in flight may take to finish before they answer `settlement_pending`. */
    shutdown: z.strictObject({ drainTimeoutMs: ms.default(30_000) }).prefault({}),
    /** The `payment-identifier` extension: same id + same payload returns the stored answer, another payload 409. */
    idempotency: z.strictObject({ enabled: z.boolean().default(true) }).prefault({}),
    /** EVM settlement tuning: Multicall3 batching (worth it at block times of about 1 s or more), stuck-tx replacement, ERC-6492 factories. */
    evm: z
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
      })
      .prefault({}),
    /**
     * One live instance per settlement key: each instance leases its keys' addresses in the ledger's
     * database at start (a key another live instance holds refuses the start), heart-beats every
     * quarter of `staleAfterMs`, and releases them on a clean stop; a holder silent for longer than
     * `staleAfterMs` (killed, cut off) may be taken over. `enabled: false` only when something else
     * guarantees that no two processes send from one key.
     */
    keyLease: z
      .strictObject({
        enabled: z.boolean().default(true),
        staleAfterMs: z.number().int().min(200).max(600_000).default(10_000),
      })
      .prefault({}),
    /** Serve `POST /close` (for the x402 e2e harness). */
    enableClose: z.boolean().default(false),
  })
  .superRefine((config, ctx) => {
    if (Object.keys(config.networks).length === 0 && !config.tron) {
      ctx.addIssue({
        code: 'custom',
        path: ['networks'],
        message: 'give at least one network (or a tron section)',
      });
    }
  })
  .transform((config) => ({
    ...config,
    networks: Object.fromEntries(
      Object.entries(config.networks).map(([key, value]) => [toCaip2(key) ?? key, value]),
    ),
    anonymous: {
      allowed: config.anonymous.allowed ?? config.apiKeys.length === 0,
      ...(config.anonymous.rateLimitPerMinute === undefined
        ? {}
        : { rateLimitPerMinute: config.anonymous.rateLimitPerMinute }),
      ...(config.anonymous.trustProxy === undefined ? {} : { trustProxy: config.anonymous.trustProxy }),
    },
  }));

/** A validated deployment configuration. */
export type ServiceConfig = z.output<typeof ServiceConfigSchema>;

export type LoadServiceConfigOptions = {
  /** A `.yaml`, `.yml` or `.json` file. */
  file?: string;
  /** The environment (the CLI passes `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values that win over the file and the environment (CLI flags), same shape as the file. */
  overrides?: Record<string, unknown>;
};

/**
 * Read, merge and validate. Throws {@link FacilitatorConfigError} (paths like `signers.privateKeys[0]`).
 *
 * @example
 * const config = await loadServiceConfig({ file: 'facilitator.yaml', env: process.env })
 */
export async function loadServiceConfig(options: LoadServiceConfigOptions): Promise<ServiceConfig> {
  const base = options.file === undefined ? {} : await readConfigFile(options.file);
  const env = options.env ?? {};
  return parseServiceConfig(
    tronEnvDefaults(merge(merge(base, envOverrides(env)), options.overrides ?? {}), env),
  );
}

/**
 * Validate a configuration object.
 *
 * @example
 * parseServiceConfig({ networks: { 'eip155:84532': { rpc: ['http://x'] } }, signers: { privateKeys: [k] } })
 */
export function parseServiceConfig(input: unknown): ServiceConfig {
  const parsed = ServiceConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new FacilitatorConfigError(
    parsed.error.issues.map(
      (issue): ConfigIssue => ({ path: formatPath(issue.path), message: issueMessage(issue) }),
    ),
  );
}

/** A record key's own refinement message (zod reports only "Invalid key in record"). */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') {
    const inner = issue.issues.find((i) => i.message)?.message;
    if (inner) return inner;
  }
  return issue.message;
}

/**
 * A zod path as a reader writes it: `networks["eip155:84532"].rpc[0]`.
 *
 * @example formatPath(['networks', 'eip155:84532', 'rpc', 0]) // 'networks["eip155:84532"].rpc[0]'
 */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

async function readConfigFile(file: string): Promise<Record<string, unknown>> {
  const extension = extname(file).toLowerCase();
  if (extension !== '.json' && extension !== '.yaml' && extension !== '.yml') {
    throw new FacilitatorConfigError([{ path: '', message: `${file}: use a .yaml, .yml or .json file` }]);
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new FacilitatorConfigError([{ path: '', message: `${file}: cannot be read (${code})` }]);
  }
  let value: unknown;
  try {
    value = extension === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    // the parsers' messages quote the offending text, which may be a secret: give the position only
    const where =
      error instanceof Error && 'linePos' in error && Array.isArray(error.linePos) && error.linePos[0]
        ? ` at line ${String(error.linePos[0].line)}`
        : '';
    throw new FacilitatorConfigError([
      { path: '', message: `${file}: not valid ${extension.slice(1).toUpperCase()}${where}` },
    ]);
  }
  if (value === null || value === undefined) return {};
  if (!isRecord(value))
    throw new FacilitatorConfigError([{ path: '', message: `${file}: must hold an object` }]);
  return value;
}

/** The overrides the environment gives, in the file's shape. */
export function envOverrides(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (env.DATABASE_URL) out.ledger = { postgres: { url: env.DATABASE_URL } };
  const keys = env.FACILITATOR_PRIVATE_KEYS ?? env.FACILITATOR_PRIVATE_KEY;
  if (keys) out.signers = { privateKeys: splitList(keys) };
  if (env.PORT) out.port = /^\d+$/.test(env.PORT) ? Number(env.PORT) : env.PORT;
  if (env.HOST) out.host = env.HOST;
  if (env.INSTANCE_ID) out.instanceId = env.INSTANCE_ID;
  if (env.LOG_LEVEL) out.log = { level: env.LOG_LEVEL };
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_SERVICE_NAME) {
    out.telemetry = {
      ...(env.OTEL_EXPORTER_OTLP_ENDPOINT ? { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT } : {}),
      ...(env.OTEL_SERVICE_NAME ? { serviceName: env.OTEL_SERVICE_NAME } : {}),
    };
  }
  const networks: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = /^RPC_URL_(\d+)$/.exec(name);
    if (match && value) networks[`eip155:${match[1]}`] = { rpc: splitList(value) };
  }
  if (Object.keys(networks).length > 0) out.networks = networks;
  return out;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Objects merge key by key (`networks` per network); anything else in `over` replaces. */
function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = key !== 'ledger' && isRecord(current) && isRecord(value) ? merge(current, value) : value;
  }
  return out;
}
