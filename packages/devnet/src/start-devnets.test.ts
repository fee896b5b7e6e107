import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readReturnsBool } from '@x402kit/testing/read-returns-bool';
import type { Address, Hex } from 'viem';
import { encodeFunctionData, erc20Abi } from 'viem';
import { DEVNET_ACCOUNTS, devnetAccount } from './accounts.js';
import { startDevnet } from './devnet.js';
import { createDevnetClient } from './devnet-client.js';
import {
  BSC_TESTNET_USDT_ADDRESS,
  BSC_USDT_ADDRESS,
  bscUsdtToken,
  DEVNET_PERMIT_TOKEN_ADDRESS,
  DEVNET_PLAIN_TOKEN_ADDRESS,
} from './erc20-tokens.js';
import { DevnetOptionsError } from './errors.js';
import { eip2612TokenArtifact } from './generated/contracts.js';
import { MULTICALL3_ADDRESS } from './multicall3.js';
import { PAYMENT_PERMIT_ADDRESS } from './payment-permit.js';
import { PERMIT2_ADDRESS } from './permit2.js';
import { X402_EXACT_PERMIT2_PROXY_ADDRESS, X402_UPTO_PERMIT2_PROXY_ADDRESS } from './permit2-proxies.js';
import { readTokenBalance } from './read-token-balance.js';
import { SMART_WALLET_FACTORY_ADDRESS } from './smart-wallet.js';
import type { MultiDevnet } from './start-devnets.js';
import { startDevnets } from './start-devnets.js';

const USDC: Address = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';

describe('startDevnets with chains 84532 and 97', () => {
  let devnet: MultiDevnet;
  before(async () => {
    devnet = await startDevnets({ chains: [{ chainId: 84532 }, { chainId: 97 }], extraPayers: 1 });
  });
  after(async () => {
    await devnet?.stop();
  });

  test('starts two chains within the startup budget', () => {
    assert.equal(devnet.chains.length, 2);
    assert.notEqual(devnet.chains[0]?.rpcUrl, devnet.chains[1]?.rpcUrl);
    assert.ok(devnet.startupMs < 5000, `startup took ${devnet.startupMs} ms`);
  });

  test('describe() keeps the single-chain fields for the first chain and adds chains', () => {
    const d = devnet.describe();
    assert.deepEqual(Object.keys(d), ['rpcUrl', 'chainId', 'network', 'accounts', 'assets', 'chains']);
    assert.equal(d.chainId, 84532);
    assert.equal(d.network, 'eip155:84532');
    assert.equal(d.rpcUrl, devnet.chains[0]?.rpcUrl);
    assert.equal(d.accounts.payer.address, DEVNET_ACCOUNTS.payer.address);
    assert.equal(d.assets.USDC, USDC);
    const contracts = {
      multicall3: MULTICALL3_ADDRESS,
      permit2: PERMIT2_ADDRESS,
      exactPermit2Proxy: X402_EXACT_PERMIT2_PROXY_ADDRESS,
      uptoPermit2Proxy: X402_UPTO_PERMIT2_PROXY_ADDRESS,
      smartWalletFactory: SMART_WALLET_FACTORY_ADDRESS,
    };
    assert.deepEqual(d.chains['eip155:84532'], {
      rpcUrl: devnet.chains[0]?.rpcUrl,
      chainId: 84532,
      assets: { USDC, PUSD: DEVNET_PERMIT_TOKEN_ADDRESS, PLUSD: DEVNET_PLAIN_TOKEN_ADDRESS },
      contracts,
    });
    assert.deepEqual(d.chains['eip155:97'], {
      rpcUrl: devnet.chains[1]?.rpcUrl,
      chainId: 97,
      assets: {
        USDC,
        USDT: BSC_TESTNET_USDT_ADDRESS,
        PUSD: DEVNET_PERMIT_TOKEN_ADDRESS,
        PLUSD: DEVNET_PLAIN_TOKEN_ADDRESS,
      },
      contracts: { ...contracts, paymentPermit: PAYMENT_PERMIT_ADDRESS },
    });
    assert.doesNotThrow(() => JSON.parse(JSON.stringify(d)));
  });

  test('every payer holds every token on every chain', async () => {
    for (const chain of devnet.chains) {
      for (const asset of Object.values(chain.assets)) {
        for (const payer of [DEVNET_ACCOUNTS.payer, devnetAccount(4)]) {
          const balance = await readTokenBalance(chain.rpcUrl, asset.address, payer.address);
          const expected =
            asset.standard === 'eip3009' ? 1_000_000_000n : 1000n * 10n ** BigInt(asset.decimals);
          assert.equal(balance, expected, `${asset.symbol} on ${chain.network}`);
        }
      }
    }
  });

  test('BSC USDT: 18 decimals, no EIP-2612/3009, returns a bool; PUSD has EIP-2612 but no EIP-3009', async () => {
    const bsc = devnet.getChain('eip155:97');
    const client = createDevnetClient(bsc.chain);
    assert.deepEqual(bsc.assets.USDT, {
      symbol: 'USDT',
      address: BSC_TESTNET_USDT_ADDRESS,
      name: 'Tether USD',
      decimals: 18,
      standard: 'erc20',
      returnsBool: true,
    });
    const usdt = BSC_TESTNET_USDT_ADDRESS;
    assert.equal(await client.readContract({ address: usdt, abi: erc20Abi, functionName: 'decimals' }), 18);
    assert.equal(await readReturnsBool(client, usdt), true);
    // No nonces()/DOMAIN_SEPARATOR() (EIP-2612) and no authorizationState() (EIP-3009) on USDT.
    const calls: Hex[] = [`0x7ecebe00${'0'.repeat(64)}`, '0x3644e515', `0xe94a0102${'0'.repeat(128)}`];
    for (const data of calls) await assert.rejects(client.call({ to: usdt, data }));
    const pusd = DEVNET_PERMIT_TOKEN_ADDRESS;
    assert.equal(
      await client.readContract({ address: pusd, abi: eip2612TokenArtifact.abi, functionName: 'version' }),
      '1',
    );
    await assert.rejects(client.call({ to: pusd, data: `0xe94a0102${'0'.repeat(128)}` }));
  });

  test('getChain finds chains by id or network and throws otherwise', () => {
    assert.equal(devnet.getChain(97).network, 'eip155:97');
    assert.equal(devnet.getChain('eip155:84532').chainId, 84532);
    assert.throws(() => devnet.getChain(1), DevnetOptionsError);
  });
});

describe('startDevnets options', () => {
  test('rejects an empty chain list and duplicate networks before starting anything', async () => {
    await assert.rejects(startDevnets({ chains: [] }), DevnetOptionsError);
    await assert.rejects(startDevnets({ chains: [{ chainId: 97 }, { chainId: 97 }] }), /listed twice/);
  });

  test('startDevnet (single chain) also has Permit2 and the proxies', async () => {
    const devnet = await startDevnet();
    try {
      const client = createDevnetClient(devnet.chain);
      for (const address of [
        PERMIT2_ADDRESS,
        X402_EXACT_PERMIT2_PROXY_ADDRESS,
        X402_UPTO_PERMIT2_PROXY_ADDRESS,
      ]) {
        const code = await client.getCode({ address });
        assert.ok(code && code.length > 2, `code at ${address}`);
      }
      assert.equal(devnet.contracts.permit2, PERMIT2_ADDRESS);
      assert.deepEqual(Object.keys(devnet.describe()), [
        'rpcUrl',
        'chainId',
        'network',
        'accounts',
        'assets',
      ]);
    } finally {
      await devnet.stop();
    }
  });

  test('chain 56: USDT at the BSC mainnet address (here returning nothing) and PaymentPermit', async () => {
    const devnet = await startDevnets({
      chains: [{ chainId: 56, tokens: [bscUsdtToken(56, { returnsBool: false })] }],
    });
    try {
      const bsc = devnet.getChain(56);
      assert.equal(bsc.assets.USDT?.address, BSC_USDT_ADDRESS);
      assert.equal(bsc.assets.USDT?.returnsBool, false);
      assert.equal(bsc.contracts.paymentPermit, PAYMENT_PERMIT_ADDRESS);
      const client = createDevnetClient(bsc.chain);
      const code = await client.getCode({ address: PAYMENT_PERMIT_ADDRESS });
      assert.ok(code && code.length > 2);
      const { data } = await client.call({
        account: DEVNET_ACCOUNTS.payer.address,
        to: BSC_USDT_ADDRESS,
        data: encodeFunctionData({
          abi: erc20Abi,
          functionName: 'transfer',
          args: [devnetAccount(2).address, 1n],
        }),
      });
      assert.equal(data, undefined, 'transfer returns no data');
      assert.equal(
        await readTokenBalance(bsc.rpcUrl, BSC_USDT_ADDRESS, DEVNET_ACCOUNTS.payer.address),
        1000n * 10n ** 18n,
      );
    } finally {
      await devnet.stop();
    }
  });
});
