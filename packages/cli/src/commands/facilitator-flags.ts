/**
 * The flags of `x402kit facilitator` without a config file (`--rpc <network>=<url>`, `--private-key`),
 * checked on their own first so that a mistake is explained by the flag that carried it.
 */
import { evmChainId, httpUrl, privateKey, toCaip2 } from '@x402kit/core';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_FACILITATOR_PORT,
  FacilitatorConfigError,
} from '@x402kit/facilitator';
import { z } from 'zod';

const rpc = z
  .record(z.string(), z.union([httpUrl, z.array(httpUrl).min(1, 'give at least one URL')]))
  .superRefine((value, ctx) => {
    const keys = Object.keys(value);
    if (keys.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: 'give at least one network=url pair, e.g. eip155:84532=http://127.0.0.1:8545',
      });
    }
    for (const key of keys) {
      const network = toCaip2(key);
      if (network === undefined || evmChainId(network) === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `"${key}" is not an EVM network; use eip155:<chainId> or a v1 name such as base-sepolia`,
        });
      }
    }
  })
  .transform((value) => {
    const out: Record<string, string[]> = {};
    for (const [key, urls] of Object.entries(value)) {
      const network = toCaip2(key) ?? key;
      const list = out[network] ?? [];
      for (const url of typeof urls === 'string' ? [urls] : urls) if (!list.includes(url)) list.push(url);
      out[network] = list;
    }
    return out;
  });

/**
 * The schema of {@link FacilitatorConfig}; its input is what the CLI gathers from flags and env.
 *
 * @example
 * const result = FacilitatorConfigSchema.safeParse({ rpc: { 'eip155:84532': url }, privateKeys: [key] })
 */
export const FacilitatorConfigSchema = z.object({
  port: z.number().int().min(0).max(65535).default(DEFAULT_FACILITATOR_PORT),
  host: z.string().min(1).default('127.0.0.1'),
  /** RPC URLs per network, keyed by CAIP-2 id once parsed (v1 names are accepted as input). */
  rpc,
  privateKeys: z.array(privateKey).min(1, 'give at least one facilitator private key'),
  bodyLimitBytes: z.number().int().positive().default(DEFAULT_BODY_LIMIT_BYTES),
  /** Serve `POST /close` (for the x402 e2e harness). */
  enableClose: z.boolean().default(false),
});

/** Validated flags. */
export type FacilitatorConfig = z.output<typeof FacilitatorConfigSchema>;
/** What {@link parseFacilitatorConfig} accepts. */
export type FacilitatorConfigInput = z.input<typeof FacilitatorConfigSchema>;

/**
 * Validate the flags. Throws `FacilitatorConfigError` naming each bad field.
 *
 * @example
 * const config = parseFacilitatorConfig({ rpc: { 'base-sepolia': 'http://127.0.0.1:8545' }, privateKeys: [key] })
 * config.rpc // { 'eip155:84532': ['http://127.0.0.1:8545'] }
 */
export function parseFacilitatorConfig(input: unknown): FacilitatorConfig {
  const parsed = FacilitatorConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new FacilitatorConfigError(
    parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
  );
}
