import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GasFreeDevnet, GasFreeService } from '@x402kit/devnet';
import { devnetAccount, gasFreeControllerArtifact, startGasFreeDevnet } from '@x402kit/devnet';
import { erc20Abi } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { privateKeyToAccount } from 'viem/accounts';
import { toTronAddress } from '../address.js';
import type { GasFreeApiClient } from './gasfree-api-client.js';
import { createGasFreeApiClient } from './gasfree-api-client.js';
import type { GasFreeTransfer } from './gasfree-api-types.js';
import { GasFreeError } from './gasfree-error.js';
import type { GasFreePermitInput } from './typed-data.js';
import { clampGasFreeDeadline, gasFreeMaxFee, gasFreeTypedData } from './typed-data.js';

describe('GasFree API client against the local GasFree service', () => {
  let gasfree: GasFreeDevnet;
  let authed: GasFreeService;
  let api: GasFreeApiClient;
  let nextUser = 60;
  const receiver = toTronAddress(devnetAccount(2).address);
  const newUser = () => privateKeyToAccount(devnetAccount(nextUser++).privateKey);

  before(async () => {
    gasfree = await startGasFreeDevnet({ service: { timing: { solidifyDelayMs: 200 } } });
    authed = await gasfree.startService({
      basePath: '/nile',
      apiKey: 'k1',
      apiSecret: 's1',
      timing: { relayDelayMs: 300 },
    });
    api = createGasFreeApiClient({ baseUrl: gasfree.service.baseUrl });
  });
  after(async () => {
    await authed?.stop();
    await gasfree?.stop();
  });

  /** The client flow: address info, provider, maxFee and deadline rules, TIP-712 signature, submit. */
  async function pay(client: GasFreeApiClient, user: PrivateKeyAccount, value = 1_000_000n) {
    const info = await client.getAddressInfo(user.address);
    const [provider] = await client.getProviders();
    const asset = info.assets.find((a) => a.tokenSymbol === 'USDT');
    assert.ok(provider && asset);
    const permit: GasFreePermitInput = {
      token: asset.tokenAddress,
      serviceProvider: provider.address,
      user: info.accountAddress,
      receiver,
      value,
      maxFee: gasFreeMaxFee({ ...asset, decimals: asset.decimal, active: info.active }),
      deadline: clampGasFreeDeadline({
        chainId: gasfree.chainId,
        requested: Math.floor(Date.now() / 1000) + 600,
      }),
      nonce: info.nonce,
    };
    const signature = await user.signTypedData(
      gasFreeTypedData({ chainId: gasfree.chainId, controller: toTronAddress(gasfree.controller), permit }),
    );
    return client.submit(permit, signature);
  }

  const balanceOf = (address: `0x${string}`) =>
    gasfree.client.readContract({
      address: gasfree.token.address,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [address],
    });

  test('reads tokens, providers and the account (bigint fees, Base58 addresses)', async () => {
    const [token] = await api.getTokens();
    assert.deepEqual(token, {
      tokenAddress: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf',
      symbol: 'USDT',
      decimal: 6,
      activateFee: 1_000_000n,
      transferFee: 100_000n,
      supported: true,
    });
    const [provider] = await api.getProviders();
    assert.equal(provider?.address, toTronAddress(devnetAccount(7).address));
    const user = newUser();
    const info = await api.getAddressInfo(`41${user.address.slice(2)}`);
    assert.equal(info.accountAddress, toTronAddress(user.address));
    assert.equal(info.gasFreeAddress, toTronAddress(gasfree.gasFreeAddressOf(user.address)));
    assert.equal(info.active, false);
    assert.equal(info.nonce, 0);
  });

  test('submit + waitForTransfer: the inactive account pays activateFee, tokens move', async () => {
    const user = newUser();
    await gasfree.fund(user.address, 5_000_000n);
    const before = await balanceOf(devnetAccount(2).address);
    const submitted = await pay(api, user);
    assert.equal(submitted.state, 'WAITING');
    const seen: string[] = [];
    const done = await api.waitForTransfer(submitted.id, {
      pollMs: 20,
      onPoll: (s) => seen.push(s ? `${s.state}/${s.txnState}` : 'null'),
    });
    assert.ok(done.txnHash);
    assert.ok(done.state === 'SUCCEED' || done.txnState === 'ON_CHAIN');
    assert.equal((await balanceOf(devnetAccount(2).address)) - before, 1_000_000n);
    assert.equal(
      await balanceOf(gasfree.gasFreeAddressOf(user.address)),
      5_000_000n - 1_000_000n - 1_100_000n,
    );
    assert.ok(seen.length > 0);
    const again = await api.getAddressInfo(user.address);
    assert.equal(again.active, true);
    assert.equal(again.nonce, 1);
  });

  test('business errors become gasfree_api_error with GasFree reason', async () => {
    const user = newUser();
    await gasfree.fund(user.address, 500_000n);
    await assert.rejects(
      pay(api, user, 1_000_000n),
      (e: unknown) =>
        e instanceof GasFreeError &&
        e.reason === 'gasfree_api_error' &&
        e.apiReason === 'InsufficientBalanceException',
    );
    await assert.rejects(
      api.getStatus('no-such-id'),
      (e: unknown) => e instanceof GasFreeError && e.apiReason === 'TransferNotFoundException',
    );
  });

  test('tolerates 503s and data:null while polling and still returns the landed transfer', async () => {
    const user = newUser();
    await gasfree.fund(user.address, 5_000_000n);
    gasfree.service.setFaults({ transientErrors: 2, nullDataPolls: 3 });
    try {
      const submitted = await pay(api, user);
      const polls: string[] = [];
      const done = await api.waitForTransfer(submitted.id, {
        pollMs: 10,
        maxConsecutiveErrors: 3,
        onPoll: (s, e) => polls.push(e ? e.reason : s ? String(s.state) : 'null'),
      });
      assert.deepEqual(polls.slice(0, 5), [
        'gasfree_http_error',
        'gasfree_http_error',
        'null',
        'null',
        'null',
      ]);
      assert.ok(done.txnHash);
    } finally {
      gasfree.service.setFaults({});
    }
  });

  test('too many consecutive errors: gives up with the reason; a timeout keeps the last status', async () => {
    const user = newUser();
    await gasfree.fund(user.address, 5_000_000n);
    gasfree.service.setFaults({ transientErrors: 10 });
    let id = '';
    try {
      id = (await pay(api, user)).id;
      await assert.rejects(api.waitForTransfer(id, { pollMs: 5, maxConsecutiveErrors: 3 }), (e: unknown) => {
        return (
          e instanceof GasFreeError && e.reason === 'gasfree_http_error' && e.status === 503 && e.transient
        );
      });
    } finally {
      gasfree.service.setFaults({});
    }
    await gasfree.service.idle();
    // Polls 1..3 were used above; the fault still answers 503 until poll 10, then the landed transfer shows.
    const done = await api.waitForTransfer(id, { pollMs: 5, maxConsecutiveErrors: 10 });
    assert.equal(done.state, 'SUCCEED');

    const other = newUser();
    await gasfree.fund(other.address, 5_000_000n);
    gasfree.service.setFaults({ nullDataPolls: 1000 });
    try {
      const pending = await pay(api, other);
      await assert.rejects(api.waitForTransfer(pending.id, { pollMs: 10, timeoutMs: 150 }), (e: unknown) => {
        return e instanceof GasFreeError && e.reason === 'gasfree_timeout' && e.traceId === pending.id;
      });
    } finally {
      gasfree.service.setFaults({});
    }
  });

  test('a transfer that reverts on chain is gasfree_transfer_failed with its status', async () => {
    const user = newUser();
    await gasfree.fund(user.address, 5_000_000n);
    const signed = createGasFreeApiClient({ baseUrl: authed.baseUrl, apiKey: 'k1', apiSecret: 's1' });
    const submitted = await pay(signed, user);
    // While the transfer waits (relayDelayMs), the controller's owner deregisters the provider: it reverts.
    const setProvider = async (registered: boolean) => {
      const hash = await gasfree.client.writeContract({
        address: gasfree.controller,
        abi: gasFreeControllerArtifact.abi,
        functionName: 'setProvider',
        args: [devnetAccount(7).address, registered],
        account: devnetAccount(0).address,
        chain: gasfree.chain,
      });
      await gasfree.client.waitForTransactionReceipt({ hash });
    };
    await setProvider(false);
    try {
      await assert.rejects(signed.waitForTransfer(submitted.id, { pollMs: 20 }), (e: unknown) => {
        if (!(e instanceof GasFreeError) || e.reason !== 'gasfree_transfer_failed') return false;
        const last = e.details?.lastStatus as GasFreeTransfer | undefined;
        return last?.txnState === 'ON_CHAIN_FAILED' && typeof last.txnHash === 'string';
      });
    } finally {
      await setProvider(true);
    }
  });

  test('HMAC ApiKey auth against a service that requires it', async () => {
    const signed = createGasFreeApiClient({ baseUrl: authed.baseUrl, apiKey: 'k1', apiSecret: 's1' });
    assert.equal((await signed.getTokens()).length, 1);
    const unsigned = createGasFreeApiClient({ baseUrl: authed.baseUrl });
    await assert.rejects(unsigned.getTokens(), (e: unknown) => e instanceof GasFreeError && e.status === 401);
    const wrong = createGasFreeApiClient({ baseUrl: `${authed.baseUrl}/`, apiKey: 'k1', apiSecret: 'nope' });
    await assert.rejects(
      wrong.getTokens(),
      (e: unknown) => e instanceof GasFreeError && e.apiReason === 'UnauthorizedException',
    );
    const user = newUser();
    await gasfree.fund(user.address, 5_000_000n);
    const submitted = await pay(signed, user);
    const done = await signed.waitForTransfer(submitted.id, { pollMs: 20 });
    assert.ok(done.txnHash);
  });
});
