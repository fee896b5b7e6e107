import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { BufferedResponse } from './buffered-response.js';
import { listen } from './node.js';
import {
  captureResponse,
  resetHeaders,
  snapshotHeaders,
  writeBufferedResponse,
  writePaymentReply,
} from './node-capture.js';

/** Serve one request: `write` produces the response while captured, `finish` writes the result. */
async function roundTrip(
  write: (res: ServerResponse) => void,
  finish: (res: ServerResponse, held: BufferedResponse) => void = writeBufferedResponse,
): Promise<{ held: BufferedResponse; response: Response }> {
  let held: BufferedResponse | undefined;
  const server = await listen((_req, res) => {
    const capture = captureResponse(res);
    write(res);
    void capture.done.then((h) => {
      held = h;
      assert.equal(res.headersSent, false, 'nothing reached the socket while captured');
      capture.release();
      finish(res, h);
    });
  });
  try {
    const response = await fetch(server.url);
    await response.clone().arrayBuffer();
    assert.ok(held);
    return { held, response };
  } finally {
    await server.close();
  }
}

describe('captureResponse', () => {
  it('holds writeHead (flat header arrays), write with callbacks and end, then replays them', async () => {
    let callbacks = 0;
    const { held, response } = await roundTrip((res) => {
      res.setHeader('x-early', 'e');
      res.writeHead(201, 'Made', ['x-a', '1', 'x-b', '2']);
      res.write('hello ', () => callbacks++);
      res.write(Buffer.from('wor'), 'utf8', () => callbacks++);
      res.end('ld', () => callbacks++);
    });
    assert.equal(held.status, 201);
    assert.equal(held.statusText, 'Made');
    assert.equal(new TextDecoder().decode(held.body ?? new Uint8Array()), 'hello world');
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-a'), '1');
    assert.equal(response.headers.get('x-early'), 'e');
    assert.equal(await response.text(), 'hello world');
    assert.equal(callbacks, 3);
  });

  it('holds a piped stream and an object-form writeHead', async () => {
    const { held, response } = await roundTrip((res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2'] });
      Readable.from(['a', 'b', 'c']).pipe(res);
    });
    assert.equal(new TextDecoder().decode(held.body ?? new Uint8Array()), 'abc');
    assert.deepEqual(response.headers.getSetCookie(), ['a=1', 'b=2']);
    assert.equal(await response.text(), 'abc');
  });

  it('reports a response without a body as null', async () => {
    const { held, response } = await roundTrip((res) => {
      res.statusCode = 204;
      res.end();
    });
    assert.equal(held.body, null);
    assert.equal(response.status, 204);
  });

  it('restores headers to a snapshot and merges the expose list on our own replies', async () => {
    const { response } = await roundTrip(
      (res) => {
        res.setHeader('Access-Control-Expose-Headers', 'X-Trace');
        res.setHeader('x-handler-secret', 'leak');
        res.end('secret');
      },
      (res) => {
        resetHeaders(res, { 'access-control-expose-headers': 'X-Trace' });
        writePaymentReply(res, {
          status: 402,
          headers: {
            'Content-Type': 'application/json',
            'Access-Control-Expose-Headers': 'PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE',
          },
          body: '{}',
        });
      },
    );
    assert.equal(response.status, 402);
    assert.equal(response.headers.get('x-handler-secret'), null);
    assert.equal(
      response.headers.get('access-control-expose-headers'),
      'X-Trace, PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE',
    );
    assert.equal(await response.text(), '{}');
  });

  it('release() gives back own methods installed by earlier middleware', async () => {
    const server = await listen((_req, res) => {
      const mine = res.end.bind(res);
      Object.assign(res, { end: mine });
      const capture = captureResponse(res);
      assert.notEqual(res.end, mine);
      capture.release();
      assert.equal(res.end, mine);
      assert.deepEqual(snapshotHeaders(res), {});
      res.end('ok');
    });
    try {
      assert.equal(await (await fetch(server.url)).text(), 'ok');
    } finally {
      await server.close();
    }
  });
});
