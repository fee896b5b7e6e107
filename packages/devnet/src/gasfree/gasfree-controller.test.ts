import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GasFreePermitMessage } from '@x402kit/core';
import type { Address, Hex } from 'viem';
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeEventLog,
  erc20Abi,
  getAddress,
  hashTypedData,
  parseEther,
  toFunctionSelector,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { DEVNET_ACCOUNTS, devnetAccount } from '../accounts.js';
import type { AnvilProcess } from '../anvil.js';
import { startAnvil } from '../anvil.js';
import { devnetChain } from '../devnet-chain.js';
import type { DevnetClient } from '../devnet-client.js';
import { createDevnetClient } from '../devnet-client.js';
import { gasFreeControllerArtifact } from '../generated/contracts.js';
import { mintWith } from '../mint-with.js';
import { placeErc20Token } from '../place-erc20-token.js';
import {
  GASFREE_CONTROLLER_MAINNET_ADDRESS,
  GASFREE_CONTROLLER_NILE_ADDRESS,
  GASFREE_PERMIT_TRANSFER_TYPES,
  gasFreeAccountAddress,
  gasFreeControllerDomain,
  placeGasFreeController,
} from './gasfree-controller.js';

const NILE = 3448148188;
const USDT: Address = '0xECa9bC828A3005B9a3b909f2cc5c2a54794DE05F';
const abi = gasFreeControllerArtifact.abi;
const ACTIVATE_FEE = 1_000_000n;
const TRANSFER_FEE = 100_000n;

describe('GasFreeController', () => {
  let anvil: AnvilProcess;
  let client: DevnetClient;
  const owner = DEVNET_ACCOUNTS.deployer.address;
  const provider = privateKeyToAccount(devnetAccount(7).privateKey);
  const stranger = privateKeyToAccount(devnetAccount(8).privateKey);
  const user = privateKeyToAccount(devnetAccount(12).privateKey);
  const receiver = devnetAccount(2).address;
  const controller = GASFREE_CONTROLLER_NILE_ADDRESS;

  before(async () => {
    anvil = await startAnvil({ chainId: NILE });
    client = createDevnetClient(devnetChain({ chainId: NILE, rpcUrl: anvil.rpcUrl }));
    await placeErc20Token(client, {
      token: {
        kind: 'erc20',
        address: USDT,
        name: 'Tether USD',
        symbol: 'USDT',
        decimals: 6,
        returnsBool: false,
      },
      owner,
    });
    await placeGasFreeController(client, {
      owner,
      providers: [provider.address],
      tokens: [{ address: USDT, activateFee: ACTIVATE_FEE, transferFee: TRANSFER_FEE }],
    });
    await client.setBalance({ address: user.address, value: parseEther('1') });
  });
  after(async () => {
    await anvil?.stop();
  });

  function message(overrides: Partial<Record<string, bigint | Address>> = {}) {
    return {
      token: USDT,
      serviceProvider: provider.address,
      user: user.address,
      receiver,
      value: 5_000_000n,
      maxFee: ACTIVATE_FEE + TRANSFER_FEE,
      deadline: BigInt(Math.floor(Date.now() / 1000) + 600),
      version: 1n,
      nonce: 0n,
      ...overrides,
    } as GasFreePermitMessage;
  }

  async function sign(m: ReturnType<typeof message>): Promise<Hex> {
    return user.signTypedData({
      domain: gasFreeControllerDomain(NILE, controller),
      types: GASFREE_PERMIT_TRANSFER_TYPES,
      primaryType: 'PermitTransfer',
      message: m,
    });
  }

  async function submit(m: ReturnType<typeof message>, sig: Hex, from: Address = provider.address) {
    const hash = await client.writeContract({
      address: controller,
      abi,
      functionName: 'permitTransfer',
      args: [m.token, m.user, m.receiver, m.value, m.maxFee, m.deadline, m.version, m.nonce, sig],
      account: from,
      chain: client.chain,
    });
    return client.waitForTransactionReceipt({ hash });
  }

  async function revertName(m: ReturnType<typeof message>, sig: Hex, from: Address = provider.address) {
    try {
      await client.simulateContract({
        address: controller,
        abi,
        functionName: 'permitTransfer',
        args: [m.token, m.user, m.receiver, m.value, m.maxFee, m.deadline, m.version, m.nonce, sig],
        account: from,
      });
    } catch (error) {
      const reverted =
        error instanceof BaseError
          ? error.walk((e) => e instanceof ContractFunctionRevertedError)
          : undefined;
      if (reverted instanceof ContractFunctionRevertedError) return reverted.data?.errorName;
      throw error;
    }
    return undefined;
  }

  const balance = (address: Address) =>
    client.readContract({ address: USDT, abi: erc20Abi, functionName: 'balanceOf', args: [address] });

  test('has the permitTransfer selector 0x6f21b898 and the section 2.2 typehash', async () => {
    const item = abi.find((entry) => entry.type === 'function' && entry.name === 'permitTransfer');
    assert.ok(item);
    assert.equal(toFunctionSelector(item), '0x6f21b898');
    const typehash = await client.readContract({
      address: controller,
      abi,
      functionName: 'PERMIT_TRANSFER_TYPEHASH',
    });
    assert.equal(typehash, '0x7152a81926d9e798ca737da749154c32625b4ff2ffa7b4fe94e46d745c5202f4');
    assert.equal(getAddress(GASFREE_CONTROLLER_MAINNET_ADDRESS), GASFREE_CONTROLLER_MAINNET_ADDRESS);
  });

  test('hashes the section 2.2 vector on chain (Nile id, Nile controller address)', async () => {
    const vector = {
      token: USDT,
      serviceProvider: '0x3333333333333333333333333333333333333333',
      user: '0x2c7536E3605D9C16a7a3D7b1898e529396a65c23',
      receiver: '0x2222222222222222222222222222222222222222',
      value: 1_000_000n,
      maxFee: 2_000_000n,
      deadline: 1_700_000_600n,
      version: 1n,
      nonce: 0n,
    } as const;
    const digest = '0x70a05594ea7c505a19d42404162a08c7a81f79c9af3d36e3f4eb7250b94f0866';
    const onChain = await client.readContract({
      address: controller,
      abi,
      functionName: 'hashPermitTransfer',
      args: [
        vector.token,
        vector.serviceProvider,
        vector.user,
        vector.receiver,
        vector.value,
        vector.maxFee,
        vector.deadline,
        vector.version,
        vector.nonce,
      ],
    });
    assert.equal(onChain, digest);
    const offChain = hashTypedData({
      domain: gasFreeControllerDomain(NILE, controller),
      types: GASFREE_PERMIT_TRANSFER_TYPES,
      primaryType: 'PermitTransfer',
      message: vector,
    });
    assert.equal(offChain, digest);
  });

  test('first transfer activates the account (tokens sent before it exists) and charges activateFee', async () => {
    const account = gasFreeAccountAddress({ controller, user: user.address });
    const view = await client.readContract({
      address: controller,
      abi,
      functionName: 'gasFreeAddressOf',
      args: [user.address],
    });
    assert.equal(view, account);
    await mintWith(client, { token: USDT, owner, to: account, amount: 20_000_000n });
    assert.equal(
      await client.readContract({ address: controller, abi, functionName: 'isActive', args: [user.address] }),
      false,
    );
    const m = message();
    const before = await balance(receiver);
    const receipt = await submit(m, await sign(m));
    assert.equal(receipt.status, 'success');
    assert.equal((await balance(receiver)) - before, m.value);
    assert.equal(await balance(provider.address), ACTIVATE_FEE + TRANSFER_FEE);
    assert.equal(await balance(account), 20_000_000n - m.value - ACTIVATE_FEE - TRANSFER_FEE);
    assert.equal(
      await client.readContract({ address: controller, abi, functionName: 'isActive', args: [user.address] }),
      true,
    );
    assert.equal(
      await client.readContract({ address: controller, abi, functionName: 'nonces', args: [user.address] }),
      1n,
    );
    const events = receipt.logs
      .filter((log) => getAddress(log.address) === controller)
      .map((log) => decodeEventLog({ abi, data: log.data, topics: log.topics }));
    const transfer = events.find((e) => e.eventName === 'GasFreeTransfer');
    assert.ok(transfer && transfer.eventName === 'GasFreeTransfer');
    assert.deepEqual(
      { ...transfer.args },
      {
        user: user.address,
        token: USDT,
        receiver,
        gasFreeAccount: account,
        serviceProvider: provider.address,
        value: m.value,
        fee: ACTIVATE_FEE + TRANSFER_FEE,
        nonce: 0n,
      },
    );
  });

  test('later transfers charge only transferFee', async () => {
    const m = message({ nonce: 1n, value: 1_000_000n, maxFee: TRANSFER_FEE });
    const providerBefore = await balance(provider.address);
    const receipt = await submit(m, await sign(m));
    assert.equal(receipt.status, 'success');
    assert.equal((await balance(provider.address)) - providerBefore, TRANSFER_FEE);
  });

  test('refuses what it must refuse', async () => {
    const good = message({ nonce: 2n, value: 1n, maxFee: TRANSFER_FEE });
    const sig = await sign(good);
    assert.equal(await revertName(good, sig, stranger.address), 'ProviderNotRegistered');
    const oldNonce = message({ nonce: 1n, value: 1n, maxFee: TRANSFER_FEE });
    assert.equal(await revertName(oldNonce, await sign(oldNonce)), 'InvalidNonce');
    const expired = message({ nonce: 2n, deadline: 1_000n, maxFee: TRANSFER_FEE });
    assert.equal(await revertName(expired, await sign(expired)), 'DeadlineExpired');
    const v2 = message({ nonce: 2n, version: 2n, maxFee: TRANSFER_FEE });
    assert.equal(await revertName(v2, await sign(v2)), 'UnsupportedVersion');
    const cheap = message({ nonce: 2n, maxFee: TRANSFER_FEE - 1n });
    assert.equal(await revertName(cheap, await sign(cheap)), 'MaxFeeExceeded');
    const other = message({ nonce: 2n, token: '0x1111111111111111111111111111111111111111' });
    assert.equal(await revertName(other, await sign(other)), 'UnsupportedToken');
    // Signed for another provider: the digest uses msg.sender as serviceProvider.
    const forStranger = { ...good, serviceProvider: stranger.address };
    assert.equal(await revertName(good, await sign(forStranger)), 'InvalidSignature');
    assert.equal(await revertName({ ...good, value: 2n }, sig), 'InvalidSignature');
    assert.equal(await revertName(good, sig), undefined);
  });
});
