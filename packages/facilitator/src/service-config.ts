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
import { extname } from 'node:path';
import type { ChainModule } from '@x402kit/core';
import { isRecord } from '@x402kit/core/internal';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type ConfigIssue, FacilitatorConfigError } from './config.js';
import { defaultLedgerPath, LEDGER_FILE_NAME } from './data-dir.js';
import { createServiceConfigSchema, type ServiceConfig } from './service-config-schema.js';

export type { ApiKeyConfig, ConfiguredChain, ServiceConfig } from './service-config-schema.js';
export { createServiceConfigSchema } from './service-config-schema.js';

/** The embedded ledger's file name; without a `ledger` in the config it lives in the data directory (`data-dir.ts`). */
export const DEFAULT_LEDGER_PATH = LEDGER_FILE_NAME;

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
