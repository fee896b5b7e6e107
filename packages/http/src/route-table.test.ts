import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import { BYPASS_PATHS } from '@x402kit/testing/http-flow';
import {
  compileRoutes,
  matchRoute,
  type RouteConfig,
  type RouteLookup,
  type RoutesConfig,
} from './route-table.js';

const config = (price: string): RouteConfig => ({
  accepts: { scheme: 'exact', network: 'eip155:84532', payTo: '0xabc', price },
});

const table = compileRoutes({
  'GET /paid': config('$0.01'),
  'POST /orders': config('$0.02'),
  '/any-verb': config('$0.03'),
  'GET /weather/:city': config('$0.04'),
  'GET /users/[id]/posts/[post]': config('$0.05'),
  '/files/*': config('$0.06'),
  'GET /img/*.png': config('$0.07'),
  'GET /a.b+c(d)': config('$0.08'),
  'get /lower': config('$0.09'),
});

function key(lookup: RouteLookup): string | undefined {
  return lookup.type === 'protected' ? lookup.route.key : undefined;
}

describe('compileRoutes / matchRoute', () => {
  it('matches verbs: exact verb, any verb, GET covering HEAD', () => {
    assert.equal(key(matchRoute(table, 'GET', '/paid')), 'GET /paid');
    assert.equal(key(matchRoute(table, 'HEAD', '/paid')), 'GET /paid');
    assert.equal(key(matchRoute(table, 'get', '/paid')), 'GET /paid');
    assert.equal(matchRoute(table, 'POST', '/paid').type, 'unprotected');
    assert.equal(key(matchRoute(table, 'POST', '/orders')), 'POST /orders');
    assert.equal(matchRoute(table, 'GET', '/orders').type, 'unprotected');
    for (const verb of ['GET', 'POST', 'DELETE', 'OPTIONS', 'PATCH'])
      assert.equal(key(matchRoute(table, verb, '/any-verb')), '/any-verb');
    assert.equal(key(matchRoute(table, 'GET', '/lower')), 'get /lower');
  });

  it('matches case-insensitively and keeps parameter case', () => {
    const hit = matchRoute(table, 'GET', '/WEATHER/Paris');
    assert.equal(hit.type, 'protected');
    if (hit.type !== 'protected') return;
    assert.deepEqual(hit.params, { city: 'Paris' });
    assert.equal(hit.path, '/WEATHER/Paris');
  });

  it('supports :param and [param] segments, one segment each', () => {
    const hit = matchRoute(table, 'GET', '/users/7/posts/x%20y');
    assert.equal(
      hit.type === 'protected' && JSON.stringify(hit.params),
      JSON.stringify({ id: '7', post: 'x y' }),
    );
    assert.equal(matchRoute(table, 'GET', '/weather').type, 'unprotected');
    assert.equal(matchRoute(table, 'GET', '/weather/a/b').type, 'unprotected');
  });

  it('matches a param route through an encoded slash (the segment reading)', () => {
    const hit = matchRoute(table, 'GET', '/weather/a%2Fb');
    assert.equal(hit.type, 'protected');
    assert.equal(hit.type === 'protected' && hit.params.city, 'a%2Fb');
  });

  it('supports wildcards: a trailing /* covers the prefix and everything below', () => {
    for (const p of ['/files', '/files/', '/files/a', '/files/a/b/c', '/FILES/x'])
      assert.equal(key(matchRoute(table, 'PUT', p)), '/files/*', p);
    assert.equal(matchRoute(table, 'GET', '/filesx').type, 'unprotected');
    assert.equal(key(matchRoute(table, 'GET', '/img/cat.png')), 'GET /img/*.png');
    assert.equal(key(matchRoute(table, 'GET', '/img/a/b.png')), 'GET /img/*.png');
    assert.equal(matchRoute(table, 'GET', '/img/cat.gif').type, 'unprotected');
  });

  it('escapes regex characters in literal segments', () => {
    assert.equal(key(matchRoute(table, 'GET', '/a.b+c(d)')), 'GET /a.b+c(d)');
    assert.equal(matchRoute(table, 'GET', '/aXb+c(d)').type, 'unprotected');
  });

  it('first declared route wins', () => {
    const t = compileRoutes({ '/x/*': config('$1'), 'GET /x/y': config('$2') });
    assert.equal(key(matchRoute(t, 'GET', '/x/y')), '/x/*');
  });

  it('a single RouteConfig protects everything', () => {
    const t = compileRoutes(config('$0.01'));
    assert.equal(key(matchRoute(t, 'GET', '/')), '*');
    assert.equal(key(matchRoute(t, 'POST', '/deep/path')), '*');
    assert.equal(key(matchRoute(compileRoutes({ '*': config('$1') }), 'GET', '/z')), '*');
  });

  it('reports an unreadable path as invalid', () => {
    assert.equal(matchRoute(table, 'GET', '/%ZZ').type, 'invalid');
    assert.equal(matchRoute(table, 'GET', '/free/../paid').type, 'invalid');
  });

  it('never lets a spelling of a protected path through', () => {
    for (const path of BYPASS_PATHS) {
      const lookup = matchRoute(table, 'GET', path);
      assert.ok(lookup.type !== 'unprotected', `${path} was unprotected`);
    }
  });

  it('flags fixed-price routes as static', () => {
    const t = compileRoutes({
      '/a': config('$1'),
      '/b': { accepts: { scheme: 'exact', network: 'eip155:1', payTo: () => '0x1', price: '$1' } },
    });
    assert.deepEqual(
      t.routes.map((r) => r.isStatic),
      [true, false],
    );
  });

  it('rejects bad route tables with the key in the message', () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ 'GE-T /x': config('$1') }, /"GE-T" is not an HTTP method/],
      [{ 'GET x': config('$1') }, /must start with "\/"/],
      [{ '/x/:': config('$1') }, /invalid parameter name/],
      [{ '/x/[a': config('$1') }, /without "]"/],
      [{ '/x/:a/:a': config('$1') }, /appears twice/],
      [{ '/x/../y': config('$1') }, /cannot contain/],
      [{ '/x': { accepts: [] } }, /at least one payment option/],
      [
        { '/x': { accepts: { scheme: '', network: 'n', payTo: 'p', price: '1' } } },
        /scheme must be a non-empty string/,
      ],
      [{ '/x': { accepts: { scheme: 's', network: 'n', payTo: 'p' } } }, /price is required/],
      [{ '/x': { ...config('$1'), settle: 'before' } }, /settle must be/],
    ];
    for (const [routes, message] of bad) {
      assert.throws(
        // deliberately malformed input: the cast is what a JavaScript caller gets away with
        () => compileRoutes(routes as RoutesConfig),
        (e: unknown) =>
          e instanceof X402Error && e.reason === 'invalid_route_config' && message.test(e.message),
        JSON.stringify(Object.keys(routes)),
      );
    }
  });
});
