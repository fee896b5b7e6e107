import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PaymentRequirements, ReconcileRecord, StoredPayment } from '@x402kit/core';
import { createExactPermitEvmReconciler } from './reconcile-exact-permit-evm.js';
import { createPermit2Reconciler } from './reconcile-permit2.js';

const NETWORK = 'eip155:84532';
const PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const TOKEN = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
// nothing listens here: any RPC call would fail the test
const rpc = { [NETWORK]: 'http://127.0.0.1:9' };

function payment(scheme: string, payload: Record<string, unknown>): StoredPayment {
  const requirements: PaymentRequirements = {
    scheme,
    network: NETWORK,
    amount: '1000',
    asset: TOKEN,
    payTo: PAYER,
    maxTimeoutSeconds: 60,
    extra: {},
  };
  return { x402Version: 2, payload: { x402Version: 2, accepted: requirements, payload }, requirements };
}

const record = (nonce: string): ReconcileRecord => ({
  key: { network: NETWORK, asset: TOKEN.toLowerCase(), payer: PAYER.toLowerCase(), nonce },
});

const permit2 = {
  signature: `0x${'ab'.repeat(65)}`,
  permit2Authorization: {
    from: PAYER,
    permitted: { token: TOKEN, amount: '1000' },
    spender: '0x402085c248EeA27D92E8b30b2C58ed07f9E20001',
    nonce: '7',
    deadline: '1700000000',
    witness: { to: PAYER, validAfter: '0' },
  },
};

describe('the Permit2 and exact_permit reconcilers leave what is not theirs alone, without asking the chain', () => {
  const reconcilePermit2 = createPermit2Reconciler({ rpc });
  const reconcileExactPermit = createExactPermitEvmReconciler({ rpc });

  it('an EIP-3009 payment (its key has no namespace)', async () => {
    const eip3009 = payment('exact', {
      signature: '0x',
      authorization: { from: PAYER, nonce: `0x${'11'.repeat(32)}` },
    });
    assert.equal(await reconcilePermit2(eip3009, record(`0x${'11'.repeat(32)}`)), undefined);
    assert.equal(await reconcileExactPermit(eip3009, record(`0x${'11'.repeat(32)}`)), undefined);
  });

  it('a key of another nonce space or another nonce than the payload', async () => {
    assert.equal(await reconcilePermit2(payment('exact', permit2), record('paymentpermit:7')), undefined);
    assert.equal(await reconcilePermit2(payment('exact', permit2), record('permit2:8')), undefined);
    assert.equal(await reconcileExactPermit(payment('exact', permit2), record('permit2:7')), undefined);
  });

  it('a network without an RPC URL', async () => {
    const elsewhere = payment('upto', permit2);
    elsewhere.requirements = { ...elsewhere.requirements, network: 'eip155:1' };
    assert.equal(await reconcilePermit2(elsewhere, record('permit2:7')), undefined);
  });
});
