import { readFileSync } from 'node:fs';

/**
 * The version of the `x402kit` package, read from its package.json (one level above both
 * `src/` and `dist/`).
 *
 * @example readVersion() // '0.1.0'
 */
export function readVersion(): string {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  const json: unknown = JSON.parse(text);
  const version = typeof json === 'object' && json !== null ? Reflect.get(json, 'version') : undefined;
  return typeof version === 'string' ? version : 'unknown';
}
