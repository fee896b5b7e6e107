/**
 * The schema of a facilitator deployment's configuration (see `service-config.ts` for how the file,
 * the environment and flags are merged): the service's own sections, `apiKeys` and `monitoring`, and
 * the sections of the chain modules it is given, each owned by one module.
 */
import { hostname } from 'node:os';
import {
  type ChainModule,
  chainAddressKey,
  httpUrl,
  ms,
  privateKey,
  Reasons,
  X402Error,
} from '@x402kit/core';
import { z } from 'zod';
import { DEFAULT_FACILITATOR_PORT } from './config.js';
import { defaultLedgerPath } from './data-dir.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './service-types.js';

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
  const { sectionShape, owner } = chainSections(chains);
  const sectionKeys = [...owner.keys()];
  return z
    .strictObject({
      ...serviceShape,
      apiKeys: apiKeysSchema(chains),
      monitoring: monitoringSchema(chains),
      ...sectionShape,
    })
    .superRefine((config, ctx) => requireServedChain(chains, sectionKeys, config, ctx))
    .transform((config): ServiceConfig => toServiceConfig(chains, owner, config));
}

/**
 * The config sections of the chain modules, optional each, and which module owns each one.
 * Throws when two modules (or a module and the service) claim one section.
 */
function chainSections(chains: readonly ChainModule[]) {
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
  return { sectionShape, owner };
}

/** `monitoring`: the reading interval and one low-balance threshold per chain's native unit. */
function monitoringSchema(chains: readonly ChainModule[]) {
  return z
    .strictObject({
      intervalMs: z.number().int().min(100).default(30_000),
      ...Object.fromEntries(chains.map((m) => [`lowBalance${m.balanceUnit}`, amount.optional()])),
    })
    .prefault({});
}

/** `apiKeys`: who may call, restricted to payees and assets that are addresses of a served chain. */
function apiKeysSchema(chains: readonly ChainModule[]) {
  const address = z
    .string()
    .refine(
      (value) => chainAddressKey(chains, value) !== undefined,
      `must be an address of a served chain (${chains.map((m) => m.family).join(', ')})`,
    );
  return z
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
}

/** The file as parsed, before it becomes a {@link ServiceConfig}. */
type ParsedFile = ServiceSections & { apiKeys: ApiKeyConfig[]; monitoring: unknown };

/** At least one chain module must be configured, with private keys when one of them settles from them. */
function requireServedChain(
  chains: readonly ChainModule[],
  sectionKeys: readonly string[],
  config: ParsedFile,
  ctx: z.RefinementCtx,
): void {
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
}

/** The service's sections, the chains' sections by name, and the chain modules the file turns on. */
function toServiceConfig(
  chains: readonly ChainModule[],
  owner: Map<string, string>,
  config: ParsedFile,
): ServiceConfig {
  const sections: Record<string, unknown> = {};
  for (const key of owner.keys())
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
