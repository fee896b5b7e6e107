/**
 * The subset of JSON Schema (2020-12) a facilitator needs to check a bazaar declaration's `info`
 * against its own `schema`: `type`, `const`, `enum`, `required`, `properties`,
 * `additionalProperties`, `items`, `minLength`/`maxLength`, `pattern`, `minimum`/`maximum`. Other
 * keywords are ignored (as a non-strict validator does); a `$ref` or `$id` that points outside the
 * document is refused, so checking never fetches anything.
 */
import { deepEqual } from '../deep-equal.js';

const MAX_DEPTH = 32;

/**
 * The places where `value` fails `schema`, as `path: problem` lines; empty when it passes.
 *
 * @example checkJsonSchema({ type: 'object', required: ['a'] }, {}) // ['(root): must have "a"']
 */
export function checkJsonSchema(schema: Record<string, unknown>, value: unknown): string[] {
  if (hasExternalRef(schema, 0)) return ['schema must not contain external $ref/$id references'];
  const errors: string[] = [];
  check(schema, value, '', errors, 0);
  return errors;
}

function hasExternalRef(node: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return true;
  if (Array.isArray(node)) return node.some((item) => hasExternalRef(item, depth + 1));
  if (typeof node !== 'object' || node === null) return false;
  for (const [key, value] of Object.entries(node)) {
    if ((key === '$ref' || key === '$id') && (typeof value !== 'string' || !value.startsWith('#')))
      return true;
    if (hasExternalRef(value, depth + 1)) return true;
  }
  return false;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function check(schema: unknown, value: unknown, path: string, errors: string[], depth: number): void {
  if (typeof schema !== 'object' || schema === null || depth > MAX_DEPTH) return;
  const s = schema as Record<string, unknown>;
  const at = path === '' ? '(root)' : path;
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    const actual = typeOf(value);
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) {
      errors.push(`${at}: must be ${types.join(' or ')}`);
      return;
    }
  }
  if ('const' in s && !deepEqual(s.const, value)) errors.push(`${at}: must be ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, value)))
    errors.push(`${at}: must be one of ${JSON.stringify(s.enum)}`);
  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && value.length < s.minLength)
      errors.push(`${at}: must be at least ${s.minLength} characters`);
    if (typeof s.maxLength === 'number' && value.length > s.maxLength)
      errors.push(`${at}: must be at most ${s.maxLength} characters`);
    if (typeof s.pattern === 'string') {
      let re: RegExp | undefined;
      try {
        re = new RegExp(s.pattern, 'u');
      } catch {
        errors.push(`${at}: the schema's pattern is not a regular expression`);
      }
      if (re && !re.test(value)) errors.push(`${at}: must match ${s.pattern}`);
    }
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) errors.push(`${at}: must be >= ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) errors.push(`${at}: must be <= ${s.maximum}`);
  }
  if (Array.isArray(value) && typeof s.items === 'object' && s.items !== null) {
    value.forEach((item, i) => {
      check(s.items, item, `${path}/${i}`, errors, depth + 1);
    });
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (Array.isArray(s.required)) {
      for (const name of s.required)
        if (typeof name === 'string' && !(name in record)) errors.push(`${at}: must have "${name}"`);
    }
    const properties =
      typeof s.properties === 'object' && s.properties !== null
        ? (s.properties as Record<string, unknown>)
        : {};
    for (const [name, child] of Object.entries(record)) {
      if (name in properties) check(properties[name], child, `${path}/${name}`, errors, depth + 1);
      else if (s.additionalProperties === false) errors.push(`${at}: must not have "${name}"`);
      else if (typeof s.additionalProperties === 'object')
        check(s.additionalProperties, child, `${path}/${name}`, errors, depth + 1);
    }
  }
}
