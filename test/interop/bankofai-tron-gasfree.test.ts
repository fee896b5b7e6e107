/**
 * Interop with BofAI's `@bankofai/x402` 0.5.8 `exact_gasfree` client: its `X402Client` + `X402FetchClient` +
 * `ExactGasFreeClientMechanism` (signing with `@gasfree/gasfree-sdk`'s Nile controller domain, reading the
 * GasFree balance through its TronWeb -> the local TRON node) pays our server + our facilitator, which settle
 * through the devnet's local GasFree API on the unified TRON devnet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ExactGasFreeClientMechanism, GasFreeAPIClient, X402Client, X402FetchClient } from '@bankofai/x402';
import { startTronDevnet, type TronDevnet, tronDevnetAccount } from '@x402kit/devnet';
import { getPaymentResponse } from '@x402kit/http';
import { createLocalTronClientSigner } from '@x402kit/testing/bofai-tron-signer';
import { type GasFreeTestStack, startGasFreeTestStack } from '@x402kit/testing/tron';

const PRICE = 10_000n;
const FEE = 100_000n;

describe("BofAI's exact_gasfree client paying our server + facilitator (TRON devnet)", () => {
  let devnet: TronDevnet;
  let stack: GasFreeTestStack;
  const quiet = { debug: console.debug, warn: console.warn };

  before(async () => {
    devnet = await startTronDevnet();
    stack = await startGasFreeTestStack(devnet, { fee: FEE });
    // BofAI's mechanism logs every signing step with console.debug
    console.debug = () => undefined;
    console.warn = () => undefined;
  });
  after(async () => {
    Object.assign(console, quiet);
    await stack?.close();
    await devnet?.stop();
  });

  async function bofaiFetch(index: number) {
    const gasFree = devnet.gasFree ?? assert.fail('no GasFree');
    const signer = await createLocalTronClientSigner({
      fullHost: devnet.fullHost,
      privateKey: tronDevnetAccount(index).privateKey,
    });
    const mechanism = new ExactGasFreeClientMechanism(signer, {
      'tron:nile': new GasFreeAPIClient(gasFree.baseUrl),
    });
    return new X402FetchClient(new X402Client().register('tron:*', mechanism));
  }

  it('pays with the G1 wire: receiver gets value, provider the fee with activation, main wallet untouched', async () => {
    const gasFree = devnet.gasFree ?? assert.fail('no GasFree');
    const payer = tronDevnetAccount(5);
    await gasFree.fund(payer.address, 5_000_000n);
    const provider = gasFree.providers[0] ?? '';
    const payTo = devnet.accounts.payTo.address;
    const usdt = async (a: string) => (await devnet.balances(a)).USDT;
    const main0 = await devnet.balances(payer.address);
    const [t0, p0] = [await usdt(payTo), await usdt(provider)];
    const client = await bofaiFetch(payer.index);
    const res = await client.get(`${stack.serverUrl}/weather`);
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), { weather: 'sunny' });
    const receipt = getPaymentResponse(res);
    assert.ok(receipt?.success);
    assert.match(receipt.transaction, /^[0-9a-f]{64}$/);
    const fee = gasFree.token.activateFee + gasFree.token.transferFee;
    assert.equal(await usdt(payTo), t0 + PRICE);
    assert.equal(await usdt(provider), p0 + fee);
    assert.deepEqual(await devnet.balances(payer.address), main0);
    // second payment: active account, transfer fee only
    const again = await client.get(`${stack.serverUrl}/weather`);
    assert.equal(again.status, 200, await again.clone().text());
    assert.equal(await usdt(provider), p0 + fee + gasFree.token.transferFee);
  });
});
