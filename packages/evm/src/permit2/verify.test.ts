import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PaymentPayload, PaymentRequirements } from '@x402kit/core';
import {
  confirmTransaction,
  createDevnetClient,
  type Devnet,
  devnetAccount,
  readTokenBalance,
} from '@x402kit/devnet';
import {
  devnetEvmFacilitatorOptions,
  devnetExactEvmFacilitator,
} from '@x402kit/testing/devnet-exact-facilitator';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import { hookDevnet } from '@x402kit/testing/hook-devnet';
import { privateKeyToAccount } from 'viem/accounts';
import type { ExactEvmFacilitator } from '../exact/facilitator.js';
import { createUptoEvmFacilitator, type UptoEvmFacilitator } from '../upto/facilitator.js';
import { buildPermit2Approval, readPermit2Allowance } from './approval.js';
import { X402_UPTO_PERMIT2_PROXY_ADDRESS } from './constants.js';
import { Permit2Reasons } from './reasons.js';
import { signPermit2Authorization } from './sign.js';
import type { Permit2Authorization } from './typed-data.js';

// Ordered checks of both Permit2 paths, then settlement. The payer starts without a Permit2
// allowance, so well-formed payments first end in the diagnosis `permit2_allowance_required`.
let devnet: Devnet;
let exact: ExactEvmFacilitator;
let upto: UptoEvmFacilitator;
let exactReq: PaymentRequirements;
let uptoReq: PaymentRequirements;
const payer = privateKeyToAccount(devnetAccount(1).privateKey);
const ctx = { x402Version: 2 } as const;

hookDevnet(
  {},
  (started) => {
    devnet = started;
    exact = devnetExactEvmFacilitator(devnet);
    upto = createUptoEvmFacilitator(devnetEvmFacilitatorOptions(devnet));
    exactReq = devnetExactRequirements(devnet, { extra: { assetTransferMethod: 'permit2' } });
    uptoReq = {
      ...exactReq,
      scheme: 'upto',
      extra: { assetTransferMethod: 'permit2', facilitatorAddress: devnet.accounts.facilitator.address },
    };
  },
  () => {
    exact?.close();
    upto?.close();
  },
);

async function pay(
  accepted: PaymentRequirements,
  authorization: Partial<Permit2Authorization> = {},
): Promise<PaymentPayload> {
  const kind = accepted.scheme === 'upto' ? 'upto' : 'exact';
  const payload = await signPermit2Authorization(payer, accepted, { kind, authorization });
  return { x402Version: 2, accepted, payload: { ...payload } };
}

const now = () => Math.floor(Date.now() / 1000);

/** A verify-order case: the reason expected, and the payment and requirements that earn it. */
type Case = [string, () => Promise<[PaymentPayload, PaymentRequirements]>];

/** The first two checks of either kind: requirements of the other scheme, then a payment accepted on another network. */
function schemeAndNetworkCases(
  req: PaymentRequirements,
  otherScheme: string,
  schemeReason: string,
  networkReason: string,
): Case[] {
  return [
    [schemeReason, async () => [await pay(req), { ...req, scheme: otherScheme }]],
    [networkReason, async () => [{ ...(await pay(req)), accepted: { ...req, network: 'eip155:1' } }, req]],
  ];
}

/** Verifies each case's payment in order and expects the case's reason (and `payer`, where given). */
async function assertReasons(
  facilitator: Pick<ExactEvmFacilitator, 'verify'>,
  cases: Case[],
  payer?: string,
) {
  for (const [reason, build] of cases) {
    const [payload, requirements] = await build();
    const r = await facilitator.verify(payload, requirements, ctx);
    assert.equal(r.invalidReason, reason);
    if (payer !== undefined) assert.equal(r.payer, payer);
  }
}

describe('exact via Permit2: verify order', () => {
  it('routes permit2Authorization payloads to Permit2 and diagnoses a missing allowance', async () => {
    const r = await exact.verify(await pay(exactReq), exactReq, ctx);
    assert.deepEqual(
      [r.isValid, r.invalidReason, r.payer],
      [false, 'permit2_allowance_required', payer.address],
    );
  });

  it('answers each check with the reference reason, in order', async () => {
    const cases: Case[] = [
      ...schemeAndNetworkCases(
        exactReq,
        'upto',
        'unsupported_payload_type',
        'invalid_exact_evm_network_mismatch',
      ),
      [
        'invalid_permit2_spender',
        async () => [await pay(exactReq, { spender: X402_UPTO_PERMIT2_PROXY_ADDRESS }), exactReq],
      ],
      [
        'invalid_permit2_recipient_mismatch',
        async () => [await pay(exactReq, { witness: { to: payer.address, validAfter: '0' } }), exactReq],
      ],
      [
        'permit2_deadline_expired',
        async () => [await pay(exactReq, { deadline: String(now() + 5) }), exactReq],
      ],
      [
        'permit2_not_yet_valid',
        async () => [
          await pay(exactReq, {
            witness: { to: devnet.accounts.payTo.address, validAfter: String(now() + 60) },
          }),
          exactReq,
        ],
      ],
      [
        'permit2_amount_mismatch',
        async () => [
          await pay(exactReq, { permitted: { token: devnet.token.address, amount: '999' } }),
          exactReq,
        ],
      ],
      [
        'permit2_token_mismatch',
        async () => [await pay(exactReq, { permitted: { token: payer.address, amount: '1000' } }), exactReq],
      ],
    ];
    await assertReasons(exact, cases, payer.address);
  });

  it('refuses a signature of other fields with invalid_permit2_signature', async () => {
    const payment = await pay(exactReq);
    const auth = payment.payload.permit2Authorization;
    assert.ok(typeof auth === 'object' && auth !== null);
    const tampered = {
      ...payment,
      payload: { ...payment.payload, permit2Authorization: { ...auth, nonce: '1' } },
    };
    const r = await exact.verify(tampered, exactReq, ctx);
    assert.equal(r.invalidReason, 'invalid_permit2_signature');
  });

  it('refuses malformed payloads with invalid_payload', async () => {
    const payment = await pay(exactReq);
    const r = await exact.verify(
      { ...payment, payload: { ...payment.payload, permit2Authorization: { from: payer.address } } },
      exactReq,
      ctx,
    );
    assert.equal(r.invalidReason, 'invalid_payload');
  });

  it('names the reference reason first when a far deadline comes with another fault', async () => {
    // no allowance yet: the reference answers permit2_allowance_required, and so do we
    const far = await pay(exactReq, { deadline: String(now() + 3600) });
    assert.equal((await exact.verify(far, exactReq, ctx)).invalidReason, 'permit2_allowance_required');
  });

  it('settle re-verifies and fails without sending', async () => {
    const s = await exact.settle(await pay(exactReq), exactReq, ctx);
    assert.deepEqual([s.success, s.errorReason, s.transaction], [false, 'permit2_allowance_required', '']);
  });
});

describe('upto: verify order', () => {
  it('answers each check with the reference reason', async () => {
    const cases: Case[] = [
      ...schemeAndNetworkCases(
        uptoReq,
        'exact',
        'invalid_upto_evm_scheme',
        'invalid_upto_evm_network_mismatch',
      ),
      [
        'upto_facilitator_mismatch',
        async () => [
          await pay(uptoReq, {
            witness: { to: devnet.accounts.payTo.address, validAfter: '0', facilitator: payer.address },
          }),
          uptoReq,
        ],
      ],
      ['permit2_amount_mismatch', async () => [await pay(uptoReq), { ...uptoReq, amount: '2000' }]],
      ['permit2_allowance_required', async () => [await pay(uptoReq), uptoReq]],
    ];
    await assertReasons(upto, cases);
  });

  it('advertises its first signer as facilitatorAddress, deterministically', () => {
    const extra = upto.getExtra?.(devnet.network);
    assert.deepEqual(extra, { facilitatorAddress: devnet.accounts.facilitator.address });
    assert.deepEqual(upto.getExtra?.(devnet.network), extra);
  });

  it('refuses an upto payload without facilitatorAddress in extra on the client', async () => {
    await assert.rejects(
      pay({ ...uptoReq, extra: { assetTransferMethod: 'permit2' } }),
      /facilitatorAddress/,
    );
  });
});

describe('Permit2 settlement after approve(Permit2, max)', () => {
  before(async () => {
    const client = createDevnetClient(devnet.chain);
    assert.equal(
      await readPermit2Allowance(client, { token: devnet.token.address, owner: payer.address }),
      0n,
    );
    const { to, data } = buildPermit2Approval({ token: devnet.token.address });
    const hash = await client.sendTransaction({ account: payer, to, data, chain: devnet.chain });
    await confirmTransaction(client, hash);
  });

  it('exact: verifies, settles and moves exactly the amount', async () => {
    const payment = await pay(exactReq);
    assert.deepEqual(await exact.verify(payment, exactReq, ctx), { isValid: true, payer: payer.address });
    const before = await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address);
    const s = await exact.settle(payment, exactReq, ctx);
    assert.equal(s.success, true, JSON.stringify(s));
    assert.match(s.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(
      await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address),
      before + 1000n,
    );
    const again = await exact.settle(payment, exactReq, ctx);
    assert.equal(again.errorReason, 'permit2_invalid_nonce');
  });

  it('refuses a deadline past maxTimeoutSeconds + 30 s, in exact and upto, at verify and at settle', async () => {
    // maxTimeoutSeconds is 300: a client signs now + 300; 331 s is past the bound, 3600 s far past it
    for (const [facilitator, requirements, reason] of [
      [exact, exactReq, Permit2Reasons.deadlineTooFar],
      [upto, uptoReq, Permit2Reasons.uptoDeadlineTooFar],
    ] as const) {
      const at = await pay(requirements, { deadline: String(now() + 330) });
      assert.equal((await facilitator.verify(at, requirements, ctx)).isValid, true, requirements.scheme);
      for (const ahead of [331 + 2, 3600]) {
        const far = await pay(requirements, { deadline: String(now() + ahead) });
        const r = await facilitator.verify(far, requirements, ctx);
        assert.deepEqual([r.isValid, r.invalidReason, r.payer], [false, reason, payer.address]);
        assert.match(r.invalidMessage ?? '', /this offer allows at most 300 s/);
      }
      const far = await pay(requirements, { deadline: String(now() + 3600) });
      const s = await facilitator.settle(far, requirements, ctx);
      assert.deepEqual([s.success, s.errorReason, s.transaction], [false, reason, '']);
      // the same deadline is fine for an offer that allows an hour
      const hour = { ...requirements, maxTimeoutSeconds: 3600 };
      const long = await pay(hour, { deadline: String(now() + 3600) });
      assert.equal((await facilitator.verify(long, hour, ctx)).isValid, true, requirements.scheme);
    }
  });

  it('upto: settles the actual amount from witness.facilitator, zero sends nothing, more is refused', async () => {
    const payment = await pay(uptoReq);
    assert.equal((await upto.verify(payment, uptoReq, ctx)).isValid, true);
    const before = await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address);
    const over = await upto.settle(payment, { ...uptoReq, amount: '1001' }, ctx);
    assert.equal(over.errorReason, 'invalid_upto_evm_payload_settlement_exceeds_amount');
    const zero = await upto.settle(payment, { ...uptoReq, amount: '0' }, ctx);
    assert.deepEqual([zero.success, zero.transaction, zero.amount], [true, '', '0']);
    const s = await upto.settle(payment, { ...uptoReq, amount: '400' }, ctx);
    assert.equal(s.success, true, JSON.stringify(s));
    assert.equal(s.amount, '400');
    assert.equal(
      await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address),
      before + 400n,
    );
  });
});
