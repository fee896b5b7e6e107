/**
 * Interop with the official x402 TypeScript stack (@x402/core, @x402/evm, @x402/fetch,
 * @x402/express 2.27) on the devnet, in every direction. Each payment must settle for real:
 * the payer's and payee's token balances move by exactly the price.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodePaymentResponseHeader } from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import {
  officialFetch,
  type Running,
  startOfficialFacilitator,
  startOfficialServer,
} from '@x402kit/testing/official';
import { ourFetch, startOurFacilitator, startOurServer } from '@x402kit/testing/ours';
import { createPublicClient, type Hex, http } from 'viem';

let devnet: Devnet;
let ourFacilitator: Running;
let theirFacilitator: Running;
const closers: Array<() => Promise<void>> = [];

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);

/** Pay `url` with `pay`, then check the receipt and that exactly 1000 atomic USDC moved. */
async function paysFor(pay: typeof fetch, url: string): Promise<void> {
  const payer = devnet.accounts.payer.address;
  const payTo = devnet.accounts.payTo.address;
  const [p0, t0] = [await balance(payer), await balance(payTo)];
  const res = await pay(url);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  assert.deepEqual(JSON.parse(body), { report: { weather: 'sunny', temperature: 70 } });
  const header = res.headers.get('payment-response');
  assert.ok(header, 'PAYMENT-RESPONSE header');
  const receipt = decodePaymentResponseHeader(header);
  assert.equal(receipt.success, true);
  assert.equal(receipt.network, devnet.network);
  const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
  assert.equal((await chain.getTransactionReceipt({ hash: receipt.transaction as Hex })).status, 'success');
  assert.equal(await balance(payer), p0 - 1000n);
  assert.equal(await balance(payTo), t0 + 1000n);
}

describe('interop with @x402/* 2.27 on the devnet (exact, EIP-3009)', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    const key = devnet.accounts.facilitator.privateKey as Hex;
    ourFacilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [key],
    });
    theirFacilitator = await startOfficialFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKey: key,
    });
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await ourFacilitator?.close();
    await theirFacilitator?.close();
    await devnet?.stop();
  });

  async function ourServerWith(facilitatorUrl: string): Promise<string> {
    const s = await startOurServer({
      facilitatorUrl,
      payTo: devnet.accounts.payTo.address,
      network: devnet.network,
    });
    closers.push(s.close);
    return s.url;
  }
  async function theirServerWith(facilitatorUrl: string): Promise<string> {
    const s = await startOfficialServer({
      facilitatorUrl,
      payTo: devnet.accounts.payTo.address,
      network: devnet.network,
    });
    closers.push(s.close);
    return s.url;
  }
  const payerKey = () => devnet.accounts.payer.privateKey as Hex;

  it('official client -> our server + our facilitator', async () => {
    await paysFor(officialFetch(payerKey()), `${await ourServerWith(ourFacilitator.url)}/weather`);
  });

  it('our client -> official server + official facilitator', async () => {
    await paysFor(ourFetch(payerKey()), `${await theirServerWith(theirFacilitator.url)}/weather`);
  });

  it('official server -> our facilitator (paid by the official client and by ours)', async () => {
    const url = `${await theirServerWith(ourFacilitator.url)}/weather`;
    await paysFor(officialFetch(payerKey()), url);
    await paysFor(ourFetch(payerKey()), url);
  });

  it('our server -> official facilitator (paid by the official client)', async () => {
    await paysFor(officialFetch(payerKey()), `${await ourServerWith(theirFacilitator.url)}/weather`);
  });

  it('our 402 and theirs offer deep-equal requirements for the same route', async () => {
    const ours = await fetch(`${await ourServerWith(ourFacilitator.url)}/weather`);
    const theirs = await fetch(`${await theirServerWith(ourFacilitator.url)}/weather`);
    assert.equal(ours.status, 402);
    assert.equal(theirs.status, 402);
    const decode = (r: Response) =>
      JSON.parse(Buffer.from(r.headers.get('payment-required') ?? '', 'base64').toString('utf8'));
    assert.deepEqual(decode(ours).accepts, decode(theirs).accepts);
  });
});
