import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExactEvmScheme as OfficialExactServer } from '@x402/evm/exact/server';
import { UptoEvmScheme as OfficialUptoServer } from '@x402/evm/upto/server';
import { createResourceServer, type SchemeServer } from '@x402kit/core';
import { createExactEvmServer } from '../exact/server.js';
import { createUptoEvmServer } from './server.js';

const facilitatorAddress = '0x90f79bf6eb2c4f870365e785982e1f101e93b906';

type Price = Parameters<SchemeServer['parsePrice']>[0];

/** Our server and the reference one parse `price` on `network` to the same amount, asset and extra. */
async function assertSamePrice(
  ours: SchemeServer,
  official: { parsePrice(price: never, network: never): Promise<unknown> },
  price: Price,
  network: `${string}:${string}`,
) {
  const mine = await ours.parsePrice(price, network);
  const theirs = await official.parsePrice(price as never, network as never);
  assert.deepEqual({ amount: mine.amount.toString(), asset: mine.asset, extra: mine.extra }, theirs);
}
const base = {
  scheme: 'upto',
  network: 'eip155:84532' as const,
  payTo: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C',
  maxTimeoutSeconds: 300,
};

describe('upto server: same requirements as the reference server', () => {
  it('parses $0.01 on Base Sepolia and copies facilitatorAddress from /supported', async () => {
    const ours = createUptoEvmServer();
    const parsed = await ours.parsePrice('$0.01', 'eip155:84532');
    const supportedKind = {
      x402Version: 2,
      scheme: 'upto',
      network: 'eip155:84532',
      extra: { facilitatorAddress },
    } as const;
    const mine = ours.enhanceRequirements?.(
      { ...base, amount: parsed.amount.toString(), asset: parsed.asset, extra: parsed.extra ?? {} },
      { supportedKind, facilitatorExtensions: [] },
    );
    const official = new OfficialUptoServer();
    const theirs = await official.parsePrice('$0.01', 'eip155:84532');
    const theirReq = await official.enhancePaymentRequirements(
      { ...base, amount: theirs.amount, asset: theirs.asset, extra: theirs.extra ?? {} },
      supportedKind,
      [],
    );
    assert.deepEqual(mine, theirReq);
    assert.deepEqual(mine?.extra, {
      name: 'USDC',
      version: '2',
      assetTransferMethod: 'permit2',
      facilitatorAddress: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
    });
  });

  it('keeps an explicit { amount, asset, extra } verbatim, as the reference', async () => {
    const price = {
      amount: '2000',
      asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
      extra: { foo: 'bar' },
    };
    await assertSamePrice(createUptoEvmServer(), new OfficialUptoServer(), price, 'eip155:84532');
  });

  it('is deterministic across the 402 and the paid retry (resource server)', async () => {
    const server = createResourceServer({
      facilitators: {
        verify: async () => ({ isValid: true }),
        settle: async () => ({ success: true, transaction: '', network: 'eip155:84532' }),
        supported: async () => ({
          kinds: [{ x402Version: 2, scheme: 'upto', network: 'eip155:84532', extra: { facilitatorAddress } }],
          extensions: [],
          signers: {},
        }),
      },
      schemes: [{ network: 'eip155:*', server: createUptoEvmServer() }],
    });
    await server.initialize();
    const route = [{ ...base, price: '$0.01' }];
    const ctx = { resource: { url: 'http://x/upto' } };
    assert.deepEqual(await server.buildRequirements(route, ctx), await server.buildRequirements(route, ctx));
  });
});

describe('exact server on Permit2 tokens: same extra as the reference server', () => {
  const cases: Array<[string, Price, `${string}:${string}`]> = [
    ['MegaETH MegaUSD (EIP-2612): name, version and assetTransferMethod', '$0.01', 'eip155:4326'],
    [
      'an explicit permit2 AssetAmount passes verbatim',
      {
        amount: '1000',
        asset: '0x55d398326f99059fF775485246999027B3197955',
        extra: { assetTransferMethod: 'permit2' },
      },
      'eip155:56',
    ],
  ];
  for (const [name, price, network] of cases) {
    it(name, () => assertSamePrice(createExactEvmServer(), new OfficialExactServer(), price, network));
  }
});
