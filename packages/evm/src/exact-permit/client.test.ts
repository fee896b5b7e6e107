import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import {
  buildPaymentPermitDomain,
  buildPaymentPermitTypedData,
  createPaymentPermitContext,
  ExactPermitReasons,
  PAYMENT_PERMIT_ADDRESSES,
  parsePaymentPermit,
} from '@x402kit/payment-permit';
import { bscExactPermitRequirements } from '@x402kit/testing/exact-permit-requirements';
import { recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createExactPermitEvmClient, signExactPermit } from './client.js';

const account = privateKeyToAccount('0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318');
const FACILITATOR = '0x90F79bf6EB2c4f870365E785982E1f101E93b906';
const requirements = bscExactPermitRequirements({
  name: 'Tether USD',
  version: '1',
  fee: { feeTo: FACILITATOR, feeAmount: '100', caller: FACILITATOR },
});
const context = createPaymentPermitContext({ now: 1_800_000_000 });
const extensions = { paymentPermitContext: context };

describe('createExactPermitEvmClient', () => {
  it('signs the permit from the context and the fee, in BofAI wire shape', async () => {
    const client = createExactPermitEvmClient({ signer: account });
    const { payload } = await client.createPaymentPayload(requirements, { x402Version: 2, extensions });
    assert.deepEqual(Object.keys(payload), ['signature', 'paymentPermit']);
    assert.deepEqual(payload.paymentPermit, {
      meta: { ...context.meta },
      buyer: account.address,
      caller: FACILITATOR,
      payment: { payToken: requirements.asset, payAmount: requirements.amount, payTo: requirements.payTo },
      fee: { feeTo: FACILITATOR, feeAmount: '100' },
    });
    const typed = buildPaymentPermitTypedData(
      buildPaymentPermitDomain(97, PAYMENT_PERMIT_ADDRESSES['eip155:97'] ?? '0x'),
      parsePaymentPermit(payload.paymentPermit),
    );
    assert.match(String(payload.signature), /^0x[0-9a-f]{130}$/);
    const signature = String(payload.signature);
    assert.ok(signature.startsWith('0x'));
    assert.equal(
      await recoverTypedDataAddress({ ...typed, signature: `0x${signature.slice(2)}` }),
      account.address,
    );
  });

  it('refuses without paymentPermitContext (BofAI: missing_context)', async () => {
    await assert.rejects(
      signExactPermit(account, requirements, {}),
      (e: unknown) => e instanceof X402Error && e.reason === ExactPermitReasons.missingContext,
    );
  });

  it('refuses an offer without a fee caller: the permit could never be settled', async () => {
    await assert.rejects(
      signExactPermit(account, { ...requirements, extra: {} }, extensions),
      (e: unknown) => e instanceof X402Error && e.reason === ExactPermitReasons.missingFee,
    );
  });

  it('refuses an offer on a network that is not eip155 (invalid_network)', async () => {
    await assert.rejects(
      signExactPermit(account, { ...requirements, network: 'tron:nile' }, extensions),
      (e: unknown) => e instanceof X402Error && e.reason === 'invalid_network' && /tron:nile/.test(e.message),
    );
  });

  it('lets tools edit the permit before signing', async () => {
    const signed = await signExactPermit(account, requirements, extensions, {
      editPermit: (p) => ({ ...p, fee: { ...p.fee, feeAmount: '1' } }),
    });
    assert.equal(signed.paymentPermit.fee.feeAmount, '1');
  });
});
