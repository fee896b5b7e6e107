// Interop: BofAI's own GasFreeAPIClient (@bankofai/x402 0.5.8) talks to our local GasFree service, proving the
// wire format (paths, envelope, field names, data:null and 5xx tolerance) matches what their SDK expects.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GasFreeAPIClient } from '@bankofai/x402';
import type { GasFreeDevnet } from '@x402kit/devnet';
import { devnetAccount, startGasFreeDevnet } from '@x402kit/devnet';
import { privateKeyToAccount } from 'viem/accounts';
import { toTronAddress } from '../address.js';
import { clampGasFreeDeadline, gasFreeMaxFee, gasFreeTypedData } from './typed-data.js';

describe("BofAI's GasFreeAPIClient against the local GasFree service", () => {
  let gasfree: GasFreeDevnet;
  let bofai: GasFreeAPIClient;
  let nextUser = 90;
  const quiet = { error: console.error, warn: console.warn, debug: console.debug };

  before(async () => {
    gasfree = await startGasFreeDevnet();
    bofai = new GasFreeAPIClient(gasfree.service.baseUrl);
    // BofAI's client logs every retry; keep the test output readable.
    console.warn = () => undefined;
    console.debug = () => undefined;
  });
  after(async () => {
    Object.assign(console, quiet);
    await gasfree?.stop();
  });

  async function payWithBofai() {
    const user = privateKeyToAccount(devnetAccount(nextUser++).privateKey);
    const userBase58 = toTronAddress(user.address);
    await gasfree.fund(user.address, 5_000_000n);
    const info = await bofai.getAddressInfo(userBase58);
    assert.equal(info.accountAddress, userBase58);
    assert.equal(info.active, false);
    assert.equal(await bofai.getNonce(userBase58), 0);
    const providers = await bofai.getProviders();
    const provider = providers[0];
    const asset = info.assets[0];
    assert.ok(provider && asset);
    assert.equal(typeof provider.config.maxDeadlineDuration, 'number');
    const message = {
      token: asset.tokenAddress,
      serviceProvider: provider.address,
      user: userBase58,
      receiver: toTronAddress(devnetAccount(2).address),
      value: 1_000_000n,
      maxFee: gasFreeMaxFee({
        transferFee: BigInt(asset.transferFee),
        activateFee: BigInt(asset.activateFee),
        decimals: asset.decimal,
        active: info.active,
      }),
      deadline: clampGasFreeDeadline({ chainId: gasfree.chainId }),
      version: 1n,
      nonce: BigInt(info.nonce),
    };
    const typed = gasFreeTypedData({
      chainId: gasfree.chainId,
      controller: toTronAddress(gasfree.controller),
      permit: message,
    });
    const signature = await user.signTypedData(typed);
    // BofAI passes its Base58 message through to the submit body.
    const traceId = await bofai.submit(typed.domain, message, signature);
    assert.equal(typeof traceId, 'string');
    return traceId;
  }

  test('address info, providers, submit (Base58 body) and waitForSuccess', async () => {
    const traceId = await payWithBofai();
    const status = await bofai.waitForSuccess(traceId, 30_000, 20);
    assert.ok(status.txnHash);
    assert.ok(status.state === 'SUCCEED' || status.txnState === 'ON_CHAIN' || status.txnState === 'SOLIDITY');
  });

  test('waitForSuccess rides out our 503s and data:null answers', async () => {
    gasfree.service.setFaults({ transientErrors: 2, nullDataPolls: 2 });
    try {
      const traceId = await payWithBofai();
      const status = await bofai.waitForSuccess(traceId, 30_000, 20, 3);
      assert.ok(status.txnHash);
    } finally {
      gasfree.service.setFaults({});
    }
  });

  test('business errors reach BofAI as thrown errors naming the GasFree reason', async () => {
    console.error = () => undefined;
    try {
      await assert.rejects(bofai.getAddressInfo('123'), /GasFreeAddressNotFoundException|123/);
    } finally {
      console.error = quiet.error;
    }
  });
});
