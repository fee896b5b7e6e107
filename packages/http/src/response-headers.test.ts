import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXPOSE_HEADERS_VALUE, mergeExposeHeaders } from './response-headers.js';

describe('mergeExposeHeaders', () => {
  it('adds only the missing x402 headers, case-insensitively', () => {
    assert.equal(mergeExposeHeaders(undefined), EXPOSE_HEADERS_VALUE);
    assert.equal(mergeExposeHeaders(''), EXPOSE_HEADERS_VALUE);
    assert.equal(mergeExposeHeaders('X-Request-Id'), `X-Request-Id, ${EXPOSE_HEADERS_VALUE}`);
    assert.equal(
      mergeExposeHeaders('payment-required, X-A'),
      'payment-required, X-A, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE',
    );
    assert.equal(mergeExposeHeaders(EXPOSE_HEADERS_VALUE), EXPOSE_HEADERS_VALUE);
  });
});
