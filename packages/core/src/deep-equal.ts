/**
 * Structural equality for JSON-like values: key order ignored, `undefined` members dropped,
 * numbers and strings never coerced. This is how the reference server matches a client's
 * `accepted` against its own offers, so it must be exactly this strict.
 *
 * @example deepEqual({ a: 1, b: undefined }, { a: 1 }) // true
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  const ak = definedKeys(a as Record<string, unknown>);
  const bk = definedKeys(b as Record<string, unknown>);
  if (ak.length !== bk.length) return false;
  const br = b as Record<string, unknown>;
  const ar = a as Record<string, unknown>;
  return ak.every((k) => Object.hasOwn(br, k) && deepEqual(ar[k], br[k]));
}

function definedKeys(o: Record<string, unknown>): string[] {
  return Object.keys(o).filter((k) => o[k] !== undefined);
}
