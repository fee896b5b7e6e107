/**
 * One spelling per JSON value: what identifies a payment however its header was written (key
 * order, spacing), for fingerprints and in-memory keys.
 */

/**
 * JSON with object keys sorted at every level; `undefined` members are dropped as `JSON.stringify`
 * does, and bigints are written as decimal strings.
 *
 * @example canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] }) // '{"a":[true,{"c":"x","d":null}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(Reflect.get(value, key));
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
