import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as lifetime from './authorization-lifetime.js';

describe('authorization lifetime', () => {
  it('allows now + maxTimeoutSeconds + the clock skew, and not a second more', () => {
    assert.equal(lifetime.AUTHORIZATION_LIFETIME_SKEW_SECONDS, 30);
    assert.equal(lifetime.latestAuthorizationExpiry(1_700_000_000, 300), 1_700_000_330n);
    const limit = { now: 1_700_000_000, lifetimeSeconds: 300 };
    assert.equal(lifetime.authorizationTooFar('validBefore', 1_700_000_330n, limit), undefined);
    assert.equal(
      lifetime.authorizationTooFar('validBefore', 1_700_000_331n, limit),
      'validBefore 1700000331 is 331 s away; this offer allows at most 300 s (maxTimeoutSeconds) + 30 s of clock skew: sign it at most now + maxTimeoutSeconds',
    );
  });

  it('names the lifetime it was given', () => {
    const message = lifetime.authorizationTooFar('deadline', 2_000n, {
      now: 0n,
      lifetimeSeconds: 60,
      why: 'GasFree',
    });
    assert.equal(
      message,
      'deadline 2000 is 2000 s away; this offer allows at most 60 s (GasFree) + 30 s of clock skew: sign it at most now + maxTimeoutSeconds',
    );
  });
});
