import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExactEvmScheme as OfficialExactEvmClient } from '@x402/evm/exact/client';
import { type PaymentRequirements, Reasons, X402Error } from '@x402kit/core';
import { getAddress, recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { buildTransferWithAuthorizationTypedData } from '../eip3009.js';
import { createExactEvmClient, signExactEvmAuthorization } from './client.js';

const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const USDC = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const requirements: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '1000',
  asset: USDC,
  payTo: '0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc',
  maxTimeoutSeconds: 300,
  extra: { name: 'USDC', version: '2' },
};

describe('exact EVM client', () => {
  it('builds the section 5.2 payload: checksummed payTo, amount, now-600 .. now+maxTimeout, 32-byte nonce', async () => {
    const client = createExactEvmClient({ signer: account });
    assert.equal(client.scheme, 'exact');
    const before = Math.floor(Date.now() / 1000);
    const { payload } = await client.createPaymentPayload(requirements, { x402Version: 2 });
    const after = Math.floor(Date.now() / 1000);
    assert.deepEqual(Object.keys(payload).sort(), ['authorization', 'signature']);
    const { authorization, signature } = await signExactEvmAuthorization(account, requirements, {
      now: 1_700_000_000,
    });
    assert.deepEqual(Object.keys(authorization).sort(), [
      'from',
      'nonce',
      'to',
      'validAfter',
      'validBefore',
      'value',
    ]);
    assert.equal(authorization.from, account.address);
    assert.equal(authorization.to, getAddress(requirements.payTo));
    assert.equal(authorization.value, '1000');
    assert.equal(authorization.validAfter, String(1_700_000_000 - 600));
    assert.equal(authorization.validBefore, String(1_700_000_000 + 300));
    assert.match(authorization.nonce, /^0x[0-9a-f]{64}$/);
    assert.match(signature, /^0x[0-9a-f]{130}$/);

    const live = payload.authorization;
    assert.ok(typeof live === 'object' && live !== null);
    const validAfter = Number(Reflect.get(live, 'validAfter'));
    assert.ok(validAfter >= before - 600 && validAfter <= after - 600);
  });

  it('signs over the token domain: the signature recovers to the signer', async () => {
    const { authorization, signature } = await signExactEvmAuthorization(account, requirements);
    const typedData = buildTransferWithAuthorizationTypedData(
      { name: 'USDC', version: '2', chainId: 84532, verifyingContract: USDC },
      authorization,
    );
    assert.equal(await recoverTypedDataAddress({ ...typedData, signature }), account.address);
  });

  it('draws a fresh nonce for every payment', async () => {
    const a = await signExactEvmAuthorization(account, requirements);
    const b = await signExactEvmAuthorization(account, requirements);
    assert.notEqual(a.authorization.nonce, b.authorization.nonce);
  });

  it('has the same payload shape as the official client', async () => {
    const official = await new OfficialExactEvmClient(account).createPaymentPayload(2, {
      ...requirements,
      network: 'eip155:84532',
      extra: { name: 'USDC', version: '2' },
    });
    const ours = await createExactEvmClient({ signer: account }).createPaymentPayload(requirements, {
      x402Version: 2,
    });
    assert.deepEqual(Object.keys(ours.payload).sort(), Object.keys(official.payload).sort());
    const theirs = official.payload.authorization;
    assert.ok(typeof theirs === 'object' && theirs !== null);
    const mine = ours.payload.authorization;
    assert.ok(typeof mine === 'object' && mine !== null);
    assert.deepEqual(Object.keys(mine).sort(), Object.keys(theirs).sort());
    for (const key of ['from', 'to', 'value'] as const)
      assert.equal(Reflect.get(mine, key), Reflect.get(theirs, key));
  });

  it('accepts a custom { address, signTypedData } signer', async () => {
    const custom = { address: account.address, signTypedData: account.signTypedData };
    const payload = await signExactEvmAuthorization(custom, requirements);
    assert.equal(payload.authorization.from, account.address);
  });

  it('refuses requirements without the EIP-712 domain', async () => {
    const missing = { ...requirements, extra: { name: 'USDC' } };
    await assert.rejects(signExactEvmAuthorization(account, missing), (error: unknown) => {
      assert.ok(error instanceof X402Error);
      assert.equal(error.reason, Reasons.exactEvmMissingEip712Domain);
      assert.match(error.message, /extra\.name and requirements\.extra\.version/);
      return true;
    });
    await assert.rejects(signExactEvmAuthorization(account, { ...requirements, extra: null }), X402Error);
  });

  it('refuses non-EVM networks and bad addresses', async () => {
    await assert.rejects(
      signExactEvmAuthorization(account, {
        ...requirements,
        network: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
      }),
      (error: unknown) =>
        error instanceof X402Error && error.reason === Reasons.invalidNetwork && /eip155/.test(error.message),
    );
    await assert.rejects(
      signExactEvmAuthorization(account, { ...requirements, payTo: 'merchant' }),
      (error: unknown) => error instanceof X402Error && error.reason === Reasons.invalidPaymentRequirements,
    );
    await assert.rejects(
      signExactEvmAuthorization(account, {
        ...requirements,
        extra: { ...requirements.extra, assetTransferMethod: 'permit2' },
      }),
      (error: unknown) => error instanceof X402Error && error.reason === Reasons.unsupportedPayloadType,
    );
  });

  it('accepts a v1 network name', async () => {
    const payload = await signExactEvmAuthorization(account, { ...requirements, network: 'base-sepolia' });
    assert.equal(payload.authorization.value, '1000');
  });
});
