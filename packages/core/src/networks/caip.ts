/** CAIP-2 helpers: parse ids, match registration patterns like `eip155:*`. */

export type CaipParts = { namespace: string; reference: string };

/**
 * Split `namespace:reference`; returns undefined when the id is not CAIP-2 shaped.
 *
 * @example
 * ```ts
 * parseCaip2('eip155:8453') // { namespace: 'eip155', reference: '8453' }
 * ```
 */
export function parseCaip2(id: string): CaipParts | undefined {
  const i = id.indexOf(':');
  if (i < 3 || i === id.length - 1) return undefined;
  return { namespace: id.slice(0, i), reference: id.slice(i + 1) };
}

/**
 * The EVM chain id of an `eip155:N` network, or undefined.
 *
 * @example
 * ```ts
 * evmChainId('eip155:84532') // 84532
 * ```
 */
export function evmChainId(network: string): number | undefined {
  const parts = parseCaip2(network);
  if (parts?.namespace !== 'eip155' || !/^\d{1,15}$/.test(parts.reference)) return undefined;
  return Number(parts.reference);
}

/**
 * Does `network` match `pattern`? Patterns are exact ids or use `*` as a wildcard
 * (`eip155:*`, `*`), as in the reference SDK's registrations.
 *
 * @example
 * ```ts
 * matchesNetworkPattern('eip155:8453', 'eip155:*') // true
 * ```
 */
export function matchesNetworkPattern(network: string, pattern: string): boolean {
  if (pattern === network) return true;
  if (!pattern.includes('*')) return false;
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    if (patternCache.size < 1000) patternCache.set(pattern, re);
  }
  return re.test(network);
}

const patternCache = new Map<string, RegExp>();

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
