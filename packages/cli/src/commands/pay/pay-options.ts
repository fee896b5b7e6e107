/**
 * `x402kit pay`'s options, checked once at the edge: the URL, request, limits and payer keys, each
 * rejected with the flag (or variable) it came from in the message.
 */
import { parseBudgetLimit } from '@x402kit/core';
import { z } from 'zod';
import { UsageError } from '../../command.js';
import { describeIssues, PrivateKeySchema } from '../../options.js';
import { KEY_SOURCES, SolanaSecretKeySchema } from '../../payer-keys.js';

const PayOptions = z.object({
  url: z
    .string()
    .regex(/^https?:\/\//i, 'must be an http(s) URL')
    .refine((value) => URL.canParse(value), 'must be a valid URL'),
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, 'must be an HTTP method such as GET or POST')
    .transform((m) => m.toUpperCase())
    .optional(),
  headers: z.array(z.tuple([z.string(), z.string()])),
  data: z.string().optional(),
  maxAmount: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal amount such as 0.01')
    .optional(),
  json: z.boolean(),
  budget: z.array(z.string()).transform((specs, ctx) => {
    try {
      return specs.map(parseBudgetLimit);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  }),
  session: z
    .string()
    .regex(/^[\w.:-]{1,128}$/, 'must be 1-128 letters, digits, _ . : -')
    .optional(),
  dryRun: z.boolean(),
  timeoutSeconds: z.number().int().positive().max(3600),
  privateKey: PrivateKeySchema.optional(),
  solana: z
    .object({
      secretKey: SolanaSecretKeySchema,
      rpcUrl: z
        .string()
        .regex(/^https?:\/\//i, 'must be an http(s) URL')
        .refine((value) => URL.canParse(value), 'must be a valid URL'),
    })
    .optional(),
});

/** What `x402kit pay` was asked to do, checked. */
export type PayOptions = z.output<typeof PayOptions>;

const SOURCES = {
  url: '<url>',
  method: '--method',
  headers: '--header',
  data: '--data',
  maxAmount: '--max-amount',
  json: '--json',
  budget: '--budget',
  session: '--session (or X402KIT_SESSION)',
  dryRun: '--dry-run',
  timeoutSeconds: '--timeout',
  privateKey: '--private-key (or PRIVATE_KEY)',
  solana: 'Solana',
} as const;

const SOLANA_SOURCES = { secretKey: KEY_SOURCES.secretKey, rpcUrl: KEY_SOURCES.rpcUrl } as const;

/**
 * Check `pay`'s options as read from its flags and environment; every problem is one
 * {@link UsageError} (exit 2) naming where each bad value came from (the Solana key's issues
 * after the others), and a `/session` budget needs the session.
 *
 * @example
 * const options = parsePayOptions({ url, headers: [], json: false, budget: [], dryRun: false, timeoutSeconds: 60 })
 */
export function parsePayOptions(input: unknown): PayOptions {
  const parsed = PayOptions.safeParse(input);
  if (!parsed.success) {
    const solanaIssues = parsed.error.issues.filter((issue) => issue.path[0] === 'solana');
    const otherIssues = parsed.error.issues.filter((issue) => issue.path[0] !== 'solana');
    const messages = [
      ...(otherIssues.length > 0 ? [describeIssues(otherIssues, SOURCES)] : []),
      ...(solanaIssues.length > 0
        ? [
            describeIssues(
              solanaIssues.map((issue) => ({ ...issue, path: issue.path.slice(1) })),
              SOLANA_SOURCES,
            ),
          ]
        : []),
    ];
    throw new UsageError(messages.join('; '));
  }
  if (parsed.data.budget.some((l) => l.period === 'session') && parsed.data.session === undefined)
    throw new UsageError('a /session budget needs the session: pass --session <id> or set X402KIT_SESSION');
  return parsed.data;
}
