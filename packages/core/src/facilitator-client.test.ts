/**
 * The HTTP facilitator client against real servers on 127.0.0.1: the attempt header it sends, and
 * which failures leave a settle call's outcome unknown (the resource server then answers pending).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import {
  ATTEMPT_HEADER,
  createAttemptId,
  createHttpFacilitatorClient,
  isOutcomeUnknown,
} from './facilitator-client.js';
import type { PaymentPayload, PaymentRequirements } from './protocol/schemas.js';

const requirements: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  payTo: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  maxTimeoutSeconds: 60,
};
const payload: PaymentPayload = { x402Version: 2, accepted: requirements, payload: {} };

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

async function serve(handle: (req: IncomingMessage, res: import('node:http').ServerResponse) => void) {
  const server = createServer(handle);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function settleError(url: string): Promise<unknown> {
  const client = createHttpFacilitatorClient({ url, maxRetries: 0, timeoutMs: 500 });
  return client.settle(payload, requirements).then(
    () => assert.fail('expected a failure'),
    (error: unknown) => error,
  );
}

describe('createHttpFacilitatorClient', () => {
  it('sends the attempt id in X402-Attempt on verify, settle and release', async () => {
    const attempts: Array<[string, string | undefined]> = [];
    const url = await serve((req, res) => {
      attempts.push([req.url ?? '', req.headers[ATTEMPT_HEADER] as string | undefined]);
      res.setHeader('content-type', 'application/json');
      if (req.url === '/verify') res.end(JSON.stringify({ isValid: true }));
      else if (req.url === '/release') res.end(JSON.stringify({ released: true }));
      else res.end(JSON.stringify({ success: true, transaction: '0x1', network: requirements.network }));
    });
    const client = createHttpFacilitatorClient({ url });
    const attempt = createAttemptId();
    assert.match(attempt, /^att_[0-9a-f]{32}$/);
    await client.verify(payload, requirements, { attempt });
    await client.settle(payload, requirements, { attempt });
    assert.deepEqual(await client.release?.(payload, requirements, { attempt }), { released: true });
    await client.settle(payload, requirements);
    assert.deepEqual(attempts, [
      ['/verify', attempt],
      ['/settle', attempt],
      ['/release', attempt],
      ['/settle', undefined],
    ]);
  });

  it('leaves the outcome unknown after a reset, a 5xx or a timeout; known after a refused connection or a 4xx', async () => {
    const reset = await serve((req) => req.socket.destroy());
    const bad = await serve((_req, res) => {
      res.statusCode = 502;
      res.end('<html>bad gateway</html>');
    });
    const slow = await serve(() => {});
    const refused4xx = await serve((_req, res) => {
      res.statusCode = 401;
      res.end('{"error":"unauthorized"}');
    });
    const closed = await serve(() => {});
    servers.at(-1)?.close();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(isOutcomeUnknown(await settleError(reset)), true, 'reset');
    assert.equal(isOutcomeUnknown(await settleError(bad)), true, '502');
    assert.equal(isOutcomeUnknown(await settleError(slow)), true, 'timeout');
    assert.equal(isOutcomeUnknown(await settleError(refused4xx)), false, '401');
    assert.equal(isOutcomeUnknown(await settleError(closed)), false, 'connection refused');
  });
});
