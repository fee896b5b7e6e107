import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFacilitator, X402Error } from '@x402kit/core';
import { baseSepoliaUsdcRequirements, signatureScheme } from '@x402kit/testing/signature-scheme';
import { FacilitatorReasons } from './facilitator-reasons.js';
import { createFacilitatorService } from './service.js';
import type { ServiceRequestEvent } from './service-types.js';

const requirements = baseSepoliaUsdcRequirements();
const payload = {
  x402Version: 2,
  accepted: requirements,
  payload: { signature: '0x01', authorization: { from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' } },
};
const body = { x402Version: 2, paymentPayload: payload, paymentRequirements: requirements };

const fakeScheme = signatureScheme();

function createService(options: Partial<Parameters<typeof createFacilitatorService>[0]> = {}) {
  const facilitator = createFacilitator({ schemes: [{ networks: 'eip155:84532', facilitator: fakeScheme }] });
  return createFacilitatorService({ facilitator, ...options });
}

function post(path: string, value: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://facilitator.test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof value === 'string' ? value : JSON.stringify(value),
  });
}

async function json(response: Response): Promise<Record<string, unknown>> {
  assert.equal(response.headers.get('content-type'), 'application/json');
  const parsed: unknown = await response.json();
  assert.ok(typeof parsed === 'object' && parsed !== null);
  return { ...parsed };
}

async function expectError(
  response: Response,
  status: number,
  error: string,
  message?: RegExp,
): Promise<void> {
  assert.equal(response.status, status);
  const answer = await json(response);
  assert.equal(answer.error, error);
  assert.equal(typeof answer.message, 'string');
  if (message) assert.match(String(answer.message), message);
}

describe('createFacilitatorService', () => {
  it('verifies and settles through the engine', async () => {
    const service = createService();
    assert.deepEqual(await json(await service.fetch(post('/verify', body))), {
      isValid: true,
      payer: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    });
    const settled = await json(await service.fetch(post('/settle', body)));
    assert.equal(settled.success, true);
    assert.equal(settled.network, 'eip155:84532');
  });

  it('answers a refused payment with 200 and the reason, as the reference does', async () => {
    const service = createService();
    const bad = { ...body, paymentPayload: { ...payload, payload: { signature: '0x02' } } };
    const verify = await service.fetch(post('/verify', bad));
    assert.equal(verify.status, 200);
    assert.deepEqual(await json(verify), { isValid: false, invalidReason: 'invalid_exact_evm_signature' });
    const settle = await service.fetch(post('/settle', bad));
    assert.equal(settle.status, 200);
    assert.equal((await json(settle)).errorReason, 'invalid_exact_evm_signature');
    // a document that does not match the x402 schema is a refused payment too
    const malformed = await service.fetch(post('/verify', { ...body, paymentPayload: { x402Version: 2 } }));
    assert.equal(malformed.status, 200);
    assert.equal((await json(malformed)).invalidReason, 'invalid_payload');
    const version = await service.fetch(
      post('/verify', { ...body, paymentPayload: { ...payload, x402Version: 7 } }),
    );
    assert.equal((await json(version)).invalidReason, 'invalid_x402_version');
  });

  it('lists /supported', async () => {
    const answer = await json(await createService().fetch(new Request('http://facilitator.test/supported')));
    assert.deepEqual(answer.kinds, [
      { x402Version: 2, scheme: 'exact', network: 'eip155:84532' },
      { x402Version: 1, scheme: 'exact', network: 'base-sepolia' },
    ]);
    assert.deepEqual(answer.signers, { 'eip155:*': ['0x90F79bf6EB2c4f870365E785982E1f101E93b906'] });
  });

  it('answers /health', async () => {
    const service = createService();
    const response = await service.fetch(new Request('http://facilitator.test/health'));
    assert.equal(response.status, 200);
    assert.deepEqual(await json(response), { status: 'ok' });
    const sick = createService({ checkHealth: async () => ({ ok: false, details: { rpc: 'down' } }) });
    const answer = await sick.fetch(new Request('http://facilitator.test/health'));
    assert.equal(answer.status, 503);
    assert.equal((await json(answer)).rpc, 'down');
  });

  it('rejects malformed bodies with 400 invalid_request_body naming the problem', async () => {
    const service = createService();
    await expectError(
      await service.fetch(post('/verify', '{not json')),
      400,
      'invalid_request_body',
      /not valid JSON/,
    );
    await expectError(await service.fetch(post('/verify', '')), 400, 'invalid_request_body', /empty/);
    await expectError(
      await service.fetch(post('/settle', '[1,2]')),
      400,
      'invalid_request_body',
      /JSON object/,
    );
    await expectError(
      await service.fetch(post('/verify', { paymentRequirements: requirements })),
      400,
      'invalid_request_body',
      /^paymentPayload is missing/,
    );
    await expectError(
      await service.fetch(post('/settle', { paymentPayload: payload })),
      400,
      'invalid_request_body',
      /^paymentRequirements is missing/,
    );
    await expectError(
      await service.fetch(post('/verify', { ...body, paymentPayload: 'abc' })),
      400,
      'invalid_request_body',
      /^paymentPayload must be a JSON object, got the string "abc"/,
    );
    await expectError(
      await service.fetch(post('/verify', { ...body, paymentRequirements: [requirements] })),
      400,
      'invalid_request_body',
      /^paymentRequirements must be a JSON object, got an array/,
    );
    await expectError(
      await service.fetch(post('/verify', { ...body, x402Version: '2' })),
      400,
      'invalid_request_body',
      /^x402Version must be an integer/,
    );
    const noBody = new Request('http://facilitator.test/verify', { method: 'POST' });
    await expectError(await service.fetch(noBody), 400, 'invalid_request_body', /empty/);
  });

  it('rejects a non-JSON content type with 415', async () => {
    const response = await createService().fetch(
      post('/verify', JSON.stringify(body), { 'content-type': 'text/plain' }),
    );
    await expectError(response, 415, 'unsupported_media_type', /application\/json/);
    const ok = await createService().fetch(
      post('/verify', body, { 'content-type': 'application/json; charset=utf-8' }),
    );
    assert.equal(ok.status, 200);
  });

  it('rejects bodies over the limit with 413, counting bytes rather than trusting Content-Length', async () => {
    const service = createService({ bodyLimitBytes: 1024 });
    const big = { ...body, pad: 'x'.repeat(2000) };
    await expectError(
      await service.fetch(post('/verify', big)),
      413,
      'request_too_large',
      /limit is 1024 bytes/,
    );
    // a streamed body has no Content-Length: the bytes are counted as they arrive
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(512).fill(32));
        if (pulls > 1000) controller.close();
      },
    });
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    };
    const streamed = new Request('http://facilitator.test/settle', init);
    await expectError(await service.fetch(streamed), 413, 'request_too_large');
    assert.ok(pulls < 10, `reading stopped early (${pulls} chunks pulled)`);
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    const service = createService();
    await expectError(
      await service.fetch(new Request('http://facilitator.test/nope')),
      404,
      'not_found',
      /\/nope/,
    );
    const get = await service.fetch(new Request('http://facilitator.test/verify'));
    assert.equal(get.headers.get('allow'), 'POST');
    await expectError(get, 405, 'method_not_allowed');
    await expectError(await service.fetch(post('/supported', {})), 405, 'method_not_allowed');
    // /close exists only when enabled
    await expectError(await service.fetch(post('/close', {})), 404, 'not_found');
    // query strings and a trailing slash are ignored
    const supported = await service.fetch(new Request('http://facilitator.test/supported/?x=1'));
    assert.equal(supported.status, 200);
  });

  it('serves POST /close when enabled and calls onClose after answering', async () => {
    let closed = 0;
    const service = createService({ onClose: () => closed++ });
    const response = await service.fetch(post('/close', {}));
    assert.deepEqual(await json(response), { status: 'closing' });
    assert.equal(closed, 0);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(closed, 1);
  });

  it('runs authenticate before reading the body and reports the principal', async () => {
    const events: ServiceRequestEvent[] = [];
    const service = createService({
      authenticate: async (request) => {
        if (request.headers.get('x-api-key') === 'good') return { ok: true, principal: 'alice' };
        return { ok: false, status: 429, reason: 'rate_limited', message: 'slow down', retryAfterSeconds: 2 };
      },
      observe: (event) => events.push(event),
    });
    const refused = await service.fetch(post('/verify', '{not even json'));
    assert.equal(refused.headers.get('retry-after'), '2');
    await expectError(refused, 429, 'rate_limited', /slow down/);
    const ok = await service.fetch(post('/verify', body, { 'x-api-key': 'good' }));
    assert.equal(ok.status, 200);
    const health = await service.fetch(new Request('http://facilitator.test/health'));
    assert.equal(health.status, 200, '/health is never authenticated');
    assert.equal(events.length, 3);
    assert.deepEqual(
      events.map((e) => [e.endpoint, e.status, e.reason, e.principal, e.outcome]),
      [
        ['verify', 429, 'rate_limited', undefined, undefined],
        ['verify', 200, undefined, 'alice', 'valid'],
        ['health', 200, undefined, undefined, undefined],
      ],
    );
  });

  it('turns an unexpected exception into 500 unexpected_error and logs it', async () => {
    const logged: string[] = [];
    const service = createFacilitatorService({
      facilitator: {
        verify: async () => ({ isValid: true }),
        settle: async () => ({ success: true, transaction: '', network: 'eip155:1' }),
        supported: async () => {
          throw new Error('boom: secret detail');
        },
      },
      log: (e) => logged.push(`${e.level} ${e.message} ${String(e.data?.error)}`),
    });
    const response = await service.fetch(new Request('http://facilitator.test/supported'));
    assert.equal(response.status, 500);
    const answer = await json(response);
    assert.equal(answer.error, 'unexpected_error');
    assert.doesNotMatch(String(answer.message), /secret/);
    assert.equal(logged.length, 1);
    assert.match(logged[0] ?? '', /^error .*boom: secret detail/);
  });

  it('passes X402-Attempt to the engine, refuses a malformed one with 400, and serves POST /release', async () => {
    const attempts: Array<[string, string | undefined]> = [];
    const facilitator = createFacilitator({
      schemes: [{ networks: 'eip155:84532', facilitator: fakeScheme }],
      hooks: {
        afterVerify: (call) => {
          attempts.push(['verify', call.attempt]);
        },
        beforeSettle: (call) => {
          attempts.push(['settle', call.attempt]);
          return undefined;
        },
        onRelease: (call) => {
          attempts.push(['release', call.attempt]);
          return call.attempt === 'att_holder_0001';
        },
      },
    });
    const service = createFacilitatorService({ facilitator });
    const holder = { 'x402-attempt': 'att_holder_0001' };
    assert.equal((await json(await service.fetch(post('/verify', body, holder)))).isValid, true);
    assert.equal((await json(await service.fetch(post('/settle', body)))).success, true);
    assert.deepEqual(await json(await service.fetch(post('/release', body, holder))), { released: true });
    assert.deepEqual(await json(await service.fetch(post('/release', body))), { released: false });
    assert.deepEqual(attempts, [
      ['verify', 'att_holder_0001'],
      ['settle', undefined],
      ['release', 'att_holder_0001'],
    ]);
    for (const bad of ['short', 'x'.repeat(129), 'has space in it', 'semi;colon']) {
      await expectError(
        await service.fetch(post('/settle', body, { 'x402-attempt': bad })),
        400,
        'invalid_attempt',
      );
    }
    assert.equal(attempts.length, 3, 'a malformed attempt never reaches the engine');
  });

  it('validates its options', () => {
    assert.throws(() => createService({ bodyLimitBytes: 0 }), /bodyLimitBytes must be a positive integer/);
    assert.throws(
      () => createService({ bodyLimitBytes: 0 }),
      (error: unknown) =>
        error instanceof TypeError &&
        error instanceof X402Error &&
        error.reason === FacilitatorReasons.config,
    );
  });
});
