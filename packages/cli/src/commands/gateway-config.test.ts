import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGatewayFile } from './gateway-config.js';

const HEAD = 'upstream: http://127.0.0.1:3000\nfacilitator: http://127.0.0.1:4022\n';
const PAY_TO = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';

function refusal(text: string): string {
  try {
    parseGatewayFile(text, 'g.yaml');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  assert.fail('expected the file to be refused');
}

describe('gateway config file', () => {
  it('fills each route from the top-level scheme, network and payTo; keeps accepts lists and asset prices', () => {
    const { config, port, host } = parseGatewayFile(
      `${HEAD}port: 4021\nnetwork: eip155:84532\npayTo: "${PAY_TO}"\nunlistedRoutes: refuse\nroutes:\n` +
        '  GET /weather/:city:\n    price: $0.001\n    description: weather\n' +
        '  POST /sum:\n    accepts:\n      - price: $0.01\n        extra: { assetTransferMethod: permit2 }\n' +
        '      - { scheme: upto, price: { amount: 50000, asset: "0xabc" } }\n',
      'g.yaml',
    );
    assert.equal(port, 4021);
    assert.equal(host, undefined);
    assert.equal(config.unlistedRoutes, 'refuse');
    assert.deepEqual(config.facilitator, { url: 'http://127.0.0.1:4022' });
    assert.deepEqual(config.routes['GET /weather/:city'], {
      accepts: [{ scheme: 'exact', network: 'eip155:84532', payTo: PAY_TO, price: '$0.001' }],
      description: 'weather',
    });
    assert.deepEqual(config.routes['POST /sum']?.accepts, [
      {
        scheme: 'exact',
        network: 'eip155:84532',
        payTo: PAY_TO,
        price: '$0.01',
        extra: { assetTransferMethod: 'permit2' },
      },
      { scheme: 'upto', network: 'eip155:84532', payTo: PAY_TO, price: { amount: '50000', asset: '0xabc' } },
    ]);
  });

  it('names the line and column of every mistake', () => {
    assert.match(refusal('upstream: [unclosed\n'), /^g\.yaml:\d+:\d+: Flow sequence/);
    assert.match(refusal(`${HEAD}routes: {}\nupstream: http://b\n`), /^g\.yaml:4:1: Map keys must be unique/);
    assert.match(refusal('just a string\n'), /^g\.yaml: expected a mapping/);
    assert.match(
      refusal(`${HEAD}routes:\n  GET /a:\n    price: $0.01\n    color: red\n`),
      /^g\.yaml:6:5: routes\.GET \/a: Unrecognized key: "color"/,
    );
    assert.match(
      refusal(`${HEAD}routes:\n  GET /a:\n    price: $0.01\n`),
      /^g\.yaml:4:3: routes\.GET \/a: no network/,
    );
    assert.match(
      refusal(`${HEAD}network: eip155:84532\nroutes:\n  GET /a:\n    price: $0.01\n`),
      /^g\.yaml:5:3: routes\.GET \/a: no payTo/,
    );
    assert.match(
      refusal(`${HEAD}routes:\n  GET /a:\n    description: x\n`),
      /^g\.yaml:4:3: routes\.GET \/a: a price \(or accepts\) is required/,
    );
    assert.match(
      refusal('upstream: ftp://x\nfacilitator: http://f\nroutes: {}\n'),
      /^g\.yaml:1:11: upstream: must be an http\(s\) URL/,
    );
    assert.match(refusal(`${HEAD}upstreamTimeoutMs: -1\nroutes: {}\n`), /^g\.yaml:3:20: upstreamTimeoutMs: /);
    assert.match(refusal(`${HEAD}unlistedRoutes: maybe\nroutes: {}\n`), /^g\.yaml:3:17: unlistedRoutes: /);
    assert.match(refusal(HEAD), /^g\.yaml:1:1: routes: /);
    assert.match(
      refusal(`${HEAD}network: n\npayTo: p\nroutes:\n  GET /a:\n    price: { amount: "1.5", asset: x }\n`),
      /^g\.yaml:7:22: routes\.GET \/a\.price\.amount: /,
    );
  });
});
