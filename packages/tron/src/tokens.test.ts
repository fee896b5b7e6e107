import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getNetwork } from '@x402kit/core';
import { TronAddressError, tronAddressBody } from './address.js';
import { TronNetworkError } from './networks.js';
import * as tokens from './tokens.js';

describe('TRON tokens', () => {
  it('finds USDT/USDD by symbol and by any address form, on any network id form', () => {
    const usdt = tokens.findTronToken('tron:nile', 'usdt');
    assert.deepEqual(usdt, {
      network: 'tron:nile',
      symbol: 'USDT',
      address: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf',
      decimals: 6,
      name: 'Tether USD',
      version: '1',
    });
    assert.equal(tokens.findTronToken('tron:0xcd8690dc', '0xeca9bc828a3005b9a3b909f2cc5c2a54794de05f'), usdt);
    assert.equal(tokens.findTronToken('tron:3448148188', '41eca9bc828a3005b9a3b909f2cc5c2a54794de05f'), usdt);
    assert.equal(tokens.findTronToken('tron:mainnet', 'USDD')?.decimals, 18);
    assert.equal(tokens.findTronToken('tron:mainnet', 'USDD')?.name, 'Decentralized USD');
    assert.equal(tokens.findTronToken('tron:shasta', 'USDD'), undefined);
    assert.equal(tokens.findTronToken('tron:1', 'USDT'), undefined);
    assert.equal(tokens.findTronToken('tron:nile', 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U'), undefined);
    assert.equal(tokens.listTronTokens('tron:nile').length, 2);
  });

  it('agrees with the core network registry', () => {
    for (const t of tokens.TRON_TOKENS) {
      const core = getNetwork(t.network)?.assets.find((a) => a.symbol === t.symbol);
      assert.equal(core?.address, t.address, `${t.network} ${t.symbol}`);
      assert.equal(core?.decimals, t.decimals);
      assert.equal(core?.eip712?.name, t.name);
    }
  });

  it('registers custom tokens and rejects clashes with reason codes', () => {
    const tst = tokens.registerTronToken({
      network: 'tron:0xcd8690dc',
      symbol: 'tst',
      address: '0x1111111111111111111111111111111111111111',
      decimals: 2,
      name: 'Test',
    });
    assert.equal(tst.network, 'tron:nile');
    assert.equal(tokens.findTronToken('tron:nile', 'TST'), tst);
    assert.equal(tokens.findTronToken('tron:nile', tst.address)?.symbol, 'TST');
    assert.equal(
      tokens.registerTronToken({ ...tst, address: '411111111111111111111111111111111111111111' }),
      tst,
    );
    const conflict = (e: unknown) => e instanceof tokens.TronTokenError && e.reason === 'tron_token_conflict';
    assert.throws(() => tokens.registerTronToken({ ...tst, decimals: 6 }), conflict);
    assert.throws(
      () =>
        tokens.registerTronToken({ ...tst, symbol: 'USDT', address: tokens.TRON_TOKENS[2]?.address ?? '' }),
      conflict,
    );
    assert.throws(
      () =>
        tokens.registerTronToken({
          ...tst,
          symbol: 'BAD',
          address: 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz',
          decimals: -1,
        }),
      (e: unknown) => e instanceof tokens.TronTokenError && e.reason === 'invalid_tron_token',
    );
    assert.throws(() => tokens.registerTronToken({ ...tst, network: 'eip155:1' }), TronNetworkError);
    assert.throws(
      () => tokens.registerTronToken({ ...tst, symbol: 'X', address: 'Tnope' }),
      TronAddressError,
    );
  });

  it('holds the PaymentPermit and GasFreeController deployments', () => {
    const deployments: Array<[Record<string, string>, string, string]> = [
      [tokens.PAYMENT_PERMIT_TRON_ADDRESSES, 'tron:mainnet', '0xbc4cf62d72829ccc8d9212bf4808d3fc01383131'],
      [tokens.PAYMENT_PERMIT_TRON_ADDRESSES, 'tron:nile', '0x41a0d8786c5e20d27b6225e9d03ed1cbfe271634'],
      [tokens.PAYMENT_PERMIT_TRON_ADDRESSES, 'tron:shasta', '0xa52ad145eb8c3452972c0dcf767d0dbc377125c6'],
      [tokens.GASFREE_CONTROLLER_ADDRESSES, 'tron:mainnet', '0x39dd12a54e2bab7c82aa14a1e158b34263d2d510'],
      [tokens.GASFREE_CONTROLLER_ADDRESSES, 'tron:nile', '0x518688fbb39ccf1253f2b1217679fbe316329288'],
      [tokens.GASFREE_CONTROLLER_ADDRESSES, 'tron:shasta', '0xa16ab57466b794d87315d691853bda59fd7bf496'],
    ];
    for (const [table, network, body] of deployments)
      assert.equal(tronAddressBody(table[network]!), body, network);
    assert.equal(tokens.paymentPermitTronAddress('tron:3448148188'), 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH');
    assert.equal(tokens.gasFreeControllerAddress('tron:0x2b6653dc'), 'TFFAMQLZybALaLb4uxHA9RBE7pxhUAjF3U');
    assert.equal(tokens.paymentPermitTronAddress('eip155:56'), undefined);
  });
});
