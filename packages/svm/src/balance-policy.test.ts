import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { address, generateKeyPairSigner } from '@solana/kit';
import {
  combinePrefilters,
  createX402Client,
  type Offer,
  type OfferPrefilter,
  type PaymentRequirements,
  X402Error,
} from '@x402kit/core';
import { type SolanaDevnet, startSolanaDevnet } from '@x402kit/devnet';
import { sufficientSvmBalancePolicy } from './balance-policy.js';
import { readSvmTokenBalance } from './read-svm-token-balance.js';
import { SvmReasons } from './reasons.js';

let devnet: SolanaDevnet;
let req: (over?: Partial<PaymentRequirements>) => PaymentRequirements;
const offers = (list: PaymentRequirements[]): Offer[] =>
  list.map((requirements, index) => ({ requirements, x402Version: 2, index }));
const kept = async (filter: OfferPrefilter, list: PaymentRequirements[]) =>
  (await filter(offers(list))).map((o) => o.index);

before(async () => {
  devnet = await startSolanaDevnet({ fundUsdcWith: 2n, fundPyusdWith: 3n });
  req = (over = {}) => ({
    scheme: 'exact',
    network: devnet.network,
    amount: '1000',
    asset: devnet.usdc.address,
    payTo: devnet.accounts.payTo.address,
    maxTimeoutSeconds: 60,
    extra: { feePayer: devnet.accounts.feePayer.address },
    ...over,
  });
});
after(async () => {
  await devnet?.stop();
});

describe('readSvmTokenBalance on the devnet', () => {
  const read = (asset: string, owner: string) =>
    readSvmTokenBalance({
      network: devnet.network,
      rpcUrl: devnet.rpcUrl,
      asset: address(asset),
      owner: address(owner),
    });

  it("reads USDC (SPL Token) and PYUSD (Token-2022) from the owner's associated token accounts", async () => {
    assert.equal(await read(devnet.usdc.address, devnet.accounts.payer.address), 2_000_000n);
    assert.equal(await read(devnet.pyusd.address, devnet.accounts.payer.address), 3_000_000n);
    assert.equal(await read(devnet.pyusd.address, devnet.accounts.payTo.address), 0n);
  });

  it('answers 0 when the owner has no token account', async () => {
    const stranger = await generateKeyPairSigner();
    assert.equal(await read(devnet.usdc.address, stranger.address), 0n);
    assert.equal(await read(devnet.pyusd.address, devnet.accounts.feePayer.address), 0n);
  });

  it('throws when the asset is not a mint', async () => {
    await assert.rejects(
      read(devnet.accounts.payer.address, devnet.accounts.payer.address),
      /is not a mint of SPL Token or Token-2022/,
    );
  });
});

describe('sufficientSvmBalancePolicy', () => {
  it('keeps the USDC and PYUSD offers a funded payer can afford, drops the others', async () => {
    const filter = sufficientSvmBalancePolicy({
      rpc: { [devnet.network]: devnet.rpcUrl },
      owner: devnet.accounts.payer.address,
    });
    assert.deepEqual(
      await kept(filter, [
        req({ amount: '2000000' }), // all its USDC
        req({ amount: '2000001' }),
        req({ asset: devnet.pyusd.address, amount: '3000000' }), // all its PYUSD
        req({ asset: devnet.pyusd.address, amount: '3000001' }),
      ]),
      [0, 2],
    );
  });

  it('drops every offer of an owner without funds: empty accounts and no accounts', async () => {
    const list = [req(), req({ asset: devnet.pyusd.address, amount: '1' })];
    for (const owner of [devnet.accounts.payTo.address, (await generateKeyPairSigner()).address]) {
      const filter = sufficientSvmBalancePolicy({ rpc: { [devnet.network]: devnet.rpcUrl }, owner });
      assert.deepEqual(await kept(filter, list), [], owner);
    }
  });

  it("keeps what it cannot check by default, drops it with unchecked: 'drop'", async () => {
    const list = [
      req({ network: 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp' }), // no rpc entry
      req({ network: 'eip155:8453', asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' }), // not Solana
      req({ asset: 'not-a-mint' }), // not an address
      req({ asset: devnet.accounts.payer.address }), // not a mint: the read fails
    ];
    const keep = sufficientSvmBalancePolicy({
      rpc: { [devnet.network]: devnet.rpcUrl },
      owner: devnet.accounts.payer.address,
    });
    assert.deepEqual(await kept(keep, list), [0, 1, 2, 3]);
    const drop = sufficientSvmBalancePolicy({
      rpc: { [devnet.network]: devnet.rpcUrl },
      owner: devnet.accounts.payer.address,
      unchecked: 'drop',
    });
    assert.deepEqual(await kept(drop, list), []);
  });

  it('reads each (network, mint) once, all in parallel, through readBalance', async () => {
    const reads: string[] = [];
    let running = 0;
    let most = 0;
    const filter = sufficientSvmBalancePolicy({
      rpc: { [devnet.network]: 'http://a', 'solana:other': 'http://b' },
      owner: devnet.accounts.payer.address,
      readBalance: async ({ network, rpcUrl, asset, owner }) => {
        reads.push(`${network} ${rpcUrl} ${asset} ${owner}`);
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
        return 1500n;
      },
    });
    assert.deepEqual(
      await kept(filter, [
        req(),
        req({ amount: '2000' }),
        req({ asset: devnet.pyusd.address }),
        req({ network: 'solana:other' }),
      ]),
      [0, 2, 3],
    );
    const payer = devnet.accounts.payer.address;
    assert.deepEqual(
      reads.sort(),
      [
        `${devnet.network} http://a ${devnet.pyusd.address} ${payer}`,
        `${devnet.network} http://a ${devnet.usdc.address} ${payer}`,
        `solana:other http://b ${devnet.usdc.address} ${payer}`,
      ].sort(),
    );
    assert.equal(most, 3);
  });

  it('refuses an owner that is not a base58 address', () => {
    assert.throws(
      () => sufficientSvmBalancePolicy({ rpc: {}, owner: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }),
      /not a base58 Solana address/,
    );
    assert.throws(
      () => sufficientSvmBalancePolicy({ rpc: {}, owner: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' }),
      (error: unknown) =>
        error instanceof TypeError && error instanceof X402Error && error.reason === SvmReasons.config,
    );
  });

  it('as a client prefilter, combined with another chain: the client pays the affordable offer', async () => {
    const paid: PaymentRequirements[] = [];
    const client = createX402Client({
      schemes: [
        {
          network: '*',
          client: {
            scheme: 'exact',
            async createPaymentPayload(requirements) {
              paid.push(requirements);
              return { payload: {} };
            },
          },
        },
      ],
      prefilter: combinePrefilters(
        async (list) => list.filter((o) => !o.requirements.network.startsWith('eip155:')),
        sufficientSvmBalancePolicy({
          rpc: { [devnet.network]: devnet.rpcUrl },
          owner: devnet.accounts.payer.address,
        }),
      ),
    });
    await client.createPaymentPayload({
      x402Version: 2,
      resource: { url: 'http://127.0.0.1/x' },
      accepts: [
        req({ network: 'eip155:8453', asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' }),
        req({ amount: '5000000' }), // more USDC than the payer holds
        req({ asset: devnet.pyusd.address, amount: '2500000' }),
      ],
    });
    assert.deepEqual(
      paid.map((r) => r.asset),
      [devnet.pyusd.address],
    );
  });
});
