import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listen, serve, toWebRequest } from './node.js';

describe('node adapter', () => {
  it('serves a Web handler and streams request and response bodies', async () => {
    const { url, close } = await serve(async (request) => {
      const text = await request.text();
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(new TextEncoder().encode(`${request.method} `));
          c.enqueue(new TextEncoder().encode(text));
          c.close();
        },
      });
      return new Response(body, {
        status: 201,
        headers: [
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
          ['x-one', '1'],
        ],
      });
    });
    try {
      const res = await fetch(`${url}/x?y=1`, { method: 'PUT', body: 'payload' });
      assert.equal(res.status, 201);
      assert.equal(await res.text(), 'PUT payload');
      assert.deepEqual(res.headers.getSetCookie(), ['a=1', 'b=2']);
      assert.equal(res.headers.get('x-one'), '1');
    } finally {
      await close();
    }
  });

  it('answers 500 without crashing when the Web handler throws', async () => {
    const { url, close } = await serve(() => {
      throw new Error('boom');
    });
    try {
      const res = await fetch(url);
      assert.equal(res.status, 500);
      assert.deepEqual(await res.json(), { error: 'internal_error' });
    } finally {
      await close();
    }
  });

  it('builds the Request URL from Host and req.url, and does not read the body until asked', async () => {
    let seen: { url: string; bodyUsed: boolean; readable: boolean } | undefined;
    const { url, close } = await listen((req, res) => {
      const request = toWebRequest(req);
      seen = {
        url: request.url,
        bodyUsed: request.bodyUsed,
        readable: !req.readableEnded && req.readableLength === 0,
      };
      void request.text().then((t) => res.end(t));
    });
    try {
      const res = await fetch(`${url}/a/b?c=d`, { method: 'POST', body: 'xyz' });
      assert.equal(await res.text(), 'xyz');
      assert.equal(seen?.url, `${url}/a/b?c=d`);
      assert.equal(seen?.bodyUsed, false);
    } finally {
      await close();
    }
  });
});
