/**
 * The test endpoints as a Web handler with a deliberately LENIENT router: it decodes, lowercases,
 * strips matrix params and NULs, resolves dot segments and collapses slashes, so it serves the
 * paid handler for as many spellings of `/paid` as possible. If the payment middleware let any
 * of those through unpaid, the bypass tests would see paid content.
 */
import { setSettlementOverrides } from '@x402kit/http';
import { PAID_CONTENT } from './test-stack.js';

/** Handler hit counters, one per test endpoint. */
export type Hits = {
  free: number;
  paid: number;
  echo: number;
  broken: number;
  metered: number;
  city: number;
  files: number;
};

/**
 * Zeroed hit counters.
 *
 * @example const hits = newHits(); hits.paid // 0
 */
export const newHits = (): Hits => ({ free: 0, paid: 0, echo: 0, broken: 0, metered: 0, city: 0, files: 0 });

/**
 * Read a path the way the most forgiving server would.
 *
 * @example
 * lenientPath('/P%61ID;x=1/') // '/paid'
 */
export function lenientPath(url: string): string {
  const raw = url.replace(/^[a-z]+:\/\/[^/?#]*/i, '').split(/[?#]/)[0] ?? '/';
  let path = raw.replace(/\\/g, '/');
  try {
    path = decodeURIComponent(path);
  } catch {
    path = path.replace(/%[^0-9a-f]{0,2}/gi, '');
  }
  path = path
    .replace(/\\/g, '/')
    .replace(/\0/g, '')
    .replace(/;[^/]*/g, '')
    .toLowerCase();
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

/**
 * The test endpoints (see `testRoutes`) as a Web handler.
 *
 * @example
 * const app = createWebApp(hits);
 * serve((request) => payments.handle(request, app));
 */
export function createWebApp(hits: Hits): (request: Request) => Promise<Response> {
  return async (request) => {
    const path = lenientPath(request.url);
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (read && path === '/free') {
      hits.free++;
      return new Response('free');
    }
    if (read && path === '/paid') {
      hits.paid++;
      return Response.json({ content: PAID_CONTENT }, { headers: { 'x-handler': 'paid' } });
    }
    if (request.method === 'POST' && path === '/echo') {
      hits.echo++;
      return Response.json({ content: PAID_CONTENT, echo: await request.text() });
    }
    if (read && path === '/broken') {
      hits.broken++;
      return Response.json({ error: 'boom' }, { status: 500 });
    }
    if (read && path === '/metered') {
      hits.metered++;
      const response = new Response(PAID_CONTENT);
      setSettlementOverrides(response, { amount: '50%' });
      return response;
    }
    if (read && /^\/city\/[^/]+$/.test(path)) {
      hits.city++;
      return new Response(PAID_CONTENT);
    }
    if (read && (path === '/files' || path.startsWith('/files/'))) {
      hits.files++;
      return new Response(PAID_CONTENT);
    }
    return new Response('not found', { status: 404 });
  };
}
