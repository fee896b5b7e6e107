import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { X402Error } from '@x402kit/core';
import { recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { X402_EXACT_PERMIT2_PROXY_ADDRESS, X402_UPTO_PERMIT2_PROXY_ADDRESS } from './constants.js';
import { createPermit2Nonce, signPermit2Authorization } from './sign.js';
import { buildPermit2TypedData } from './typed-data.js';

const account = privateKeyToAccount(`0x${'22'.repeat(32)}`);
const requirements = {
  network: 'eip155:56',
  asset: '0x55d398326f99059ff775485246999027b3197955',
  amount: '10000000000000000',
  payTo: '0x209693bc6afc0c5328ba36faf03c514ef312287c',
  maxTimeoutSeconds: 300,
  extra: { assetTransferMethod: 'permit2' },
};

describe('signPermit2Authorization', () => {
  it('builds the exact authorization like the reference client', async () => {
    const now = 1_800_000_000;
    const { signature, permit2Authorization: a } = await signPermit2Authorization(account, requirements, {
      kind: 'exact',
      now,
    });
    assert.equal(a.from, account.address);
    assert.deepEqual(a.permitted, {
      token: '0x55d398326f99059fF775485246999027B3197955',
      amount: '10000000000000000',
    });
    assert.equal(a.spender, X402_EXACT_PERMIT2_PROXY_ADDRESS);
    assert.match(a.nonce, /^\d+$/);
    assert.equal(a.deadline, String(now + 300));
    assert.deepEqual(a.witness, {
      to: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
      validAfter: String(now - 600),
    });
    assert.equal(
      await recoverTypedDataAddress({ ...buildPermit2TypedData(56, a), signature }),
      account.address,
    );
  });

  it('builds the upto authorization with the facilitator from extra', async () => {
    const facilitator = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';
    const { permit2Authorization: a } = await signPermit2Authorization(
      account,
      { ...requirements, extra: { assetTransferMethod: 'permit2', facilitatorAddress: facilitator } },
      { kind: 'upto' },
    );
    assert.equal(a.spender, X402_UPTO_PERMIT2_PROXY_ADDRESS);
    assert.equal(a.witness.facilitator, '0x90F79bf6EB2c4f870365E785982E1f101E93b906');
    await assert.rejects(signPermit2Authorization(account, requirements, { kind: 'upto' }), X402Error);
  });

  it('refuses non-EVM networks and bad addresses', async () => {
    await assert.rejects(
      signPermit2Authorization(account, { ...requirements, network: 'solana:x' }, { kind: 'exact' }),
      X402Error,
    );
    await assert.rejects(
      signPermit2Authorization(account, { ...requirements, payTo: 'x' }, { kind: 'exact' }),
      X402Error,
    );
  });

  it('makes 32-byte decimal nonces', () => {
    const nonces = new Set(Array.from({ length: 20 }, () => createPermit2Nonce()));
    assert.equal(nonces.size, 20);
    for (const n of nonces) assert.ok(/^\d+$/.test(n) && BigInt(n) < 2n ** 256n);
  });
});
