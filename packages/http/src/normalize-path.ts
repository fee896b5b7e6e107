/**
 * Request-path normalization for route matching. It FAILS CLOSED: a path that could reach a
 * protected handler through any encoding trick must match the protected route, and a path that
 * cannot be read unambiguously is refused instead of being waved through.
 *
 * Semantics (in this order):
 * 1. The query (`?...`) and fragment (`#...`) are cut off; an absolute URL keeps only its path.
 * 2. Raw backslashes become `/`.
 * 3. Each segment is percent-decoded on its own, strictly: a `%` not followed by two hex digits,
 *    or escapes that are not valid UTF-8, make the whole path invalid (`invalid_path`, HTTP 400).
 * 4. A decoded control character (`%00`-`%1F`, `%7F`) makes the path invalid.
 * 5. Empty segments (`//`, trailing `/`) and `.` segments are dropped.
 * 6. A `..` segment, literal or encoded, makes the path invalid: no honest client sends one
 *    (browsers and `fetch` resolve them) and resolving them is how paywalls get bypassed.
 * 7. Ambiguous spellings are kept as *variants* that are matched too, and the request is
 *    protected when ANY of them matches a protected route:
 *    - an encoded separator (`%2F`, `%5C`) is read both as a separator (`/a%2Fb` -> `/a/b`) and
 *      as a character inside its segment (`/a%2Fb` -> `/a%2Fb`, which `:param` and `*` match);
 *    - a `;` matrix parameter (`/paid;jsessionid=x`) is read both literally and stripped
 *      (`/paid`), because some servers strip it before routing and others do not.
 * Case is preserved here; route patterns match case-insensitively.
 */

/** A normalized request path, or the reason it was refused. */
export type NormalizedPath =
  | { ok: true; path: string; variants: readonly string[] }
  | { ok: false; reason: 'invalid_path'; message: string };

// Anything that needs the full algorithm: escapes, backslashes, matrix params, control
// characters, empty or dot segments, a trailing slash.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
const NEEDS_WORK = /[%\\;\u0000-\u001f\u007f]|\/\/|\/\.\.?(?:\/|$)|.\/$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we look for
const CONTROL = /[\u0000-\u001f\u007f]/;
const ENCODED_SEPARATOR = /%(?:2f|5c)/i;
const NO_VARIANTS: readonly string[] = Object.freeze([]);

/**
 * The path part of a request target: origin-form (`/a/b?q`) or absolute-form
 * (`https://host/a/b?q`). Query and fragment are removed; an empty path is `/`.
 *
 * @example
 * requestPath('https://api.example.com/paid?x=1') // '/paid'
 * requestPath('/paid#frag') // '/paid'
 */
export function requestPath(target: string): string {
  let start = 0;
  if (target.charCodeAt(0) !== 47 /* / */) {
    const scheme = target.indexOf('://');
    if (scheme > 0) {
      start = target.length;
      for (let i = scheme + 3; i < target.length; i++) {
        const c = target.charCodeAt(i);
        if (c === 47 || c === 63 /* ? */ || c === 35 /* # */) {
          start = i;
          break;
        }
      }
    }
  }
  let end = target.length;
  for (let i = start; i < end; i++) {
    const c = target.charCodeAt(i);
    if (c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  const path = target.slice(start, end);
  if (path.length === 0) return '/';
  return path.charCodeAt(0) === 47 ? path : `/${path}`;
}

/**
 * Normalize a request target for route matching (see the module comment for the rules).
 *
 * @example
 * normalizePath('//PAID/?x=1') // { ok: true, path: '/PAID', variants: [] }
 * normalizePath('/api/a%2Fb')  // { ok: true, path: '/api/a/b', variants: ['/api/a%2Fb'] }
 * normalizePath('/free/../paid') // { ok: false, reason: 'invalid_path', message: '...' }
 */
export function normalizePath(target: string): NormalizedPath {
  const raw = requestPath(target);
  if (!NEEDS_WORK.test(raw)) return { ok: true, path: raw, variants: NO_VARIANTS };

  const splitOptions = ENCODED_SEPARATOR.test(raw) ? [true, false] : [true];
  const stripOptions = raw.includes(';') || /%3b/i.test(raw) ? [false, true] : [false];
  let primary: string | undefined;
  const variants: string[] = [];
  for (const splitEncoded of splitOptions) {
    for (const stripMatrix of stripOptions) {
      const result = canonicalize(raw, splitEncoded, stripMatrix);
      if (!result.ok) return result;
      if (primary === undefined) primary = result.path;
      else if (result.path !== primary && !variants.includes(result.path)) variants.push(result.path);
    }
  }
  return { ok: true, path: primary ?? '/', variants };
}

function canonicalize(
  raw: string,
  splitEncoded: boolean,
  stripMatrix: boolean,
): { ok: true; path: string } | { ok: false; reason: 'invalid_path'; message: string } {
  const out: string[] = [];
  for (const rawSegment of raw.replace(/\\/g, '/').split('/')) {
    let segment = stripMatrix ? cutMatrix(rawSegment) : rawSegment;
    if (segment.includes('%')) {
      try {
        segment = decodeURIComponent(segment);
      } catch {
        return invalid(`the path segment "${truncate(rawSegment)}" has a malformed percent-escape`);
      }
      if (stripMatrix) segment = cutMatrix(segment);
    }
    if (CONTROL.test(segment))
      return invalid(`the path segment "${truncate(rawSegment)}" decodes to a control character`);
    const pieces = splitEncoded
      ? segment.split(/[/\\]/)
      : [segment.replace(/\//g, '%2F').replace(/\\/g, '%5C')];
    for (const piece of pieces) {
      if (piece === '' || piece === '.') continue;
      if (piece === '..') return invalid('the path contains a ".." segment');
      out.push(piece);
    }
  }
  return { ok: true, path: `/${out.join('/')}` };
}

function cutMatrix(segment: string): string {
  const i = segment.indexOf(';');
  return i < 0 ? segment : segment.slice(0, i);
}

function truncate(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

function invalid(message: string): { ok: false; reason: 'invalid_path'; message: string } {
  return { ok: false, reason: 'invalid_path', message };
}
