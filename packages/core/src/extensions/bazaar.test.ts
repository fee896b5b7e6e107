import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '../protocol/errors.js';
import type { PaymentPayload, PaymentRequirements } from '../protocol/schemas.js';
import {
  checkDiscovery,
  declareDiscovery,
  enrichDiscovery,
  isValidRouteTemplate,
  parseDiscoveryQuery,
  readDiscovery,
  routeTemplateOf,
} from './bazaar.js';

const requirements: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1000',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x1111111111111111111111111111111111111111',
  maxTimeoutSeconds: 60,
};
const payloadWith = (
  bazaar: unknown,
  url = 'https://api.example.com/weather/Paris?units=c',
): PaymentPayload => ({
  x402Version: 2,
  accepted: requirements,
  payload: {},
  resource: { url, description: 'weather', mimeType: 'application/json' },
  extensions: { bazaar, 'payment-identifier': { info: { required: false, id: 'pay_0123456789abcdef' } } },
});

describe('bazaar', () => {
  it('turns route patterns into templates, and only safe ones', () => {
    assert.equal(routeTemplateOf('/weather/:city'), '/weather/:city');
    assert.equal(routeTemplateOf('/users/[id]/posts/[post]'), '/users/:id/posts/:post');
    assert.equal(routeTemplateOf('/files/*'), '/files/:var1');
    assert.equal(routeTemplateOf('/weather'), undefined);
    assert.equal(routeTemplateOf('/*'), undefined);
    assert.equal(isValidRouteTemplate('/users/:id'), true);
    for (const bad of ['users/:id', '/a/../b', '/a/%2e%2e/b', '/a/%252e%252e', '/x/http://evil', '', 7])
      assert.equal(isValidRouteTemplate(bad), false, String(bad));
  });

  it('checks info against its own schema and the extension rules', () => {
    const declared = enrichDiscovery(
      declareDiscovery({
        input: { city: 'Paris' },
        inputSchema: { properties: { city: { type: 'string', minLength: 2 } }, required: ['city'] },
      }),
      { method: 'GET' },
    );
    assert.deepEqual(checkDiscovery(declared), []);
    const wrong = structuredClone(declared);
    (wrong.info.input as { queryParams: unknown }).queryParams = { city: 7 };
    assert.deepEqual(checkDiscovery(wrong), ['/input/queryParams/city: must be string']);
    const missing = structuredClone(declared);
    (missing.info.input as { queryParams: unknown }).queryParams = {};
    assert.deepEqual(checkDiscovery(missing), ['/input/queryParams: must have "city"']);
    assert.deepEqual(
      checkDiscovery({ ...declared, info: { input: { ...declared.info.input, method: 'TRACE' } } }),
      [
        'info.input.method must be one of GET, HEAD, DELETE, POST, PUT, PATCH',
        '/input/method: must be one of ["GET"]',
      ],
    );
    assert.deepEqual(checkDiscovery({ info: { input: { type: 'ftp' } }, schema: {} }), [
      'info.input.type must be "http" or "mcp", got "ftp"',
    ]);
    assert.deepEqual(checkDiscovery({ ...declared, schema: { $ref: 'https://evil.example/schema.json' } }), [
      'schema must not contain external $ref/$id references',
    ]);
    assert.deepEqual(checkDiscovery('x'), ['the declaration is not an object']);
  });

  it('reads a catalog entry: origin plus template, query dropped, only the bazaar declaration kept', () => {
    const declared = enrichDiscovery(declareDiscovery({ input: {} }), {
      method: 'GET',
      routeTemplate: '/weather/:city',
    });
    const at = new Date(5_000);
    const found = readDiscovery(payloadWith(declared), requirements, at);
    assert.ok(found.ok);
    assert.equal(found.resource.resource, 'https://api.example.com/weather/:city');
    assert.deepEqual(Object.keys(found.resource.extensions ?? {}), ['bazaar']);
    assert.equal(found.resource.lastUpdated, at.toISOString());
    assert.deepEqual(found.resource.accepts, [requirements]);
    // an unsafe template is ignored: the concrete path is used
    const poisoned = readDiscovery(
      payloadWith({ ...declared, routeTemplate: '/../admin' }),
      requirements,
      at,
    );
    assert.ok(poisoned.ok);
    assert.equal(poisoned.resource.resource, 'https://api.example.com/weather/Paris');
    assert.equal(Reflect.get(poisoned.resource.extensions?.bazaar as object, 'routeTemplate'), undefined);
    const invalid = readDiscovery(payloadWith({ info: {} }), requirements, at);
    assert.deepEqual(invalid, { ok: false, reason: 'info.input is missing' });
    assert.equal(readDiscovery(payloadWith(declared, 'not a url'), requirements, at).ok, false);
  });

  it('reads discovery queries and names the bad parameter', () => {
    assert.deepEqual(parseDiscoveryQuery(new URLSearchParams('')), { limit: 20, offset: 0 });
    assert.deepEqual(
      parseDiscoveryQuery(new URLSearchParams('type=mcp&limit=100&offset=3&network=eip155:1&x=y')),
      {
        type: 'mcp',
        limit: 100,
        offset: 3,
        network: 'eip155:1',
      },
    );
    for (const [query, name] of [
      ['limit=0', 'limit'],
      ['limit=1e3', 'limit'],
      ['offset=-2', 'offset'],
      ['type=rpc', 'type'],
      ['scheme=a&scheme=b', 'scheme'],
      ['payTo=', 'payTo'],
    ] as const) {
      assert.throws(
        () => parseDiscoveryQuery(new URLSearchParams(query)),
        (error: unknown) =>
          error instanceof X402Error &&
          error.reason === 'invalid_discovery_query' &&
          error.message.startsWith(`discovery query: "${name}"`),
        query,
      );
    }
  });
});
