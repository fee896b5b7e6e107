import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Role, type Task, TaskState } from '@a2a-js/sdk';
import { readTaskPayment } from './task-payment.js';

const required = {
  x402Version: 2,
  resource: { url: 'a2a://agent/skill' },
  accepts: [
    {
      scheme: 'exact',
      network: 'eip155:84532',
      amount: '1000',
      asset: '0xa',
      payTo: '0xb',
      maxTimeoutSeconds: 60,
      extra: {},
    },
  ],
};

function task(metadata: Record<string, unknown>): Task {
  return {
    id: 't',
    contextId: 'c',
    status: {
      state: TaskState.TASK_STATE_INPUT_REQUIRED,
      timestamp: undefined,
      message: {
        messageId: 'm',
        contextId: 'c',
        taskId: 't',
        role: Role.ROLE_AGENT,
        parts: [],
        metadata,
        extensions: [],
        referenceTaskIds: [],
      },
    },
    artifacts: [],
    history: [],
    metadata: undefined,
  };
}

describe('readTaskPayment', () => {
  it('reads the status, the PaymentRequired, the receipts and the error of a task', () => {
    const receipt = {
      success: false,
      errorReason: 'invalid_exact_evm_signature',
      transaction: '',
      network: 'eip155:84532',
    };
    const payment = readTaskPayment(
      task({
        'x402.payment.status': 'payment-failed',
        'x402.payment.required': required,
        'x402.payment.receipts': [receipt, { not: 'a receipt' }],
        'x402.payment.error': 'INVALID_SIGNATURE',
      }),
    );
    assert.equal(payment.status, 'payment-failed');
    assert.equal(payment.required?.x402Version, 2);
    assert.deepEqual(payment.receipts, [receipt]);
    assert.equal(payment.error, 'INVALID_SIGNATURE');
  });
  it("ignores values that are not the spec's", () => {
    const payment = readTaskPayment(
      task({ 'x402.payment.status': 'paid', 'x402.payment.required': { accepts: 'no' } }),
    );
    assert.deepEqual(payment, { status: undefined, required: undefined, receipts: [], error: undefined });
    assert.deepEqual(readTaskPayment(undefined), payment);
  });
  it('reads a bare metadata object too', () => {
    assert.equal(readTaskPayment({ 'x402.payment.status': 'payment-submitted' }).status, 'payment-submitted');
  });
});
