import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentOutcome } from '../budget/budget.js';
import type { AnyPaymentPayload, SettleResponse } from '../protocol/schemas.js';
import { sendReportingOutcome } from './send-reporting-outcome.js';

const payload = { x402Version: 2 } as unknown as AnyPaymentPayload;
const receipt: SettleResponse = { success: true, transaction: '0xabc', network: 'eip155:84532' };

function recorder() {
  const reports: Array<{ payload: AnyPaymentPayload; outcome: PaymentOutcome; settlement?: SettleResponse }> =
    [];
  return {
    reports,
    client: {
      reportOutcome: async (p: AnyPaymentPayload, outcome: PaymentOutcome, settlement?: SettleResponse) => {
        reports.push({ payload: p, outcome, settlement });
      },
    },
  };
}

describe('sendReportingOutcome', () => {
  it('reports what the answer says, with its receipt, and returns the answer', async () => {
    const { client, reports } = recorder();
    const answer = await sendReportingOutcome(
      client,
      payload,
      async () => 'the answer',
      (a) => {
        assert.equal(a, 'the answer');
        return { outcome: 'paid', settlement: receipt };
      },
    );
    assert.equal(answer, 'the answer');
    assert.deepEqual(reports, [{ payload, outcome: 'paid', settlement: receipt }]);
  });

  it('reports unknown when sending throws (the payment may have left) and rethrows', async () => {
    const { client, reports } = recorder();
    const lost = new Error('socket hang up');
    await assert.rejects(
      sendReportingOutcome(
        client,
        payload,
        async () => {
          throw lost;
        },
        () => assert.fail('there is no answer to read'),
      ),
      (error) => error === lost,
    );
    assert.deepEqual(reports, [{ payload, outcome: 'unknown', settlement: undefined }]);
  });

  it('with pending steps, sends the same request again while the answer reads pending and reports the last one', async () => {
    const { client, reports } = recorder();
    const answers = ['pending', 'pending', 'settled'];
    let sent = 0;
    const answer = await sendReportingOutcome(
      client,
      payload,
      async () => answers[sent++]!,
      (a) => ({ outcome: a === 'settled' ? 'paid' : 'unknown' }),
      { limits: { maxRetries: 5, maxDelayMs: 0 }, isPending: (a) => a === 'pending', delayMs: () => 0 },
    );
    assert.equal(answer, 'settled');
    assert.equal(sent, 3);
    assert.deepEqual(reports, [{ payload, outcome: 'paid', settlement: undefined }]);
  });
});
