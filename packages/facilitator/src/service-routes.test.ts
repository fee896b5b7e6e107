import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonReply } from './service-replies.js';
import { createServiceApp, createServiceRouter, type ServiceRouteEntry } from './service-routes.js';

const answer = (name: string) => async () => jsonReply(200, JSON.stringify({ name }));
const entries: ServiceRouteEntry[] = [
  { method: 'POST', path: '/verify', endpoint: 'verify', answer: answer('verify') },
  { method: 'GET', path: '/supported', endpoint: 'supported', answer: answer('supported') },
  { method: 'ALL', path: '/verify', endpoint: 'verify', answer: answer('verify 405') },
  { method: 'ALL', path: '/payments', endpoint: 'payments', answer: answer('payments') },
  { method: 'ALL', path: '/payments/*', endpoint: 'payments', answer: answer('payments') },
];

describe('createServiceRouter', () => {
  it('finds the first entry for a method and path, HEAD as GET, prefixes with their subpaths', () => {
    const find = createServiceRouter(entries);
    assert.equal(find('POST', '/verify'), entries[0]);
    assert.equal(find('GET', '/verify'), entries[2]);
    assert.equal(find('HEAD', '/supported'), entries[1]);
    assert.equal(find('GET', '/payments'), entries[3]);
    assert.equal(find('DELETE', '/payments/0xabc/1'), entries[4]);
    assert.equal(find('GET', '/paymentsx'), undefined);
    assert.equal(find('GET', '/nope'), undefined);
  });
});

describe('createServiceApp', () => {
  it('dispatches each route with the path without query or trailing slash, and the rest as not found', async () => {
    const seen: Array<[string, string, string | undefined]> = [];
    const app = createServiceApp(entries, async (exchange, path, entry) => {
      seen.push([exchange.method, path, entry?.endpoint]);
      return entry
        ? entry.answer({
            exchange,
            path,
            event: { endpoint: entry.endpoint, method: '', path, status: 0, durationMs: 0 },
          })
        : jsonReply(404, '{}');
    });
    const supported = await app.fetch(new Request('http://f.local/supported/?x=1'));
    assert.deepEqual(await supported.json(), { name: 'supported' });
    const head = await app.fetch(new Request('http://f.local/supported', { method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    assert.equal((await app.fetch(new Request('http://f.local/nope'))).status, 404);
    assert.deepEqual(seen, [
      ['GET', '/supported', 'supported'],
      ['HEAD', '/supported', 'supported'],
      ['GET', '/nope', undefined],
    ]);
  });
});
