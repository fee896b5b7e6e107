import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodePaymentSignatureHeader } from '@x402kit/core';
import { readTokenBalance } from '@x402kit/devnet';
import { signExactSettlement } from '@x402kit/testing/exact-settlement';
import { failureMessage } from './fuzz-run.js';
import { type ApiFixture, resourceServerProperties, startApiFixture } from './resource-server-properties.js';

let fixture: ApiFixture;

before(async () => {
  fixture = await startApiFixture();
});
after(async () => {
  await fixture?.close();
});

describe('fuzz: resource server (payment handler behind a real HTTP server)', () => {
  it('control: the unchanged payment the properties mutate buys one answer, once', async () => {
    const { devnet, api, requirements } = fixture;
    const payment = await signExactSettlement(
      devnet.accounts.payer.privateKey,
      requirements,
      `${api.url}/weather`,
    );
    const header = { 'payment-signature': encodePaymentSignatureHeader(payment.payload) };
    const payer = () => readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address);
    const before = await payer();
    const calls = api.handlerCalls();
    const paid = await fetch(`${api.url}/weather`, { headers: header });
    assert.equal(paid.status, 200, await paid.clone().text());
    assert.deepEqual(await paid.json(), { report: { weather: 'sunny', temperature: 70 } });
    assert.equal(api.handlerCalls(), calls + 1);
    assert.equal(before - (await payer()), BigInt(requirements.amount));
    const replay = await fetch(`${api.url}/weather`, { headers: header });
    await replay.arrayBuffer();
    assert.ok(replay.status >= 400 && replay.status < 500, `a replay answered ${replay.status}`);
    assert.equal(api.handlerCalls(), calls + 1, 'a replay ran the handler again');
    assert.equal(before - (await payer()), BigInt(requirements.amount));
  });

  it('properties', async (t) => {
    for (const property of resourceServerProperties(fixture)) {
      await t.test(property.name, async () => {
        const report = await property.run();
        assert.ok(report.cases >= 1);
        assert.equal(report.failures, 0, failureMessage(report));
      });
    }
  });
});
