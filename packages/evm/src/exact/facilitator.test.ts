import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFacilitator, type PaymentPayload, type PaymentRequirements, Reasons } from '@x402kit/core';
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { devnetExactEvmFacilitator } from '@x402kit/testing/devnet-exact-facilitator';
import { type ExactPaymentOptions, signedExactPayment } from '@x402kit/testing/exact-payment';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import { type Address, createPublicClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { MULTICALL3_ADDRESS } from '../multicall3.js';
import { signExactEvmAuthorization } from './client.js';
import type { ExactEvmFacilitator } from './facilitator.js';
import { EIP6492_FACTORY_NOT_ALLOWED, isHexBytes } from './signature.js';

let devnet: Devnet;
let facilitator: ExactEvmFacilitator;
let requirements: PaymentRequirements;
const payer = privateKeyToAccount(devnetAccount(1).privateKey);
const stranger = privateKeyToAccount(devnetAccount(12).privateKey); // holds no tokens
const v2 = { x402Version: 2 } as const;

before(async () => {
  devnet = await startDevnet();
  facilitator = devnetExactEvmFacilitator(devnet);
  requirements = devnetExactRequirements(devnet);
});

after(async () => {
  facilitator?.close();
  await devnet?.stop();
});

function pay(options: ExactPaymentOptions = {}): Promise<PaymentPayload> {
  return signedExactPayment({ signer: payer, requirements }, options);
}

function withPayload(
  payment: PaymentPayload,
  patch: (p: Record<string, unknown>) => Record<string, unknown>,
): PaymentPayload {
  return { ...payment, payload: patch(structuredClone(payment.payload)) };
}

/** verify and settle both answer `reason`, without throwing; `payer` is reported when known. */
async function expectRejected(
  payment: PaymentPayload,
  reason: string,
  reqs = requirements,
  options: { expectedPayer?: string | null } = {},
) {
  const expectedPayer = options.expectedPayer === undefined ? payer.address : options.expectedPayer;
  const verified = await facilitator.verify(payment, reqs, v2);
  assert.equal(verified.isValid, false);
  assert.equal(verified.invalidReason, reason, verified.invalidMessage);
  assert.equal(verified.payer, expectedPayer ?? undefined);
  const settled = await facilitator.settle(payment, reqs, v2);
  assert.equal(settled.success, false);
  assert.equal(settled.errorReason, reason, settled.errorMessage);
  assert.equal(settled.transaction, '');
  assert.equal(settled.network, reqs.network);
  assert.equal(settled.payer, expectedPayer ?? undefined);
}

const now = () => Math.floor(Date.now() / 1000);
const balanceOf = (address: Address) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address);

describe('exact EVM facilitator on a devnet', () => {
  it('describes itself', () => {
    assert.equal(facilitator.scheme, 'exact');
    assert.equal(facilitator.family, 'eip155:*');
    assert.deepEqual(facilitator.getSigners(devnet.network), [devnet.accounts.facilitator.address]);
    assert.deepEqual(facilitator.networks, [devnet.network]);
    assert.equal(facilitator.getExtra, undefined);
  });

  it('verifies and settles a payment, moving exactly the amount', async () => {
    const payment = await pay();
    const before = await Promise.all([balanceOf(payer.address), balanceOf(devnet.accounts.payTo.address)]);
    const verified = await facilitator.verify(payment, requirements, v2);
    assert.deepEqual(verified, { isValid: true, payer: payer.address });
    const settled = await facilitator.settle(payment, requirements, v2);
    assert.equal(settled.success, true, settled.errorMessage);
    assert.match(settled.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(settled.network, devnet.network);
    assert.equal(settled.payer, payer.address);
    assert.equal(settled.errorReason, undefined);
    const afterBalances = await Promise.all([
      balanceOf(payer.address),
      balanceOf(devnet.accounts.payTo.address),
    ]);
    assert.equal(afterBalances[0], before[0] - 1000n);
    assert.equal(afterBalances[1], before[1] + 1000n);
  });

  it('replayed nonce: a second settle (and verify) is nonce_already_used', async () => {
    const payment = await pay();
    assert.equal((await facilitator.settle(payment, requirements, v2)).success, true);
    await expectRejected(payment, Reasons.exactEvmNonceAlreadyUsed);
  });

  it('settles the same authorization sent twice at once only once', async () => {
    const payment = await pay();
    const [a, b] = await Promise.all([
      facilitator.settle(payment, requirements, v2),
      facilitator.settle(payment, requirements, v2),
    ]);
    assert.equal(a.success, true);
    assert.deepEqual(a, b);
  });

  it('tampered amount: a signed value other than the amount is value_mismatch (v2)', async () => {
    await expectRejected(
      await pay({ authorization: { value: '999' } }),
      Reasons.exactEvmAuthorizationValueMismatch,
    );
  });

  it('an amount changed after signing is a bad signature', async () => {
    const payment = withPayload(await pay(), (p) => ({
      ...p,
      authorization: { ...Object(p.authorization), value: '1' },
    }));
    await expectRejected(payment, Reasons.exactEvmSignature);
  });

  it('wrong payTo is recipient_mismatch', async () => {
    await expectRejected(
      await pay({ authorization: { to: devnetAccount(7).address } }),
      Reasons.exactEvmRecipientMismatch,
    );
  });

  it('expired (validBefore within 6 s) is valid_before', async () => {
    await expectRejected(
      await pay({ authorization: { validBefore: String(now() + 3) } }),
      Reasons.exactEvmValidBefore,
    );
  });

  it('validBefore past maxTimeoutSeconds + 30 s is valid_before_too_far, at verify and settle', async () => {
    // maxTimeoutSeconds is 300; 3600 is what BofAI's 0.5.8 exact client signs whatever the offer says
    for (const ahead of [333, 3600]) {
      const far = await pay({ authorization: { validBefore: String(now() + ahead) } });
      await expectRejected(far, Reasons.exactEvmValidBeforeTooFar);
      const { invalidMessage } = await facilitator.verify(far, requirements, v2);
      assert.match(invalidMessage ?? '', /this offer allows at most 300 s \(maxTimeoutSeconds\) \+ 30 s/);
    }
    const at = await pay({ authorization: { validBefore: String(now() + 330) } });
    assert.equal((await facilitator.verify(at, requirements, v2)).isValid, true);
    const hour = { ...requirements, maxTimeoutSeconds: 3600 };
    const long = await pay({ requirements: hour, authorization: { validBefore: String(now() + 3600) } });
    assert.equal((await facilitator.verify(long, hour, v2)).isValid, true);
  });

  it('a far validBefore never hides the reference reason of another fault', async () => {
    const far = String(now() + 3600);
    await expectRejected(
      await pay({ authorization: { validBefore: far, value: '999' } }),
      Reasons.exactEvmAuthorizationValueMismatch,
    );
    await expectRejected(
      await pay({ signer: stranger, authorization: { validBefore: far } }),
      Reasons.exactEvmInsufficientBalance,
      requirements,
      { expectedPayer: stranger.address },
    );
  });

  it('not yet valid is valid_after', async () => {
    await expectRejected(
      await pay({ authorization: { validAfter: String(now() + 120) } }),
      Reasons.exactEvmValidAfter,
    );
  });

  it('a signature by another key is invalid_exact_evm_signature', async () => {
    const payment = await pay({ signer: stranger, authorization: { from: payer.address } });
    await expectRejected(payment, Reasons.exactEvmSignature);
  });

  it('a bad signature outranks later failures (as in the reference order)', async () => {
    const payment = await pay({ signer: stranger, authorization: { from: payer.address, value: '5' } });
    await expectRejected(payment, Reasons.exactEvmSignature);
  });

  it('an unfunded payer is insufficient_balance', async () => {
    await expectRejected(await pay({ signer: stranger }), Reasons.exactEvmInsufficientBalance, requirements, {
      expectedPayer: stranger.address,
    });
  });

  it('a scheme other than exact is invalid_exact_evm_scheme', async () => {
    const other = { ...requirements, scheme: 'upto' };
    const payment = { ...(await pay()), accepted: other };
    await expectRejected(payment, Reasons.exactEvmScheme, other);
  });

  it('payload and requirements on different networks is network_mismatch', async () => {
    const payment = await pay();
    await expectRejected(
      { ...payment, accepted: { ...payment.accepted, network: 'eip155:8453' } },
      Reasons.exactEvmNetworkMismatch,
    );
  });

  it('requirements without extra.name is missing_eip712_domain', async () => {
    const payment = await pay();
    await expectRejected(payment, Reasons.exactEvmMissingEip712Domain, {
      ...requirements,
      extra: { version: '2' },
    });
  });

  it('a network this facilitator does not serve is invalid_network', async () => {
    const elsewhere = { ...requirements, network: 'eip155:1' };
    await expectRejected(await pay({ requirements: elsewhere }), Reasons.invalidNetwork, elsewhere);
  });

  it('garbage signatures are invalid_exact_evm_signature', async () => {
    const base = await pay();
    for (const signature of ['0xnothex', '0x', `0x${'00'.repeat(65)}`, `0x${'12'.repeat(64)}`, 'hello']) {
      await expectRejected(
        withPayload(base, (p) => ({ ...p, signature })),
        Reasons.exactEvmSignature,
      );
    }
  });

  it('malformed fields are invalid_payload', async () => {
    const base = await pay();
    const authorization = (patch: Record<string, unknown>) =>
      withPayload(base, (p) => ({ ...p, authorization: { ...Object(p.authorization), ...patch } }));
    await expectRejected(authorization({ from: '0xnot-an-address' }), Reasons.invalidPayload, requirements, {
      expectedPayer: null,
    });
    await expectRejected(authorization({ to: '0x1234' }), Reasons.invalidPayload);
    await expectRejected(authorization({ value: '1000.5' }), Reasons.invalidPayload);
    await expectRejected(authorization({ nonce: '0x1234' }), Reasons.invalidPayload);
    await expectRejected(
      withPayload(base, () => ({ signature: '0x' })),
      Reasons.invalidPayload,
      requirements,
      { expectedPayer: null },
    );
  });

  it('an asset without code is asset_not_deployed_contract', async () => {
    const nowhere = { ...requirements, asset: '0x00000000000000000000000000000000000000aa' };
    await expectRejected(await pay({ requirements: nowhere }), Reasons.assetNotDeployedContract, nowhere);
  });

  it('a contract without EIP-3009 is eip3009_not_supported', async () => {
    const notAToken = { ...requirements, asset: MULTICALL3_ADDRESS };
    const verified = await facilitator.verify(await pay({ requirements: notAToken }), notAToken, v2);
    assert.equal(verified.invalidReason, Reasons.exactEvmEip3009NotSupported);
  });

  it('a wrong EIP-712 name or version is token_name_mismatch / token_version_mismatch', async () => {
    const wrongName = { ...requirements, extra: { name: 'USD Coin', version: '2' } };
    const wrongVersion = { ...requirements, extra: { name: 'USDC', version: '1' } };
    const byName = await facilitator.verify(await pay({ requirements: wrongName }), wrongName, v2);
    assert.equal(byName.invalidReason, Reasons.exactEvmTokenNameMismatch);
    const byVersion = await facilitator.verify(await pay({ requirements: wrongVersion }), wrongVersion, v2);
    assert.equal(byVersion.invalidReason, Reasons.exactEvmTokenVersionMismatch);
    // settle maps the token's own revert ("invalid signature") instead of diagnosing
    const settled = await facilitator.settle(await pay({ requirements: wrongName }), wrongName, v2);
    assert.equal(settled.errorReason, Reasons.exactEvmSignature);
  });

  it('a simulation failure the diagnosis cannot explain is transaction_simulation_failed', async () => {
    const toNobody = { ...requirements, payTo: '0x0000000000000000000000000000000000000000' };
    const verified = await facilitator.verify(await pay({ requirements: toNobody }), toNobody, v2);
    assert.equal(verified.invalidReason, Reasons.exactEvmSimulationFailed);
    assert.equal(verified.payer, payer.address);
  });

  it('a transaction that reverts on chain is transaction_failed, with its hash', async () => {
    const blind = devnetExactEvmFacilitator(devnet, {
      signers: [devnetAccount(7).privateKey],
      preflight: false,
    });
    try {
      const payment = await pay();
      assert.equal((await facilitator.settle(payment, requirements, v2)).success, true);
      const replay = await blind.settle(payment, requirements, v2);
      assert.equal(replay.success, false);
      assert.equal(replay.errorReason, Reasons.exactEvmTransactionFailed);
      assert.match(replay.transaction, /^0x[0-9a-f]{64}$/);
      assert.equal(replay.payer, payer.address);
    } finally {
      blind.close();
    }
  });

  it('an ERC-6492 signature of an undeployed wallet is refused (no wallet deployment)', async () => {
    const base = await pay({ signer: stranger });
    const magic = '6492649264926492649264926492649264926492649264926492649264926492';
    const wrapped = `0x${'00'.repeat(96)}${magic}`;
    const verified = await facilitator.verify(
      withPayload(base, (p) => ({ ...p, signature: wrapped })),
      requirements,
      v2,
    );
    assert.equal(verified.invalidReason, EIP6492_FACTORY_NOT_ALLOWED);
  });

  it('answers x402 v1 with the v1 value string, through the core engine', async () => {
    const engine = createFacilitator({ schemes: [{ networks: facilitator.networks, facilitator }] });
    const v1Requirements = {
      scheme: 'exact',
      network: 'base-sepolia',
      maxAmountRequired: '1000',
      resource: 'http://localhost/weather',
      description: '',
      mimeType: 'application/json',
      payTo: requirements.payTo,
      maxTimeoutSeconds: 300,
      asset: requirements.asset,
      extra: requirements.extra,
    };
    const tampered = await signExactEvmAuthorization(payer, requirements, {
      authorization: { value: '999' },
    });
    const bad = await engine.verify(
      { x402Version: 1, scheme: 'exact', network: 'base-sepolia', payload: tampered },
      v1Requirements,
    );
    assert.equal(bad.isValid, false);
    assert.equal(bad.invalidReason, 'invalid_exact_evm_authorization_value');

    const good = {
      x402Version: 1,
      scheme: 'exact',
      network: 'base-sepolia',
      payload: await signExactEvmAuthorization(payer, requirements),
    };
    assert.equal((await engine.verify(good, v1Requirements)).isValid, true);
    const settled = await engine.settle(good, v1Requirements);
    assert.equal(settled.success, true);
    assert.equal(settled.network, 'base-sepolia');
  });

  it('can settle 65-byte signatures through the bytes overload', async () => {
    const bytesFacilitator = devnetExactEvmFacilitator(devnet, {
      signers: [devnetAccount(8).privateKey],
      forceBytesSignature: true,
    });
    try {
      const settled = await bytesFacilitator.settle(await pay(), requirements, v2);
      assert.equal(settled.success, true, settled.errorMessage);
      const hash = settled.transaction;
      assert.ok(isHexBytes(hash));
      const tx = await createPublicClient({ transport: http(devnet.rpcUrl) }).getTransaction({ hash });
      assert.equal(tx.input.slice(0, 10), '0xcf092995');
    } finally {
      bytesFacilitator.close();
    }
  });
});
