import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePath, requestPath } from './normalize-path.js';

const ok = (target: string) => {
  const r = normalizePath(target);
  assert.ok(r.ok, `${target} should normalize, got ${JSON.stringify(r)}`);
  return r;
};
const refused = (target: string) => {
  const r = normalizePath(target);
  assert.equal(r.ok, false, `${target} should be refused, got ${JSON.stringify(r)}`);
  if (!r.ok) assert.equal(r.reason, 'invalid_path');
};

describe('requestPath', () => {
  it('cuts query and fragment, and keeps only the path of an absolute URL', () => {
    assert.equal(requestPath('/paid?x=1'), '/paid');
    assert.equal(requestPath('/paid#frag'), '/paid');
    assert.equal(requestPath('/paid?x=/y#z'), '/paid');
    assert.equal(requestPath('https://h.example:8443/a/b?c'), '/a/b');
    assert.equal(requestPath('http://h.example?x=/y'), '/');
    assert.equal(requestPath('http://h.example'), '/');
    assert.equal(requestPath(''), '/');
    assert.equal(requestPath('*'), '/*');
  });
});

describe('normalizePath', () => {
  it('leaves ordinary paths alone (fast path)', () => {
    assert.deepEqual(ok('/weather/paris.json'), { ok: true, path: '/weather/paris.json', variants: [] });
    assert.deepEqual(ok('/'), { ok: true, path: '/', variants: [] });
  });

  it('collapses duplicate and trailing slashes, drops "." segments, converts backslashes', () => {
    assert.equal(ok('//paid').path, '/paid');
    assert.equal(ok('/paid/').path, '/paid');
    assert.equal(ok('/a//b///').path, '/a/b');
    assert.equal(ok('/./paid/.').path, '/paid');
    assert.equal(ok('/\\paid').path, '/paid');
    assert.equal(ok('\\\\paid').path, '/paid');
    assert.equal(ok('/a\\b').path, '/a/b');
  });

  it('decodes each segment once and keeps case', () => {
    assert.equal(ok('/p%61id').path, '/paid');
    assert.equal(ok('/PAID').path, '/PAID');
    assert.equal(ok('/caf%C3%A9').path, '/café');
    assert.equal(ok('/a%2525b').path, '/a%25b');
  });

  it('reads an encoded separator both as a separator and inside its segment', () => {
    assert.deepEqual(ok('/api/a%2Fb'), { ok: true, path: '/api/a/b', variants: ['/api/a%2Fb'] });
    assert.deepEqual(ok('/api/a%5cb'), { ok: true, path: '/api/a/b', variants: ['/api/a%5Cb'] });
    assert.deepEqual(ok('/paid%2F'), { ok: true, path: '/paid', variants: ['/paid%2F'] });
  });

  it('reads matrix parameters both literally and stripped', () => {
    assert.deepEqual(ok('/paid;jsessionid=x'), { ok: true, path: '/paid;jsessionid=x', variants: ['/paid'] });
    assert.deepEqual(ok('/files/;x'), { ok: true, path: '/files/;x', variants: ['/files'] });
    assert.deepEqual(ok('/paid%3Bx'), { ok: true, path: '/paid;x', variants: ['/paid'] });
  });

  it('refuses ".." segments, literal or encoded', () => {
    refused('/free/../paid');
    refused('/..');
    refused('/free/%2e%2e/paid');
    refused('/paid%2F..%2Ffree');
    refused('/paid%5C..%5Cfree');
    refused('/a/..;x/b');
  });

  it('refuses malformed escapes and invalid UTF-8', () => {
    refused('/%ZZpaid');
    refused('/paid%');
    refused('/paid%2');
    refused('/%E0%A4%A');
    refused('/%C3%28');
  });

  it('refuses decoded control characters', () => {
    refused('/paid%00');
    refused('/paid%0a');
    refused('/pa%7Fid');
    refused('/paid\u0000');
  });

  it('ignores query and fragment', () => {
    assert.equal(ok('/paid?x=1').path, '/paid');
    assert.equal(ok('/paid#frag').path, '/paid');
    assert.equal(ok('/paid?a=%ZZ&b=..').path, '/paid');
  });
});
