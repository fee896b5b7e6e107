import assert from 'node:assert/strict';
import { encodeBase64 } from '@x402kit/core';
import { errorOf, flowTest } from '@x402kit/testing/http-flow';

flowTest('answers malformed payment headers with a 402 naming the problem, never 500', async (app) => {
  const { hits } = app;
  const url = app.at;
  const cases: Array<[string, string, RegExp]> = [
    ['garbage base64', '!!!not*base64!!!', /not standard base64/],
    ['oversized', 'A'.repeat(17 * 1024), /limit is 16384/],
    ['base64 of non-JSON', encodeBase64('hello, world'), /not standard base64 of a JSON document/],
    [
      'JSON of the wrong shape',
      encodeBase64(JSON.stringify({ x402Version: 2, hello: 'x' })),
      /does not match the x402 schema/,
    ],
    ['unknown version', encodeBase64(JSON.stringify({ x402Version: 3 })), /does not match the x402 schema/],
    ['empty', ' ', /empty/],
  ];
  const paidHits = hits.paid;
  for (const [what, value, message] of cases) {
    for (const header of ['PAYMENT-SIGNATURE', 'X-PAYMENT']) {
      const res = await fetch(url('/paid'), { headers: { [header]: value } });
      assert.equal(res.status, 402, `${what} in ${header}`);
      const error = errorOf(res) ?? '';
      assert.match(error, /^invalid_payment_header: /, `${what} in ${header}`);
      assert.match(error, message, `${what} in ${header}`);
    }
  }
  assert.equal(hits.paid, paidHits);
});
