/**
 * The configuration of a facilitator deployment (`x402kit facilitator --config facilitator.yaml`):
 * a YAML or JSON file, overridden by environment variables, overridden by explicit values (CLI
 * flags), validated once with zod. Errors name the field's path
 * (`networks["eip155:84532"].rpc[0]: must be an http(s) URL`) and never echo a value.
 *
 * The service knows no chain: the chain modules it is given (each chain package's `chain-module`
 * export) own their sections of the file (`networks` and `evm` for EVM chains, one section per other
 * chain ...), their environment variables and their `monitoring.lowBalance<Unit>` threshold; a
 * deployment configures at least one of them.
 *
 * Environment variables of the service: `DATABASE_URL` (PostgreSQL ledger), `FACILITATOR_PRIVATE_KEY` /
 * `FACILITATOR_PRIVATE_KEYS` (comma-separated; else `EVM_PRIVATE_KEY`), `PORT`, `HOST`, `INSTANCE_ID`, `LOG_LEVEL`,
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_SERVICE_NAME`; the chain modules add theirs.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { extname } from 'node:path';
import {
  type ChainModule,
  chainAddressKey,
  httpUrl,
  ms,
  privateKey,
  Reasons,
  X402Error,
} from '@x402kit/core';
import { isRecord } from '@x402kit/core/internal';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type ConfigIssue, DEFAULT_FACILITATOR_PORT, FacilitatorConfigError } from './config.js';
import { defaultLedgerPath, LEDGER_FILE_NAME } from './data-dir.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './service-types.js';

/** The embedded ledger's file name; without a `ledger` in the config it lives in the data directory (`data-dir.ts`). */
export const DEFAULT_LEDGER_PATH = LEDGER_FILE_NAME;

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL');
const perMinute = z.number().int().positive();
/** A native-coin amount in the chain's smallest unit (wei, SUN, lamports), as a whole number. */
const amount = z
  .union([z.string().regex(/^\d+$/, 'must be a whole number'), z.number().int().nonnegative()])
  .transform((value) => BigInt(value));

const LedgerSchema = z.union([
  z.strictObject({ sqlite: z.strictObject({ path: z.string().min(1) }) }),
  z.strictObject({ postgres: z.strictObject({ url: postgresUrl, schema: z.string().min(1).optional() }) }),
]);

/** The sections every deployment has, whatever chains it serves. */
const serviceShape = {
  port: z.number().int().min(0).max(65535).default(DEFAULT_FACILITATOR_PORT),
  host: z.string().min(1).default('127.0.0.1'),
  /** The secp256k1 settlement keys of the chains that take them (one key is an account on each such chain). */
  signers: z.strictObject({ privateKeys: z.array(privateKey) }).default({ privateKeys: [] }),
  // durable by default: a SQLite file in the user's data directory (':memory:' is allowed, with a warning);
  // loadServiceConfig resolves the directory from the environment it is given
  ledger: LedgerSchema.default(() => ({ sqlite: { path: defaultLedgerPath({}) } })),
  instanceId: z.string().min(1).default(`${hostname()}-${process.pid}`),
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
      /** A cap on the gas of every settlement, for the chains that meter gas. */
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
};

type ServiceSections = z.output<z.ZodObject<typeof serviceShape>>;

/** A chain module the configuration turns on, with its parsed sections. */
export type ConfiguredChain = {
  module: ChainModule;
  /** The module's own sections, parsed by its schemas (absent ones are missing). */
  sections: Record<string, unknown>;
};

/** One API key: who may call, for which payees and assets, how often. */
export type ApiKeyConfig = {
  key: string;
  name: string;
  payTo?: string[] | undefined;
  assets?: string[] | undefined;
  rateLimitPerMinute?: number | undefined;
};

/** A validated deployment configuration. */
export type ServiceConfig = Omit<ServiceSections, 'anonymous'> & {
  apiKeys: ApiKeyConfig[];
  anonymous: { allowed: boolean; rateLimitPerMinute?: number; trustProxy?: boolean };
  /** Relayer readings every `intervalMs`; below `lowBalance<Unit>` of a chain a warning is logged. */
  monitoring: { intervalMs: number; [threshold: `lowBalance${string}`]: bigint | undefined };
  /** Every chain module's sections as parsed (`networks`, `evm` ...), by section name. */
  sections: Record<string, unknown>;
  /** The modules this configuration turns on, in the order they were given. */
  chains: ConfiguredChain[];
  /** Fee tables and the like that a chain module owns may also sit here (`fees`). */
};

/**
 * The schema of a configuration file (after environment overrides) for these chain modules.
 * Throws when two modules claim one section (a programming error, not a configuration one).
 *
 * @example
 * createServiceConfigSchema([evmChain]).parse({ networks: { 'eip155:84532': { rpc: ['http://127.0.0.1:8545'] } }, signers: { privateKeys: [key] } })
 */
export function createServiceConfigSchema(chains: readonly ChainModule[]): z.ZodType<ServiceConfig, unknown> {
  const sectionShape: Record<string, z.ZodType> = {};
  const owner = new Map<string, string>();
  for (const module of chains) {
    for (const [key, schema] of Object.entries(module.sections)) {
      const taken =
        key in serviceShape || key === 'apiKeys' || key === 'monitoring' ? 'the service' : owner.get(key);
      if (taken !== undefined)
        throw new X402Error(
          Reasons.invalidArgument,
          `chain module ${module.family}: the config section "${key}" belongs to ${taken}`,
        );
      owner.set(key, module.family);
      sectionShape[key] = schema.optional();
    }
  }
  const address = z
    .string()
    .refine(
      (value) => chainAddressKey(chains, value) !== undefined,
      `must be an address of a served chain (${chains.map((m) => m.family).join(', ')})`,
    );
  const monitoring = z
    .strictObject({
      intervalMs: z.number().int().min(100).default(30_000),
      ...Object.fromEntries(chains.map((m) => [`lowBalance${m.balanceUnit}`, amount.optional()])),
    })
    .prefault({});
  const apiKeys = z
    .array(
      z.strictObject({
        key: z.string().min(8, 'must be at least 8 characters'),
        name: z.string().min(1),
        payTo: z.array(address).optional(),
        assets: z.array(address).optional(),
        rateLimitPerMinute: perMinute.optional(),
      }),
    )
    .default([]);
  const sectionKeys = [...owner.keys()];
  return z
    .strictObject({ ...serviceShape, apiKeys, monitoring, ...sectionShape })
    .superRefine((config, ctx) => {
      const on = chains.filter((module) => module.configured(sectionsOf(config, module)));
      if (on.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: sectionKeys.length > 0 ? [sectionKeys[0] as string] : [],
          message:
            chains.length === 0
              ? 'no chain module was given to the service'
              : `configure at least one chain: a ${listOf(chains.map((m) => Object.keys(m.sections)[0] ?? m.family))} section`,
        });
      }
      const needKeys = on.filter((module) => module.needsPrivateKeys);
      if (needKeys.length > 0 && config.signers.privateKeys.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['signers', 'privateKeys'],
          message: `give at least one private key (${needKeys.map((m) => m.family).join(' and ')} settle from it)`,
        });
      }
    })
    .transform((config): ServiceConfig => {
      const sections: Record<string, unknown> = {};
      for (const key of sectionKeys)
        if ((config as Record<string, unknown>)[key] !== undefined)
          sections[key] = (config as Record<string, unknown>)[key];
      const service = Object.fromEntries(Object.entries(config).filter(([key]) => !owner.has(key)));
      return {
        ...(service as Omit<ServiceSections, 'anonymous'>),
        apiKeys: config.apiKeys,
        monitoring: config.monitoring as ServiceConfig['monitoring'],
        anonymous: {
          allowed: config.anonymous.allowed ?? config.apiKeys.length === 0,
          ...(config.anonymous.rateLimitPerMinute === undefined
            ? {}
            : { rateLimitPerMinute: config.anonymous.rateLimitPerMinute }),
          ...(config.anonymous.trustProxy === undefined ? {} : { trustProxy: config.anonymous.trustProxy }),
        },
        sections,
        chains: chains
          .map((module) => ({ module, sections: sectionsOf(config, module) }))
          .filter(({ module, sections }) => module.configured(sections)),
      };
    });
}

/** A module's sections out of the parsed file. */
function sectionsOf(config: Record<string, unknown>, module: ChainModule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(module.sections)) if (config[key] !== undefined) out[key] = config[key];
  return out;
}

function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** Options of `loadServiceConfig`. */
export type LoadServiceConfigOptions = {
  /** The chains the deployment may serve; the file turns on those it configures. */
  chains: readonly ChainModule[];
  /** A `.yaml`, `.yml` or `.json` file. */
  file?: string;
  /** The environment (the CLI passes `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values that win over the file and the environment (CLI flags), same shape as the file. */
  overrides?: Record<string, unknown>;
};

/** What {@link parseServiceConfig} needs besides the input. */
export type ParseServiceConfigOptions = {
  /** The chains the deployment may serve. */
  chains: readonly ChainModule[];
};

/**
 * Read, merge and validate. Throws {@link FacilitatorConfigError} (paths like `signers.privateKeys[0]`).
 *
 * @example
 * const config = await loadServiceConfig({ file: 'facilitator.yaml', env: process.env, chains: [evmChain, otherChain] })
 */
export async function loadServiceConfig(options: LoadServiceConfigOptions): Promise<ServiceConfig> {
  const base = options.file === undefined ? {} : await readConfigFile(options.file);
  const env = options.env ?? {};
  let merged = merge(merge(base, envOverrides(env, options.chains)), options.overrides ?? {});
  for (const module of options.chains) if (module.envDefaults) merged = module.envDefaults(merged, env);
  if (merged.ledger === undefined)
    merged = { ...merged, ledger: { sqlite: { path: defaultLedgerPath(env) } } };
  return parseServiceConfig(merged, { chains: options.chains });
}

const schemas = new WeakMap<readonly ChainModule[], z.ZodType<ServiceConfig, unknown>>();

/**
 * Validate a configuration object.
 *
 * @example
 * parseServiceConfig({ networks: { 'eip155:84532': { rpc: ['http://x'] } }, signers: { privateKeys: [k] } }, { chains: [evmChain] })
 */
export function parseServiceConfig(input: unknown, options: ParseServiceConfigOptions): ServiceConfig {
  let schema = schemas.get(options.chains);
  if (!schema) {
    schema = createServiceConfigSchema(options.chains);
    schemas.set(options.chains, schema);
  }
  const parsed = schema.safeParse(input);
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

/** The overrides the environment gives, in the file's shape: the service's variables, then each chain module's. */
export function envOverrides(
  env: Readonly<Record<string, string | undefined>>,
  chains: readonly ChainModule[] = [],
): Record<string, unknown> {
  let out: Record<string, unknown> = {};
  if (env.DATABASE_URL) out.ledger = { postgres: { url: env.DATABASE_URL } };
  // EVM_PRIVATE_KEY: what the x402 e2e harness sets, used when no FACILITATOR_PRIVATE_KEY(S) is
  const keys = (env.FACILITATOR_PRIVATE_KEYS ?? env.FACILITATOR_PRIVATE_KEY) || env.EVM_PRIVATE_KEY;
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
  for (const module of chains) if (module.envOverrides) out = merge(out, module.envOverrides(env));
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
