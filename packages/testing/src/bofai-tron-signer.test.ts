import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTronDevnet, type TronDevnet, tronDevnetAccount } from '@x402kit/devnet';
import { createLocalTronClientSigner } from './bofai-tron-signer.js';

describe("BofAI's TronClientSigner against the local TRON node", () => {
  let devnet: TronDevnet;

  before(async () => {
    devnet = await startTronDevnet({ fundTokensWith: 50n });
  });
  after(async () => {
    const unknown = devnet ? [...devnet.node.unknownPaths] : [];
    await devnet?.stop();
    assert.deepEqual(unknown, [], `BofAI called paths the node does not implement: ${unknown.join(', ')}`);
  });

  test('checkBalance reads TRC-20 balances through the node', async () => {
    const payer = tronDevnetAccount(4);
    const signer = await createLocalTronClientSigner({
      fullHost: devnet.fullHost,
      privateKey: payer.privateKey,
    });
    assert.equal(signer.getAddress(), payer.address);
    assert.equal(await signer.checkBalance(devnet.assets.USDT.address, 'tron:nile'), 50_000_000n);
    assert.equal(await signer.checkBalance(devnet.assets.USDD.address, 'tron:nile'), 50n * 10n ** 18n);
    assert.equal(await signer.checkAllowance(devnet.assets.USDT.address, 1n, 'tron:nile'), 0n);
  });

  test("ensureAllowance('auto') sends an approve to PaymentPermit and sees it confirmed", async () => {
    const payer = tronDevnetAccount(5);
    const signer = await createLocalTronClientSigner({
      fullHost: devnet.fullHost,
      privateKey: payer.privateKey,
    });
    const before = await devnet.balances(payer.address);
    // BofAI waits 3 s before its first getTransactionInfo poll.
    assert.equal(
      await signer.ensureAllowance(devnet.assets.USDT.address, 1_000_000n, 'tron:nile', 'auto'),
      true,
    );
    assert.equal(await signer.checkAllowance(devnet.assets.USDT.address, 1n, 'tron:nile'), 2n ** 160n - 1n);
    const afterBalances = await devnet.balances(payer.address);
    assert.ok(afterBalances.TRX < before.TRX, 'the approve burned TRX for energy');
    // Enough allowance now: no second transaction.
    assert.equal(
      await signer.ensureAllowance(devnet.assets.USDT.address, 1_000_000n, 'tron:nile', 'auto'),
      true,
    );
  });
});
