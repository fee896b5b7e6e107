import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExactEvmScheme as OfficialExactEvmServer } from '@x402/evm/exact/server';
import { Reasons, X402Error } from '@x402kit/core';
import { createExactEvmServer } from './server.js';

describe('exact EVM server', () => {
  it('prices $0.001 on Base Sepolia exactly as the official server', async () => {
    const ours = await createExactEvmServer().parsePrice('$0.001', 'eip155:84532');
    const official = await new OfficialExactEvmServer().parsePrice('$0.001', 'eip155:84532');
    assert.deepEqual(
      { amount: ours.amount.toString(), asset: ours.asset, extra: ours.extra },
      { amount: official.amount, asset: official.asset, extra: official.extra },
    );
    assert.deepEqual(
      { amount: ours.amount, asset: ours.asset, extra: ours.extra },
      {
        amount: 1000n,
        asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
        extra: { name: 'USDC', version: '2' },
      },
    );
  });

  it('agrees with the official server on other plain prices', async () => {
    for (const [price, network] of [
      ['0.5', 'eip155:8453'],
      [0.25, 'eip155:84532'],
      ['$1', 'eip155:137'],
    ] as const) {
      const ours = await createExactEvmServer().parsePrice(price, network);
      const official = await new OfficialExactEvmServer().parsePrice(price, network);
      assert.equal(ours.amount.toString(), official.amount, `${price} on ${network}`);
      assert.equal(ours.asset, official.asset);
      assert.deepEqual(ours.extra, official.extra);
    }
  });

  it('keeps an explicit asset amount and its extra verbatim', async () => {
    const price = {
      amount: '2500',
      asset: '0x0000000000000000000000000000000000000bEE',
      extra: { name: 'Mine', version: '7', memo: 'x' },
    };
    const parsed = await createExactEvmServer().parsePrice(price, 'eip155:84532');
    assert.equal(parsed.amount, 2500n);
    assert.equal(parsed.asset, price.asset);
    assert.deepEqual(parsed.extra, price.extra);
  });

  it('fills the EIP-712 domain of a known asset given without extra', async () => {
    const parsed = await createExactEvmServer().parsePrice(
      { amount: '10', asset: '0x036cbd53842c5426634e7929541ec2318f3dcf7e' },
      'eip155:84532',
    );
    assert.deepEqual(parsed.extra, { name: 'USDC', version: '2' });
  });

  it('offers Permit2 tokens with assetTransferMethod "permit2" (no EIP-712 domain without EIP-2612)', async () => {
    const parsed = await createExactEvmServer().parsePrice('$0.01', 'eip155:56');
    assert.equal(parsed.amount, 10_000_000_000_000_000n); // 18 decimals
    assert.deepEqual(parsed.extra, { assetTransferMethod: 'permit2' });
    const mega = await createExactEvmServer().parsePrice('$0.01', 'eip155:4326');
    assert.deepEqual(mega.extra, { name: 'MegaUSD', version: '1', assetTransferMethod: 'permit2' });
  });

  it('refuses unknown transfer methods', async () => {
    await assert.rejects(
      Promise.resolve().then(() =>
        createExactEvmServer().parsePrice(
          {
            amount: '1',
            asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
            extra: { assetTransferMethod: 'erc7710' },
          },
          'eip155:84532',
        ),
      ),
      (error: unknown) => error instanceof X402Error && error.reason === Reasons.invalidPaymentRequirements,
    );
  });

  it('tries money parsers in order before the default asset', async () => {
    const seen: string[] = [];
    const server = createExactEvmServer({
      moneyParsers: [
        (amount) => {
          seen.push(amount);
          return undefined;
        },
        (amount, network) =>
          Number(amount) > 100
            ? {
                amount: '7',
                asset: '0x0000000000000000000000000000000000000bEE',
                extra: { name: 'Big', version: '1' },
              }
            : network === 'never'
              ? null
              : undefined,
      ],
    });
    const big = await server.parsePrice('$150', 'eip155:84532');
    assert.deepEqual([big.amount, big.asset], [7n, '0x0000000000000000000000000000000000000bEE']);
    const small = await server.parsePrice('$0.001', 'eip155:84532');
    assert.equal(small.amount, 1000n);
    assert.deepEqual(seen, ['150', '0.001']);
  });

  it('rejects nonsense prices with invalid_price', async () => {
    await assert.rejects(
      Promise.resolve().then(() => createExactEvmServer().parsePrice('1,000', 'eip155:84532')),
      (error: unknown) => error instanceof X402Error && error.reason === Reasons.invalidPrice,
    );
  });
});
