/**
 * Interop with BofAI's `@bankofai/x402` 0.5.8 on TRON: its `X402Client` + `X402FetchClient` +
 * `ExactPermitTronClientMechanism` over its `TronClientSigner` (agent-wallet key, TronWeb pointed at the
 * local node) approves PaymentPermit by itself and pays our server + our facilitator on the TRON devnet;
 * its payload equals ours for the same inputs, and our facilitator accepts its formats (signature with or
 * without 0x, numbers as strings).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ExactPermitTronClientMechanism, X402Client, X402FetchClient } from '@bankofai/x402';
import { decodePaymentRequiredHeader, type PaymentRequired } from '@x402kit/core';
import { startTronDevnet, type TronDevnet } from '@x402kit/devnet';
import { getPaymentResponse } from '@x402kit/http';
import { createLocalTronClientSigner } from '@x402kit/testing/bofai-tron-signer';
import {
  type RunningTron,
  startOurTronFacilitator,
  startOurTronServer,
  TRON_FEE,
} from '@x402kit/testing/tron';
import { type PaymentPermitWire, signExactPermitTron } from '@x402kit/tron/exact-permit';

const PRICE = 10_000n;

describe('BofAI exact_permit TRON client paying our server + facilitator (devnet Nile)', () => {
  let devnet: TronDevnet;
  let facilitator: RunningTron;
  let server: RunningTron;
  let feeTo: string;

  before(async () => {
    devnet = await startTronDevnet();
    feeTo = devnet.allAccounts[9]?.address ?? assert.fail('no account 9');
    facilitator = await startOurTronFacilitator(devnet, { feeTo });
    server = await startOurTronServer({
      facilitatorUrl: facilitator.url,
      payTo: devnet.accounts.payTo.address,
      routes: [{ path: '/weather', price: '$0.01' }],
    });
  });

  after(async () => {
    await server?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  async function offer(): Promise<PaymentRequired> {
    const res = await fetch(`${server.url}/weather`);
    const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
    if (pr.x402Version !== 2) throw new Error('expected x402 v2');
    return pr;
  }

  async function verify(payload: unknown, requirements: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${facilitator.url}/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paymentPayload: payload, paymentRequirements: requirements }),
    });
    return (await res.json()) as Record<string, unknown>;
  }

  it('approves itself (ensureAllowance), signs and pays; balances move by amount and fee', async () => {
    const payer = devnet.allAccounts[4] ?? assert.fail(); // funded, never approved
    const signer = await createLocalTronClientSigner({
      fullHost: devnet.fullHost,
      privateKey: payer.privateKey,
    });
    const payTo = devnet.accounts.payTo.address;
    const usdt = async (a: string) => (await devnet.balances(a)).USDT;
    const [p0, t0, f0] = [await usdt(payer.address), await usdt(payTo), await usdt(feeTo)];
    const client = new X402Client().register('tron:*', new ExactPermitTronClientMechanism(signer));
    const res = await new X402FetchClient(client).get(`${server.url}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { paid: '/weather' });
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success);
    assert.match(receipt.transaction, /^[0-9a-f]{64}$/);
    assert.equal(await usdt(payer.address), p0 - PRICE - TRON_FEE);
    assert.equal(await usdt(payTo), t0 + PRICE);
    assert.equal(await usdt(feeTo), f0 + TRON_FEE);
  });

  it('builds the same paymentPermit as ours; our facilitator accepts its signature with and without 0x and numbers as strings', async () => {
    const payer = devnet.allAccounts[4] ?? assert.fail(); // approved by the test above: no approve now
    const signer = await createLocalTronClientSigner({
      fullHost: devnet.fullHost,
      privateKey: payer.privateKey,
    });
    const pr = await offer();
    const accepted = pr.accepts[0] ?? assert.fail('no offer');
    // a plain literal: both our PaymentRequirements and BofAI's
    const requirements = { ...accepted, extra: accepted.extra ?? {} };
    const theirs = await new ExactPermitTronClientMechanism(signer).createPaymentPayload(
      requirements,
      pr.resource?.url ?? '',
      pr.extensions,
    );
    const ours = await signExactPermitTron(payer.privateKey, accepted, pr.extensions);
    assert.deepEqual(theirs.payload.paymentPermit, ours.paymentPermit);
    const signature = String(theirs.payload.signature);
    assert.equal(`0x${signature.replace(/^0x/, '')}`, ours.signature);
    const permit = theirs.payload.paymentPermit as unknown as PaymentPermitWire;
    const variants: Array<[string, unknown]> = [
      ['as sent', theirs.payload],
      ['signature without 0x', { ...theirs.payload, signature: signature.replace(/^0x/, '') }],
      ['signature with 0x', { ...theirs.payload, signature: `0x${signature.replace(/^0x/, '')}` }],
      [
        'numbers as strings',
        {
          ...theirs.payload,
          paymentPermit: {
            ...permit,
            meta: {
              ...permit.meta,
              validAfter: String(permit.meta.validAfter),
              validBefore: String(permit.meta.validBefore),
            },
          },
        },
      ],
    ];
    for (const [label, payload] of variants) {
      const verdict = await verify({ ...theirs, payload }, accepted);
      assert.equal(verdict.isValid, true, `${label}: ${JSON.stringify(verdict)}`);
      assert.equal(verdict.payer, payer.address);
    }
  });
});
