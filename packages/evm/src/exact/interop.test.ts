import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { x402Client } from '@x402/core/client';
import type {
  PaymentPayload as OfficialPaymentPayload,
  PaymentRequirements as OfficialPaymentRequirements,
} from '@x402/core/types';
import { toFacilitatorEvmSigner } from '@x402/evm';
import { ExactEvmScheme as OfficialExactEvmClient } from '@x402/evm/exact/client';
import { ExactEvmScheme as OfficialExactEvmFacilitator } from '@x402/evm/exact/facilitator';
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { devnetExactEvmFacilitator } from '@x402kit/testing/devnet-exact-facilitator';
import { type ExactPaymentOptions, signedExactPayment } from '@x402kit/testing/exact-payment';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import { type Address, createWalletClient, http, publicActions } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createExactEvmClient } from './client.js';
import type { ExactEvmFacilitator } from './facilitator.js';

// Our scheme and the official @x402/evm 2.27 must understand each other's payloads, and answer the
// same bad input with the same reason.
let devnet: Devnet;
let ours: ExactEvmFacilitator;
let official: OfficialExactEvmFacilitator;
let requirements: PaymentRequirements;
const payer = privateKeyToAccount(devnetAccount(1).privateKey);
const stranger = privateKeyToAccount(devnetAccount(13).privateKey); // no tokens
const v2 = { x402Version: 2 } as const;
const balanceOf = (address: Address) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address);

before(async () => {
  devnet = await startDevnet();
  ours = devnetExactEvmFacilitator(devnet);
  const relayer = privateKeyToAccount(devnetAccount(8).privateKey);
  const wallet = createWalletClient({
    account: relayer,
    chain: devnet.chain,
    transport: http(devnet.rpcUrl),
    pollingInterval: 20,
  }).extend(publicActions);
  official = new OfficialExactEvmFacilitator(
    toFacilitatorEvmSigner({
      address: relayer.address,
      readContract: (args) => wallet.readContract(args),
      // 2.27's exact scheme recovers EOA signatures itself and calls isValidSignature through
      // readContract; its signer type for this member no longer matches viem 2.57's, so it is stubbed
      verifyTypedData: () => Promise.reject(new Error('not used by @x402/evm 2.27 exact')),
      writeContract: (args) => wallet.writeContract(args),
      sendTransaction: (args) => wallet.sendTransaction(args),
      waitForTransactionReceipt: (args) => wallet.waitForTransactionReceipt(args),
      getCode: (args) => wallet.getCode(args),
    }),
  );
  requirements = devnetExactRequirements(devnet);
});

after(async () => {
  ours?.close();
  await devnet?.stop();
});

/** Our (string-typed) requirements in the official types, whose network is `${string}:${string}`. */
function officialRequirements(r: PaymentRequirements): OfficialPaymentRequirements {
  const { network } = r;
  assert.ok(isCaip2(network));
  return { ...r, network, extra: r.extra ?? {} };
}

function officialPayload(p: PaymentPayload): OfficialPaymentPayload {
  return { x402Version: 2, accepted: officialRequirements(p.accepted), payload: p.payload };
}

function isCaip2(network: string): network is `${string}:${string}` {
  return network.includes(':');
}

async function officialPayment(): Promise<PaymentPayload> {
  const client = new x402Client().register('eip155:*', new OfficialExactEvmClient(payer));
  const created = await client.createPaymentPayload({
    x402Version: 2,
    resource: { url: 'http://localhost/weather', description: '', mimeType: 'application/json' },
    accepts: [officialRequirements(requirements)],
  });
  assert.equal(created.x402Version, 2);
  const { scheme, network, amount, asset, payTo, maxTimeoutSeconds, extra } = created.accepted;
  return {
    x402Version: 2,
    accepted: { scheme, network, amount, asset, payTo, maxTimeoutSeconds, extra },
    payload: created.payload,
  };
}

async function ourPayment(options: ExactPaymentOptions = {}): Promise<PaymentPayload> {
  const accepted = options.requirements ?? requirements;
  if (!options.signer && !options.authorization) {
    const { payload } = await createExactEvmClient({ signer: payer }).createPaymentPayload(accepted, v2);
    return { x402Version: 2, accepted, payload };
  }
  return signedExactPayment({ signer: payer, requirements }, options);
}

describe('interop with the official @x402/evm 2.27', () => {
  it('our facilitator verifies and settles a payload made by the official client', async () => {
    const payment = await officialPayment();
    const before = await balanceOf(devnet.accounts.payTo.address);
    assert.deepEqual(await ours.verify(payment, requirements, v2), { isValid: true, payer: payer.address });
    const settled = await ours.settle(payment, requirements, v2);
    assert.equal(settled.success, true, settled.errorMessage);
    assert.equal(settled.payer, payer.address);
    assert.equal(await balanceOf(devnet.accounts.payTo.address), before + 1000n);
  });

  it('the official facilitator verifies and settles a payload made by our client', async () => {
    const payment = await ourPayment();
    const verified = await official.verify(officialPayload(payment), officialRequirements(requirements));
    assert.equal(verified.isValid, true, verified.invalidReason);
    assert.equal(verified.payer, payer.address);
    const before = await balanceOf(devnet.accounts.payTo.address);
    const settled = await official.settle(officialPayload(payment), officialRequirements(requirements));
    assert.equal(settled.success, true, settled.errorReason);
    assert.equal(await balanceOf(devnet.accounts.payTo.address), before + 1000n);
  });

  it('both facilitators give the same reason for the same bad input', async () => {
    const now = Math.floor(Date.now() / 1000);
    const replayed = await ourPayment();
    assert.equal((await ours.settle(replayed, requirements, v2)).success, true);
    const wrongName = { ...requirements, extra: { name: 'USD Coin', version: '2' } };
    const cases: Array<[string, PaymentPayload, PaymentRequirements]> = [
      ['value mismatch', await ourPayment({ authorization: { value: '999' } }), requirements],
      ['wrong payTo', await ourPayment({ authorization: { to: devnetAccount(7).address } }), requirements],
      ['expired', await ourPayment({ authorization: { validBefore: String(now + 3) } }), requirements],
      ['not yet valid', await ourPayment({ authorization: { validAfter: String(now + 120) } }), requirements],
      [
        'signed by another key',
        await ourPayment({ signer: stranger, authorization: { from: payer.address } }),
        requirements,
      ],
      ['insufficient balance', await ourPayment({ signer: stranger }), requirements],
      ['replayed nonce', replayed, requirements],
      ['token name mismatch', await ourPayment({ requirements: wrongName }), wrongName],
      ['wrong scheme', await ourPayment(), { ...requirements, scheme: 'upto' }],
      ['missing extra.name', await ourPayment(), { ...requirements, extra: { version: '2' } }],
    ];
    const network = await ourPayment();
    cases.push([
      'network mismatch',
      { ...network, accepted: { ...network.accepted, network: 'eip155:8453' } },
      requirements,
    ]);
    for (const [name, payment, reqs] of cases) {
      const theirs = await official.verify(officialPayload(payment), officialRequirements(reqs));
      const mine = await ours.verify(payment, reqs, v2);
      assert.equal(theirs.isValid, false, name);
      assert.equal(mine.isValid, false, name);
      assert.equal(mine.invalidReason, theirs.invalidReason, name);
      assert.equal(mine.payer, theirs.payer, name);
    }
  });

  it('verifies faster than the official facilitator', async (t) => {
    const payment = await ourPayment();
    const time = async (verify: () => Promise<{ isValid: boolean }>) => {
      for (let i = 0; i < 10; i++) assert.equal((await verify()).isValid, true);
      const rounds = 100;
      const started = performance.now();
      for (let i = 0; i < rounds; i++) await verify();
      return (performance.now() - started) / rounds;
    };
    const theirs = await time(() =>
      official.verify(officialPayload(payment), officialRequirements(requirements)),
    );
    const mine = await time(() => ours.verify(payment, requirements, v2));
    t.diagnostic(`verify latency, sequential: ours ${mine.toFixed(2)} ms, official ${theirs.toFixed(2)} ms`);
    assert.ok(mine * 1.5 < theirs, `ours ${mine.toFixed(2)} ms vs official ${theirs.toFixed(2)} ms`);
  });
});
