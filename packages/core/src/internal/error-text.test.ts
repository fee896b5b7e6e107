import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorText } from './error-text.js';

describe('errorText', () => {
  it("prefers a library error's short message, else the message, else the value", () => {
    const viemLike = Object.assign(new Error('HTTP request failed.\n\nURL: http://x\nRequest body: {…}'), {
      shortMessage: 'HTTP request failed.',
    });
    assert.equal(errorText(viemLike), 'HTTP request failed.');
    assert.equal(errorText(new Error('boom')), 'boom');
    assert.equal(errorText(Object.assign(new Error('kept'), { shortMessage: '' })), 'kept');
    assert.equal(errorText('plain'), 'plain');
    assert.equal(errorText(42), '42');
  });
});
