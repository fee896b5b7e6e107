import assert from 'node:assert/strict';
import { flowTest } from '@x402kit/testing/http-flow';

flowTest(
  'keeps headers set by earlier middleware and merges the CORS expose list',
  async (app) => {
    const res = await fetch(app.at('/paid'));
    assert.equal(res.status, 402);
    assert.equal(res.headers.get('x-pre'), 'yes');
    const expose = res.headers.get('access-control-expose-headers') ?? '';
    assert.match(expose, /X-Request-Id/);
    assert.match(expose, /PAYMENT-REQUIRED/);
    assert.match(expose, /PAYMENT-RESPONSE/);
  },
  { only: (a) => a.preHeaders },
);
