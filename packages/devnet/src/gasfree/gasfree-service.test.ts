import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GasFreePermitMessage } from '@x402kit/core';
import type { Address, Hex } from 'viem';
import { erc20Abi } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';
import { privateKeyToAccount } from 'viem/accounts';
import { devnetAccount } from '../accounts.js';
import { tronAddressToBase58 } from '../tron/tron-address.js';
import { gasFreeAuthHeaders } from './gasfree-auth.js';
import { GASFREE_PERMIT_TRANSFER_TYPES, gasFreeControllerDomain } from './gasfree-controller.js';
import type { GasFreeDevnet } from './gasfree-devnet.js';
import { startGasFreeDevnet } from './gasfree-devnet.js';
import type { GasFreeService } from './gasfree-service.js';

type Json = Record<string, unknown> & {
  code: number;
  reason: string | null;
  data: Record<string, never> | null;
};

describe('local GasFree service', () => {
  let gasfree: GasFreeDevnet;
  let authed: GasFreeService;
  const receiver = devnetAccount(2).address;
  let nextUser = 30;
  const newUser = () => privateKeyToAccount(devnetAccount(nextUser++).privateKey);
  const API_KEY = 'local-key';
  const API_SECRET = 'local-secret';

  before(async () => {
    gasfree = await startGasFreeDevnet({ service: { timing: { solidifyDelayMs: 20 } } });
    authed = await gasfree.startService({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      basePath: '/tron',
      timing: { relayDelayMs: 300 },
    });
  });
  after(async () => {
    await authed?.stop();
    await gasfree?.stop();
  });

  const get = async (path: string, base = gasfree.service.baseUrl, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const post = async (
    body: unknown,
    base = gasfree.service.baseUrl,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${base}/api/v1/gasfree/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
  const now = () => Math.floor(Date.now() / 1000);

  /** Signs a permit with viem (hex addresses) and returns the submit body in BofAI's shape (Base58). */
  async function permit(
    user: PrivateKeyAccount,
    overrides: Partial<Record<string, bigint | number | Address>> = {},
  ) {
    const message = {
      token: gasfree.token.address,
      serviceProvider: devnetAccount(7).address,
      user: user.address,
      receiver,
      value: 2_000_000n,
      maxFee: 1_100_000n,
      deadline: BigInt(now() + 300),
      version: 1n,
      nonce: 0n,
      ...overrides,
    } as GasFreePermitMessage;
    const sig: Hex = await user.signTypedData({
      domain: gasFreeControllerDomain(gasfree.chainId, gasfree.controller),
      types: GASFREE_PERMIT_TRANSFER_TYPES,
      primaryType: 'PermitTransfer',
      message,
    });
    return {
      token: tronAddressToBase58(message.token),
      serviceProvider: tronAddressToBase58(message.serviceProvider),
      user: tronAddressToBase58(message.user),
      receiver: tronAddressToBase58(message.receiver),
      value: message.value.toString(),
      maxFee: message.maxFee.toString(),
      deadline: Number(message.deadline),
      version: Number(message.version),
      nonce: Number(message.nonce),
      sig: sig.slice(2),
      requestId: `x402-${Date.now()}-${sig.slice(2, 10)}`,
    };
  }

  async function waitDone(traceId: string, base = gasfree.service.baseUrl) {
    for (let i = 0; i < 200; i++) {
      const { body } = await get(`/api/v1/gasfree/${traceId}`, base);
      const data = body.data as { state?: string } | null;
      if (data && (data.state === 'SUCCEED' || data.state === 'FAILED'))
        return data as Record<string, unknown>;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('transfer did not finish');
  }

  const balance = (address: Address) =>
    gasfree.client.readContract({
      address: gasfree.token.address,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [address],
    });

  test('lists tokens and providers in the GasFree wire format', async () => {
    const tokens = await get('/api/v1/config/token/all');
    assert.equal(tokens.status, 200);
    assert.deepEqual(Object.keys(tokens.body), ['code', 'reason', 'message', 'data']);
    const token = (tokens.body.data as unknown as { tokens: Record<string, unknown>[] }).tokens[0];
    assert.equal(token?.tokenAddress, 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf');
    assert.equal(token?.activateFee, 1_000_000);
    assert.equal(token?.decimal, 6);
    const providers = await get('/api/v1/config/provider/all');
    const provider = (providers.body.data as unknown as { providers: Record<string, unknown>[] })
      .providers[0];
    assert.equal(provider?.address, tronAddressToBase58(devnetAccount(7).address));
    assert.deepEqual(provider?.config, {
      minDeadlineDuration: 60,
      maxDeadlineDuration: 3600,
      defaultDeadlineDuration: 180,
      maxPendingTransfer: 1,
    });
  });

  test('a fresh user: inactive, nonce 0, Base58 addresses; hex input accepted; garbage refused', async () => {
    const user = newUser();
    const info = await get(`/api/v1/address/${tronAddressToBase58(user.address)}`);
    assert.equal(info.body.code, 200);
    const data = info.body.data as unknown as Record<string, unknown>;
    assert.equal(data.accountAddress, tronAddressToBase58(user.address));
    assert.equal(data.gasFreeAddress, tronAddressToBase58(gasfree.gasFreeAddressOf(user.address)));
    assert.equal(data.active, false);
    assert.equal(data.nonce, 0);
    assert.equal(data.allowSubmit, true);
    const byHex = await get(`/api/v1/address/${user.address}`);
    assert.deepEqual(byHex.body.data, info.body.data);
    const bad = await get('/api/v1/address/123');
    assert.deepEqual(bad.body, {
      code: 400,
      reason: 'GasFreeAddressNotFoundException',
      message: '123',
      data: null,
    });
  });

  test('end to end: a real signature moves real tokens; the inactive account pays activateFee', async () => {
    const user = newUser();
    const account = gasfree.gasFreeAddressOf(user.address);
    await gasfree.fund(user.address, 10_000_000n);
    const provider = devnetAccount(7).address;
    const [receiverBefore, providerBefore] = [await balance(receiver), await balance(provider)];
    const submitted = await post(await permit(user));
    assert.equal(submitted.body.code, 200, JSON.stringify(submitted.body));
    const data = submitted.body.data as unknown as Record<string, unknown>;
    assert.equal(typeof data.id, 'string');
    assert.equal(data.state, 'WAITING');
    assert.equal(data.estimatedActivateFee, 1_000_000);
    const done = await waitDone(String(data.id));
    assert.equal(done.state, 'SUCCEED');
    assert.equal(done.txnState, 'SOLIDITY');
    assert.match(String(done.txnHash), /^0x[0-9a-f]{64}$/);
    assert.equal(done.accountAddress, tronAddressToBase58(user.address));
    assert.equal(done.targetAddress, tronAddressToBase58(receiver));
    assert.equal(done.amount, 2_000_000);
    assert.equal((await balance(receiver)) - receiverBefore, 2_000_000n);
    assert.equal((await balance(provider)) - providerBefore, 1_100_000n);
    assert.equal(await balance(account), 10_000_000n - 3_100_000n);
    const info = (await get(`/api/v1/address/${tronAddressToBase58(user.address)}`)).body
      .data as unknown as Record<string, unknown>;
    assert.equal(info.active, true);
    assert.equal(info.nonce, 1);

    // Active now: only transferFee; addresses as 0x hex and the documented `provider` field name.
    const second = await permit(user, { nonce: 1n, value: 1_000_000n, maxFee: 100_000n });
    const { serviceProvider, ...rest } = second;
    const hexBody = {
      ...rest,
      provider: provider,
      token: gasfree.token.address,
      user: user.address,
      receiver,
    };
    assert.ok(serviceProvider);
    const again = await post(hexBody);
    assert.equal(again.body.code, 200, JSON.stringify(again.body));
    const done2 = await waitDone(String((again.body.data as unknown as { id: string }).id));
    assert.equal(done2.state, 'SUCCEED');
    assert.equal(await balance(account), 10_000_000n - 3_100_000n - 1_100_000n);
  });

  test('refuses permits as a GasFree provider does', async () => {
    const user = newUser();
    await gasfree.fund(user.address, 5_000_000n);
    const expectReason = async (body: unknown, reason: string) => {
      const { status, body: answer } = await post(body);
      assert.equal(status, 200);
      assert.equal(answer.code, 400);
      assert.equal(answer.reason, reason, JSON.stringify(answer));
      assert.equal(answer.data, null);
    };
    await expectReason(await permit(user, { deadline: now() + 10 }), 'DeadlineExceededException');
    await expectReason(await permit(user, { deadline: now() + 7200 }), 'DeadlineExceededException');
    await expectReason(await permit(user, { nonce: 3n }), 'NonceNotMatchException');
    await expectReason(await permit(user, { maxFee: 100_000n }), 'MaxFeeExceededException');
    await expectReason(await permit(user, { value: 4_000_000n }), 'InsufficientBalanceException');
    await expectReason(await permit(user, { version: 2n }), 'VersionNotSupportedException');
    await expectReason(
      await permit(user, { serviceProvider: devnetAccount(8).address }),
      'ProviderAddressNotMatchException',
    );
    await expectReason(
      await permit(user, { token: '0x1111111111111111111111111111111111111111' }),
      'UnsupportedTokenException',
    );
    const tampered = { ...(await permit(user)), value: '1999999' };
    await expectReason(tampered, 'InvalidSignatureException');
    await expectReason({ ...(await permit(user)), user: 'Tnot-an-address' }, 'ValidationException');
    await expectReason({ ...(await permit(user)), sig: 'zz' }, 'ValidationException');
    await expectReason('{not json', 'ValidationException');
    await expectReason([1, 2], 'ValidationException');
    const unknown = await get('/api/v1/gasfree/no-such-trace');
    assert.equal(unknown.body.reason, 'TransferNotFoundException');
    const missing = await get('/api/v1/nothing');
    assert.equal(missing.status, 404);
    const outside = await fetch(`http://127.0.0.1:${gasfree.service.port}/api/v1/config/token/all`);
    assert.equal(outside.status, 404);
  });

  test('API-key auth: HMAC over METHOD + full path (with base path) + timestamp', async () => {
    const path = '/tron/api/v1/config/token/all';
    const good = gasFreeAuthHeaders({ apiKey: API_KEY, apiSecret: API_SECRET, method: 'GET', path });
    assert.equal((await get('/api/v1/config/token/all', authed.baseUrl, good)).body.code, 200);
    const refused = async (headers: Record<string, string>) => {
      const { status, body } = await get('/api/v1/config/token/all', authed.baseUrl, headers);
      assert.equal(status, 401);
      assert.equal(body.reason, 'UnauthorizedException');
    };
    await refused({});
    await refused({ Timestamp: good.Timestamp });
    await refused(gasFreeAuthHeaders({ apiKey: API_KEY, apiSecret: 'wrong', method: 'GET', path }));
    await refused(gasFreeAuthHeaders({ apiKey: 'other', apiSecret: API_SECRET, method: 'GET', path }));
    await refused(
      gasFreeAuthHeaders({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        method: 'GET',
        path: '/api/v1/config/token/all',
      }),
    );
    await refused(gasFreeAuthHeaders({ apiKey: API_KEY, apiSecret: API_SECRET, method: 'POST', path }));
    await refused(
      gasFreeAuthHeaders({
        apiKey: API_KEY,
        apiSecret: API_SECRET,
        method: 'GET',
        path,
        timestamp: now() - 600,
      }),
    );
  });

  test('pending transfers: WAITING first, one at a time (TooManyPendingTransferException)', async () => {
    const user = newUser();
    await gasfree.fund(user.address, 10_000_000n);
    const submitPath = '/tron/api/v1/gasfree/submit';
    const headers = () =>
      gasFreeAuthHeaders({ apiKey: API_KEY, apiSecret: API_SECRET, method: 'POST', path: submitPath });
    const first = await post(await permit(user), authed.baseUrl, headers());
    assert.equal(first.body.code, 200, JSON.stringify(first.body));
    const id = String((first.body.data as unknown as { id: string }).id);
    assert.equal(authed.getTransfer(id)?.state, 'WAITING');
    const info = authed.getTransfer(id);
    assert.ok(info);
    const second = await post(await permit(user, { nonce: 1n, maxFee: 100_000n }), authed.baseUrl, headers());
    assert.equal(second.body.reason, 'TooManyPendingTransferException');
    await authed.idle();
    assert.equal(authed.getTransfer(id)?.state, 'SUCCEED');
  });

  test('fault modes: 503s, then data:null, then the real status', async () => {
    const user = newUser();
    await gasfree.fund(user.address, 5_000_000n);
    gasfree.service.setFaults({ transientErrors: 2, nullDataPolls: 2 });
    try {
      const submitted = await post(await permit(user));
      const id = String((submitted.body.data as unknown as { id: string }).id);
      await gasfree.service.idle();
      const r1 = await fetch(`${gasfree.service.baseUrl}/api/v1/gasfree/${id}`);
      assert.equal(r1.status, 503);
      assert.equal((await fetch(`${gasfree.service.baseUrl}/api/v1/gasfree/${id}`)).status, 503);
      assert.deepEqual((await get(`/api/v1/gasfree/${id}`)).body, {
        code: 200,
        reason: null,
        message: null,
        data: null,
      });
      assert.equal((await get(`/api/v1/gasfree/${id}`)).body.data, null);
      const real = (await get(`/api/v1/gasfree/${id}`)).body.data as unknown as Record<string, unknown>;
      assert.equal(real.state, 'SUCCEED');
    } finally {
      gasfree.service.setFaults({});
    }
  });
});
