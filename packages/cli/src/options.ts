/**
 * Flag and environment parsing shared by the commands. Every value is checked here, at the
 * edge, with a message that names the flag or variable it came from; commands then work on
 * typed values only.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Hex } from 'viem';
import { z } from 'zod';
import { UsageError } from './command.js';

/**
 * `node:util` `parseArgs` in strict mode; an unknown flag or a missing value becomes a
 * {@link UsageError} (exit code 2).
 *
 * @example
 * const { values } = parseFlags({ args, options: { port: { type: 'string' } } })
 */
export function parseFlags<const T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T & { strict: true }>> {
  try {
    return parseArgs({ ...config, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A 32-byte private key, `0x` + 64 hex digits. The value is never echoed in messages. */
export const PrivateKeySchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex digits (a 32-byte private key)')
  .transform((value): Hex => `0x${value.slice(2)}`);

/**
 * An integer flag or variable, or undefined when absent.
 *
 * @example parseInteger('4022', '--port') // 4022
 */
export function parseInteger(value: string | undefined, source: string): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!/^\d{1,15}$/.test(trimmed))
    throw new UsageError(`${source} must be a non-negative integer, got "${value}"`);
  return Number(trimmed);
}

/**
 * A comma-separated list (several private keys in one variable), blanks dropped.
 *
 * @example splitList('0xaa, 0xbb') // ['0xaa', '0xbb']
 */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}

/**
 * Turn validation issues into one message that names where each value came from.
 *
 * @example
 * describeIssues([{ path: ['port'], message: 'too big' }], { port: '--port' }) // '--port: too big'
 */
export function describeIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> | string; message: string }>,
  sources: Readonly<Record<string, string>>,
): string {
  return issues
    .map((issue) => {
      const path = typeof issue.path === 'string' ? issue.path : issue.path.map(String).join('.');
      const [head = '', ...rest] = path.split('.');
      const source = sources[head] ?? head;
      return `${rest.length > 0 ? `${source} (${rest.join('.')})` : source || '(options)'}: ${issue.message}`;
    })
    .join('; ');
}
