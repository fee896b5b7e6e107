import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type ChainLogEvent,
  type ChainRuntime,
  createFacilitator,
  type FacilitatorCall,
  type PaymentRequirements,
  type StoredPayment,
} from '@x402kit/core';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { devnetExactRequirements } from '@x402kit/testing/exact-settlement';
import { privateKeyToAccount } from 'viem/accounts';
import { signExactEvmAuthorization } from '../exact/client.js';
import { createMemoryGasSponsorBudget } from '../gas-sponsor-budget.js';
import { EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING } from '../permit2/index.js';
import { evmChain } from './evm-chain.js';
import { EvmNetworksSchema, EvmSettingsSchema } from './evm-sections.js';

const DEAD = 'http://127.0.0.1:1';
let devnet: Devnet;
let runtime: ChainRuntime;
const events: ChainLogEvent[] = [];

async function start(rpc: Record<string, string[]>): Promise<ChainRuntime> {
  return evmChain.start({
    sections: {
      networks: EvmNetworksSchema.parse(
        Object.fromEntries(Object.entries(rpc).map(([network, urls]) => [network, { rpc: urls }])),
      ),
      evm: EvmSettingsSchema.parse({}),
    },
    privateKeys: [devnet.accounts.facilitator.privateKey],
    settlement: { maxGasPerSettlement: 200_000, receiptTimeoutMs: 10_000 },
    openSponsorBudget: async (limits) => createMemoryGasSponsorBudget(limits),
    log: (event) => events.push(event),
  });
}

before(async () => {
  devnet = await startDevnet();
  runtime = await start({ [devnet.network]: [devnet.rpcUrl] });
});

after(async () => {
  runtime?.close();
  await devnet?.stop();
});

describe('the EVM chain module', () => {
  it('is configured by at least one network and takes RPC_URL_<CHAINID>', () => {
    assert.equal(evmChain.configured({}), false);
    assert.equal(evmChain.configured({ networks: {} }), false);
    assert.equal(evmChain.configured({ networks: { 'eip155:84532': { rpc: ['http://x'] } } }), true);
    assert.deepEqual(evmChain.envOverrides?.({ RPC_URL_97: 'http://bsc' }), {
      networks: { 'eip155:97': { rpc: ['http://bsc'] } },
    });
    assert.equal(evmChain.family, 'evm');
    assert.equal(evmChain.balanceUnit, 'Wei');
    assert.equal(evmChain.needsPrivateKeys, true);
  });

  it('serves exact with the gas-sponsoring extensions and sends from its keys', async () => {
    const engine = createFacilitator({
      schemes: runtime.registrations,
      ...(runtime.extensions ? { extensions: runtime.extensions } : {}),
    });
    const supported = await engine.supported();
    assert.ok(supported.kinds.some((k) => k.scheme === 'exact' && k.network === devnet.network));
    assert.deepEqual(runtime.extensions, [EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING]);
    assert.deepEqual(runtime.settlementAddresses, [devnet.accounts.facilitator.address]);
    assert.equal(runtime.quoteFee, undefined); // no fees section: no exact_permit
  });

  it('settles an exact payment through a core engine, and reconciles it from the stored payment', async () => {
    const engine = createFacilitator({ schemes: runtime.registrations });
    const requirements: PaymentRequirements = devnetExactRequirements(devnet);
    const payer = privateKeyToAccount(devnet.accounts.payer.privateKey);
    const payload = {
      x402Version: 2 as const,
      accepted: requirements,
      payload: await signExactEvmAuthorization(payer, requirements),
    };
    const settled = await engine.settle(payload, requirements);
    assert.equal(settled.success, true, settled.errorMessage);

    const [registration] = runtime.registrations;
    assert.ok(registration);
    const call: FacilitatorCall = { x402Version: 2, scheme: registration.facilitator, requirements, payload };
    const key = evmChain.identify(call);
    assert.ok(key);
    assert.equal(key.payer, payer.address.toLowerCase());
    const stored: StoredPayment = { x402Version: 2, payload, requirements };
    const reconcile = runtime.reconcile;
    assert.ok(reconcile);
    const expected = {
      success: true,
      transaction: settled.transaction,
      network: devnet.network,
      payer: payer.address,
    };
    // from the recorded transaction, and without one (the authorization's AuthorizationUsed log)
    assert.deepEqual(await reconcile(stored, { key, transaction: settled.transaction }), expected);
    assert.deepEqual(await reconcile(stored, { key }), expected);
  });

  it('reads its funded key on every network, logging and skipping one that fails', async () => {
    const wide = await start({ [devnet.network]: [devnet.rpcUrl], 'eip155:10': [DEAD] });
    try {
      events.length = 0;
      const readings = await wide.readBalances(2000);
      assert.equal(readings.length, 1);
      const [reading] = readings;
      assert.equal(reading?.network, devnet.network);
      assert.equal(reading?.address, devnet.accounts.facilitator.address);
      assert.ok((reading?.balance ?? 0n) > 10n ** 18n);
      assert.equal(reading?.nonceLag, 0);
      assert.deepEqual(
        events.map((e) => [e.level, e.message, e.data?.network]),
        [['warn', 'relayer monitor: cannot read relayer balances', 'eip155:10']],
      );
    } finally {
      wide.close();
    }
  });

  it('probes every network: its chain id answered by one URL, a wrong chain and a dead port named', async () => {
    const wide = await start({
      [devnet.network]: [DEAD, devnet.rpcUrl],
      'eip155:1': [devnet.rpcUrl],
      'eip155:10': [DEAD],
    });
    try {
      const report = await wide.probe(1000);
      assert.equal(report[devnet.network], 'ok');
      assert.equal(report['eip155:1'], `error: RPC is on chain ${devnet.chainId}`);
      assert.match(report['eip155:10'] ?? '', /^error: /);
      assert.deepEqual(Object.keys(report).sort(), [devnet.network, 'eip155:1', 'eip155:10'].sort());
    } finally {
      wide.close();
    }
  });
});
