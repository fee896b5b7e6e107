/**
 * End to end on the devnet: our paying fetch -> our Express middleware -> our facilitator
 * service -> a real chain. Every bad input must end in its reason code, never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  maxAmountPolicy,
  type PaymentPayload,
  type PaymentRequired,
  X402Error,
} from '@x402kit/core';
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { signExactEvmAuthorization } from '@x402kit/evm';
import { getPaymentResponse } from '@x402kit/http';
import type { Running } from '@x402kit/testing/listen';
import { ourFetch, startOurFacilitator, startOurServer } from '@x402kit/testing/ours';
import { createPublicClient, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

let devnet: Devnet;
let facilitator: Running;
let server: Running & { handlerCalls: () => number };

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);

async function offer(path = '/weather'): Promise<PaymentRequired> {
  const res = await fetch(`${server.url}${path}`);
  assert.equal(res.status, 402);
  const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  assert.equal(pr.x402Version, 2);
  if (pr.x402Version !== 2) throw new Error('unreachable');
  return pr;
}

/** Sign a payload for the first offer, with optional changes to the authorization. */
async function signedPayload(
  pr: PaymentRequired,
  opts: {
    key?: Hex;
    authorization?: Record<string, string>;
    after?: (p: PaymentPayload) => PaymentPayload;
  } = {},
): Promise<PaymentPayload> {
  const accepted = pr.accepts[0]!;
  const signer = privateKeyToAccount(opts.key ?? (devnet.accounts.payer.privateKey as Hex));
  const signed = await signExactEvmAuthorization(
    signer,
    accepted,
    opts.authorization ? { authorization: opts.authorization } : {},
  );
  const payload: PaymentPayload = {
    x402Version: 2,
    resource: pr.resource,
    accepted,
    payload: { signature: signed.signature, authorization: { ...signed.authorization } },
  };
  return opts.after ? opts.after(payload) : payload;
}

async function pay(path: string, header: string, name = 'PAYMENT-SIGNATURE'): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: { [name]: header } });
}

async function expectRefused(res: Response, reason: string | RegExp): Promise<void> {
  assert.equal(res.status, 402, `expected 402, got ${res.status}: ${await res.clone().text()}`);
  const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
  if (typeof reason === 'string') assert.equal(pr.error, reason);
  else assert.match(pr.error ?? '', reason);
}

describe('exact EVM end to end (our client, server, facilitator)', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0, extraPayers: 1 });
    facilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
    });
    server = await startOurServer({
      facilitatorUrl: facilitator.url,
      payTo: devnet.accounts.payTo.address,
      network: devnet.network,
    });
  });
  after(async () => {
    await server?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('pays $0.001 and moves balances by exactly the price', async () => {
    const payer = devnet.accounts.payer.address;
    const payTo = devnet.accounts.payTo.address;
    const [p0, t0] = [await balance(payer), await balance(payTo)];
    const res = await ourFetch(devnet.accounts.payer.privateKey as Hex)(`${server.url}/weather`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { report: { weather: 'sunny', temperature: 70 } });
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success);
    assert.match(receipt.transaction, /^0x[0-9a-f]{64}$/);
    assert.equal(receipt.network, 'eip155:84532');
    assert.equal(receipt.payer?.toLowerCase(), payer.toLowerCase());
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const tx = await chain.getTransactionReceipt({ hash: receipt.transaction as Hex });
    assert.equal(tx.status, 'success');
    assert.equal(await balance(payer), p0 - 1000n);
    assert.equal(await balance(payTo), t0 + 1000n);
  });

  it('re-sends a POST body on the paid retry', async () => {
    const res = await ourFetch(devnet.accounts.payer.privateKey as Hex)(`${server.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'world' }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { echo: { hello: 'world' } });
  });

  it('refuses to pay above the client cap, before signing anything', async () => {
    const capped = ourFetch(devnet.accounts.payer.privateKey as Hex, [maxAmountPolicy('0.0005')]);
    await assert.rejects(
      capped(`${server.url}/weather`),
      (e: unknown) => e instanceof X402Error && /exceeds the cap/.test(e.message),
    );
  });

  it('rejects a value that differs from the price', async () => {
    const pr = await offer();
    const p = await signedPayload(pr, { authorization: { value: '999' } });
    await expectRefused(
      await pay('/weather', encodePaymentSignatureHeader(p)),
      'invalid_exact_evm_payload_authorization_value_mismatch',
    );
  });

  it('rejects an amount tampered after signing', async () => {
    const pr = await offer();
    const p = await signedPayload(pr, {
      after: (x) => ({
        ...x,
        payload: { ...x.payload, authorization: { ...(x.payload.authorization as object), value: '1' } },
      }),
    });
    await expectRefused(
      await pay('/weather', encodePaymentSignatureHeader(p)),
      'invalid_exact_evm_signature',
    );
  });

  it('rejects an accepted offer that the server never made', async () => {
    const pr = await offer();
    const p = await signedPayload(pr, { after: (x) => ({ ...x, accepted: { ...x.accepted, amount: '1' } }) });
    const res = await pay('/weather', encodePaymentSignatureHeader(p));
    await expectRefused(res, /no matching payment requirements/i);
  });

  it('rejects a wrong payTo', async () => {
    const pr = await offer();
    const p = await signedPayload(pr, { authorization: { to: devnetAccount(8).address } });
    await expectRefused(
      await pay('/weather', encodePaymentSignatureHeader(p)),
      'invalid_exact_evm_recipient_mismatch',
    );
  });

  it('rejects an expired and a not-yet-valid authorization', async () => {
    const now = Math.floor(Date.now() / 1000);
    const pr = await offer();
    const expired = await signedPayload(pr, { authorization: { validBefore: String(now - 10) } });
    await expectRefused(
      await pay('/weather', encodePaymentSignatureHeader(expired)),
      'invalid_exact_evm_payload_authorization_valid_before',
    );
    const early = await signedPayload(pr, { authorization: { validAfter: String(now + 3600) } });
    await expectRefused(
      await pay('/weather', encodePaymentSignatureHeader(early)),
      'invalid_exact_evm_payload_authorization_valid_after',
    );
  });

  it('rejects an authorization valid for longer than the offer allows, moving nothing', async () => {
    const pr = await offer();
    const accepted = pr.accepts[0] ?? assert.fail('no offer');
    const payer = devnet.accounts.payer.address;
    const before = await balance(payer);
    const now = Math.floor(Date.now() / 1000);
    const far = await signedPayload(pr, {
      authorization: { validBefore: String(now + accepted.maxTimeoutSeconds + 3600) },
    });
    await expectRefused(
      await pay('/weather', encodePaymentSignatureHeader(far)),
      'invalid_exact_evm_payload_authorization_valid_before_too_far',
    );
    assert.equal(await balance(payer), before);
    // what an honest client signs, now + maxTimeoutSeconds, still pays
    const honest = await signedPayload(pr, {
      authorization: { validBefore: String(now + accepted.maxTimeoutSeconds) },
    });
    assert.equal((await pay('/weather', encodePaymentSignatureHeader(honest))).status, 200);
  });

  it('rejects a signature from another key', async () => {
    const pr = await offer();
    const p = await signedPayload(pr, {
      key: devnetAccount(9).privateKey as Hex,
      authorization: { from: devnet.accounts.payer.address },
    });
    await expectRefused(
      await pay('/weather', encodePaymentSignatureHeader(p)),
      'invalid_exact_evm_signature',
    );
  });

  it('rejects a payer without funds', async () => {
    const pr = await offer();
    const p = await signedPayload(pr, { key: devnetAccount(9).privateKey as Hex });
    await expectRefused(
      await pay('/weather', encodePaymentSignatureHeader(p)),
      'invalid_exact_evm_insufficient_balance',
    );
  });

  it('serves a payment once: a replayed header is refused and moves nothing', async () => {
    const pr = await offer();
    const header = encodePaymentSignatureHeader(await signedPayload(pr));
    const first = await pay('/weather', header);
    assert.equal(first.status, 200);
    const payer = devnet.accounts.payer.address;
    const before = await balance(payer);
    const calls = server.handlerCalls();
    const replay = await pay('/weather', header);
    await expectRefused(replay, 'duplicate_settlement');
    // the replay is told which transaction its payment already went into
    const said = decodePaymentResponseHeader(replay.headers.get('payment-response') ?? '');
    assert.equal(
      said.transaction,
      decodePaymentResponseHeader(first.headers.get('payment-response') ?? '').transaction,
    );
    assert.equal(server.handlerCalls(), calls);
    assert.equal(await balance(payer), before);
  });

  it('does not settle when the handler fails', async () => {
    const pr = await offer('/broken');
    const header = encodePaymentSignatureHeader(await signedPayload(pr));
    const before = await balance(devnet.accounts.payer.address);
    const res = await pay('/broken', header);
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('payment-response'), null);
    assert.equal(await balance(devnet.accounts.payer.address), before);
  });

  it('answers garbage and oversized headers with 402 and a reason, never 500', async () => {
    for (const garbage of [
      '!!!',
      'eyJ4NDAyVmVyc2lvbiI6Mn0=',
      Buffer.from('not json').toString('base64'),
      'A'.repeat(15_000),
    ]) {
      const res = await pay('/weather', garbage);
      assert.equal(res.status, 402, garbage.slice(0, 20));
      const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
      assert.ok(
        pr.error && pr.error !== 'Payment required',
        `a specific error for ${garbage.slice(0, 20)}: ${pr.error}`,
      );
    }
    const huge = await pay('/weather', 'A'.repeat(40_000));
    assert.ok(huge.status === 431 || huge.status === 402, `oversized header: ${huge.status}`);
  });

  it('accepts a v1 X-PAYMENT payment and answers X-PAYMENT-RESPONSE', async () => {
    const pr = await offer();
    const signed = await signedPayload(pr);
    const v1 = { x402Version: 1 as const, scheme: 'exact', network: 'base-sepolia', payload: signed.payload };
    const res = await pay('/weather', encodePaymentSignatureHeader(v1), 'X-PAYMENT');
    assert.equal(res.status, 200, await res.clone().text());
    const receipt = decodePaymentResponseHeader(res.headers.get('x-payment-response') ?? '');
    assert.equal(receipt.success, true);
    assert.equal(receipt.network, 'base-sepolia');
  });

  it('leaves free routes alone', async () => {
    const res = await fetch(`${server.url}/free`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { free: true });
  });
});
