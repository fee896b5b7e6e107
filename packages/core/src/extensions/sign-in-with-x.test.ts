import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeBase64 } from '../protocol/codec.js';
import {
  checkSiwxFields,
  createSiwxChallenge,
  createSiwxProof,
  encodeSiwxHeader,
  parseSiwxHeader,
  type SiwxPayload,
  solanaSiwxSigner,
  verifySolanaSiwx,
} from './sign-in-with-x.js';
import { authenticateSiwx } from './sign-in-with-x-server.js';
import { createMemorySiwxStore } from './sign-in-with-x-store.js';

const SOLANA = 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1';
const ORIGIN = 'https://api.example.com';

async function signedIn(path = '/article') {
  const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const signer = await solanaSiwxSigner(keys);
  const challenge = createSiwxChallenge({ origin: ORIGIN, path, networks: [SOLANA, 'eip155:8453'] });
  const proof = await createSiwxProof(challenge, signer, `${ORIGIN}${path}`);
  assert.ok(proof);
  return { signer, proof, header: encodeSiwxHeader(proof) };
}

describe('sign-in-with-x', () => {
  it('grants a payer once per nonce, and refuses one who never paid', async () => {
    const store = createMemorySiwxStore();
    const { signer, header } = await signedIn();
    const options = { origin: ORIGIN, path: '/article', verifiers: { solana: verifySolanaSiwx }, store };
    assert.deepEqual(await authenticateSiwx(header, options), {
      ok: false,
      reason: 'siwx_not_paid',
      message: `${signer.address} has not paid for /article`,
    });
    const again = await signedIn();
    store.recordPayment('/article', again.signer.address);
    assert.deepEqual(await authenticateSiwx(again.header, options), {
      ok: true,
      address: again.signer.address,
    });
    const replay = await authenticateSiwx(again.header, options);
    assert.equal(replay.ok ? '' : replay.reason, 'invalid_siwx_nonce');
    const other = await authenticateSiwx((await signedIn()).header, { ...options, verifiers: {} });
    assert.equal(other.ok ? '' : other.reason, 'invalid_siwx_unsupported_chain');
  });

  it('a capped nonce memory never lets a forgotten nonce pass again', () => {
    let t = 1_000_000;
    const store = createMemorySiwxStore({ maxNonces: 2, now: () => t });
    assert.equal(store.useNonce('a', t + 100), true);
    assert.equal(store.useNonce('b', t + 300), true);
    assert.equal(store.useNonce('c', t + 200), true); // past the cap: 'a', expiring first, is forgotten
    assert.equal(store.useNonce('a', t + 100), false, 'the forgotten nonce is refused, not replayable');
    assert.equal(store.useNonce('d', t + 50), false, 'a nonce expiring before the forgotten one may be it');
    assert.equal(store.useNonce('b', t + 300), false, 'remembered nonces are refused as always');
    assert.equal(store.useNonce('e', t + 400), true, 'a fresh proof, expiring later, still signs in');
    assert.equal(store.useNonce('c', t + 200), false, "'c' was forgotten for 'e': refused");
    t += 350; // 'b' expired: dropped, and its proof could no longer pass
    assert.equal(store.useNonce('b', t - 50), false);
    assert.equal(store.useNonce('f', t + 300), true);
    assert.equal(store.useNonce('f', t + 300), false);
  });

  it('checks domain, uri, times; parses only well-formed headers', async () => {
    const { proof } = await signedIn();
    const expect = { origin: ORIGIN, path: '/article' };
    const reason = (p: SiwxPayload, e: Parameters<typeof checkSiwxFields>[1] = expect) =>
      checkSiwxFields(p, e)?.reason;
    assert.equal(reason(proof), undefined);
    assert.equal(reason({ ...proof, domain: 'api.example.com:8443' }), 'invalid_siwx_domain_mismatch');
    assert.equal(reason({ ...proof, uri: 'https://api.example.com/other' }), 'invalid_siwx_uri_mismatch');
    assert.equal(reason({ ...proof, uri: 'http://api.example.com/article' }), 'invalid_siwx_uri_mismatch');
    assert.equal(reason({ ...proof, issuedAt: 'yesterday' }), 'invalid_siwx_issued_at');
    assert.equal(
      reason({ ...proof, issuedAt: new Date(Date.now() + 60_000).toISOString() }),
      'invalid_siwx_issued_at_in_future',
    );
    assert.equal(
      reason(proof, { ...expect, now: () => Date.now() + 6 * 60_000 }),
      'invalid_siwx_issued_at_too_old',
    );
    assert.equal(
      reason(proof, { ...expect, now: () => Date.now() + 301_000, maxAgeMs: 600_000 }),
      'invalid_siwx_expired',
    );
    assert.equal(
      reason({ ...proof, notBefore: new Date(Date.now() + 60_000).toISOString() }),
      'invalid_siwx_not_yet_valid',
    );
    assert.deepEqual(parseSiwxHeader(encodeSiwxHeader(proof)), proof);
    for (const bad of [
      '',
      '***',
      encodeBase64('not json'),
      encodeBase64(JSON.stringify({ ...proof, type: 'rsa' })),
    ])
      assert.throws(() => parseSiwxHeader(bad), { reason: 'invalid_siwx_header' });
  });

  it('does not sign a challenge bound to another origin', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const challenge = createSiwxChallenge({ origin: 'https://evil.example', path: '/a', networks: [SOLANA] });
    await assert.rejects(createSiwxProof(challenge, await solanaSiwxSigner(keys), `${ORIGIN}/a`), {
      reason: 'invalid_siwx_uri_mismatch',
    });
    assert.throws(() => createSiwxChallenge({ origin: `${ORIGIN}/path`, path: '/a', networks: [] }), {
      reason: 'invalid_siwx_uri_mismatch',
    });
  });
});
