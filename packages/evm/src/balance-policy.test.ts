import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cheapest, createX402Client, type Offer, type PaymentRequirements, X402Error } from '@x402kit/core';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { baseSepoliaUsdcRequirements as req } from '@x402kit/testing/signature-scheme';
import { requiredBalance, sufficientBalancePolicy } from './balance-policy.js';
import { EvmReasons } from './evm-reasons.js';

const OWNER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const USDC = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const USDT = '0x55d398326f99059fF775485246999027B3197955';
const offers = (list: PaymentRequirements[]): Offer[] =>
  list.map((requirements, index) => ({ requirements, x402Version: 2, index }));

describe('sufficientBalancePolicy', () => {
  it('keeps affordable offers, counts the exact_permit fee, reads each (network, asset) once', async () => {
    const reads: string[] = [];
    const filter = sufficientBalancePolicy({
      rpc: { 'eip155:84532': 'http://a', 'eip155:56': 'http://b' },
      owner: OWNER.toLowerCase(),
      readBalance: async ({ network, asset, owner }) => {
        reads.push(`${network} ${asset} ${owner}`);
        return network === 'eip155:56' ? 10_100n : 1500n;
      },
    });
    const list = offers([
      req(), // 1000 <= 1500
      req({ amount: '2000' }), // too much
      req({
        scheme: 'exact_permit',
        network: 'eip155:56',
        asset: USDT,
        amount: '10000',
        extra: { fee: { feeAmount: '100' } },
      }),
      req({
        scheme: 'exact_permit',
        network: 'eip155:56',
        asset: USDT,
        amount: '10000',
        extra: { fee: { feeAmount: '101' } },
      }),
      req({ network: 'eip155:8453' }), // no rpc: kept by default
    ]);
    assert.deepEqual(
      (await filter(list)).map((o) => o.index),
      [0, 2, 4],
    );
    assert.deepEqual(reads.sort(), [`eip155:56 ${USDT} ${OWNER}`, `eip155:84532 ${USDC} ${OWNER}`]);
  });

  it("drops what it cannot check with unchecked: 'drop', including failed reads", async () => {
    const filter = sufficientBalancePolicy({
      rpc: { 'eip155:84532': 'http://a' },
      owner: OWNER,
      unchecked: 'drop',
      readBalance: async ({ asset }) => {
        if (asset === USDC) throw new Error('rpc down');
        return 10n ** 30n;
      },
    });
    const list = offers([req(), req({ network: 'eip155:8453' }), req({ network: 'solana:x', asset: 'EPj' })]);
    assert.deepEqual(await filter(list), []);
  });

  it('refuses an owner that is not an address', () => {
    assert.throws(
      () => sufficientBalancePolicy({ rpc: {}, owner: 'nope' }),
      /owner nope is not an EVM address/,
    );
    // any letter case is an address, as everywhere else in @x402kit/evm (the checksum is not enforced)
    assert.doesNotThrow(() =>
      sufficientBalancePolicy({ rpc: {}, owner: '0x036cbd53842c5426634e7929541eC2318f3dcf7E' }),
    );
    assert.throws(
      () => sufficientBalancePolicy({ rpc: {}, owner: 'nope' }),
      (error: unknown) =>
        error instanceof TypeError && error instanceof X402Error && error.reason === EvmReasons.config,
    );
  });

  it('requiredBalance adds a well-formed fee only', () => {
    assert.equal(requiredBalance(offers([req({ extra: { fee: { feeAmount: '5' } } })])[0]!), 1005n);
    assert.equal(requiredBalance(offers([req({ extra: { fee: { feeAmount: 5 } } })])[0]!), 1000n);
    assert.equal(requiredBalance(offers([req({ extra: { fee: 'x' } })])[0]!), 1000n);
  });
});

describe('sufficientBalancePolicy on a devnet, in a client', () => {
  let devnet: Devnet;
  before(async () => {
    devnet = await startDevnet({ port: 0 });
  });
  after(async () => {
    await devnet?.stop();
  });

  it('reads balanceOf on-chain; the client pays the cheapest offer it can afford', async () => {
    const payer = devnet.accounts.payer.address; // 1000 USDC
    const scheme = {
      scheme: 'exact',
      createPaymentPayload: async (r: PaymentRequirements) => ({ payload: { amount: r.amount } }),
    };
    const client = createX402Client({
      schemes: [{ network: 'eip155:*', client: scheme }],
      prefilter: sufficientBalancePolicy({
        rpc: { [devnet.network]: devnet.rpcUrl },
        owner: payer,
        unchecked: 'drop',
      }),
      select: cheapest(),
    });
    const pr = {
      x402Version: 2 as const,
      resource: { url: 'http://127.0.0.1/x' },
      accepts: [
        req({ network: devnet.network, amount: '2000000000' }), // 2000 USDC: unaffordable
        req({ network: devnet.network, amount: '5000' }),
        req({ network: devnet.network, amount: '1000000000' }), // exactly the balance
        req({ network: 'eip155:8453' }), // no rpc: dropped
      ],
    };
    assert.equal((await client.selectOfferAsync(pr)).index, 1);
    const filter = sufficientBalancePolicy({ rpc: { [devnet.network]: devnet.rpcUrl }, owner: payer });
    assert.deepEqual(
      (await filter(offers(pr.accepts.slice(0, 3)))).map((o) => o.index),
      [1, 2],
    );
  });
});
