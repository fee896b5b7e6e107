import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readTokenBalance } from '@x402kit/devnet';
import { signExactSettlement } from '@x402kit/testing/exact-settlement';
import { facilitatorProperties, type ServiceFixture, startServiceFixture } from './facilitator-properties.js';
import { failureMessage } from './fuzz-run.js';

let fixture: ServiceFixture;

before(async () => {
  fixture = await startServiceFixture();
});
after(async () => {
  await fixture?.close();
});

describe('fuzz: facilitator service /verify and /settle on a devnet', () => {
  it('control: the unchanged payment the properties mutate is valid and settles exactly once', async () => {
    const { devnet, service, requirements } = fixture;
    const payment = await signExactSettlement(
      devnet.accounts.payer.privateKey,
      requirements,
      'http://fuzz.test/paid',
    );
    const post = async (endpoint: string) => {
      const response = await service.fetch(
        new Request(`http://facilitator.test/${endpoint}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: payment.body,
        }),
      );
      const body: unknown = await response.json();
      assert.ok(typeof body === 'object' && body !== null);
      return { status: response.status, ...body };
    };
    const payer = () => readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address);
    assert.deepEqual(await post('verify'), { status: 200, isValid: true, payer: payment.from });
    const before = await payer();
    const settled = await post('settle');
    assert.equal(Reflect.get(settled, 'success'), true, JSON.stringify(settled));
    assert.equal(before - (await payer()), 1000n);
    const replay = await post('settle');
    assert.notEqual(Reflect.get(replay, 'success'), true, 'a replay settled again');
    assert.equal(before - (await payer()), 1000n);
  });

  it('properties', async (t) => {
    for (const property of facilitatorProperties(fixture)) {
      await t.test(property.name, async () => {
        const report = await property.run();
        assert.ok(report.cases >= 1);
        assert.equal(report.failures, 0, failureMessage(report));
      });
    }
  });
});
