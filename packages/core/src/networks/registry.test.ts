import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evmChainId, matchesNetworkPattern, parseCaip2 } from './caip.js';
import {
  canonicalNetwork,
  findAsset,
  getNetwork,
  networkMatches,
  registerAsset,
  registerNetwork,
  toCaip2,
  toV1Name,
} from './registry.js';

describe('network registry', () => {
  it('covers the required networks with v1 names and default stablecoins', () => {
    const expected: Array<[string, string, string, number]> = [
      ['eip155:8453', 'base', '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', 6],
      ['eip155:84532', 'base-sepolia', '0x036CbD53842c5426634e7929541eC2318f3dCF7e', 6],
      ['eip155:1', 'ethereum', '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', 6],
      ['eip155:11155111', 'sepolia', '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238', 6],
      ['eip155:56', 'bsc', '0x55d398326f99059fF775485246999027B3197955', 18],
      ['eip155:97', 'bsc-testnet', '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd', 18],
      ['eip155:196', 'xlayer', '0x779Ded0c9e1022225f8E0630b35a9b54bE713736', 6],
      ['eip155:137', 'polygon', '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359', 6],
      ['eip155:42161', 'arbitrum', '0xaf88d065e77c8cC2239327C5EDb3A432268e5831', 6],
      ['eip155:10', 'optimism', '0x0b2C639c533813f4Aa9D7837CAf62653d097Ff85', 6],
      ['eip155:43114', 'avalanche', '0xB97EF9Ef8734C71904D8002F8b6Bc66Dd9c48a6E', 6],
      ['eip155:143', 'monad', '0x754704Bc059F8C67012fEd69BC8A327a5aafb603', 6],
      ['eip155:4326', 'megaeth', '0xFAfDdbb3FC7688494971a79cc65DCa3EF82079E7', 18],
    ];
    for (const [id, v1, asset, decimals] of expected) {
      const n = getNetwork(id);
      assert.ok(n, id);
      assert.equal(n.v1Name, v1);
      assert.equal(n.defaultAsset?.address, asset, id);
      assert.equal(n.defaultAsset?.decimals, decimals, id);
      assert.equal(toCaip2(v1), id);
      assert.equal(toV1Name(id), v1);
    }
    assert.deepEqual(getNetwork('eip155:84532')?.defaultAsset?.eip712, { name: 'USDC', version: '2' });
    assert.deepEqual(getNetwork('eip155:8453')?.defaultAsset?.eip712, { name: 'USD Coin', version: '2' });
  });

  it('holds the seed stablecoins with their decimals, addresses and transfer methods', () => {
    const expected: Array<[string, string, string, number, 'eip3009' | 'permit2']> = [
      ['eip155:56', 'USDT', '0x55d398326f99059fF775485246999027B3197955', 18, 'permit2'],
      ['eip155:56', 'USDC', '0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d', 18, 'permit2'],
      ['eip155:97', 'USDT', '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd', 18, 'permit2'],
      ['eip155:97', 'USDC', '0x64544969ed7EBf5f083679233325356EbE738930', 18, 'permit2'],
      ['eip155:8453', 'USDC', '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913', 6, 'eip3009'],
      ['eip155:8453', 'USDT', '0xfde4C96c8593536E31F229EA8f37b2ADa2699bb2', 6, 'permit2'],
      ['eip155:196', 'USDT0', '0x779Ded0c9e1022225f8E0630b35a9b54bE713736', 6, 'eip3009'],
      ['eip155:196', 'USDC', '0x74b7F16337b8972027F6196A17a631aC6dE26d22', 6, 'permit2'],
    ];
    for (const [network, symbol, address, decimals, method] of expected) {
      const bySymbol = findAsset(network, symbol);
      assert.equal(bySymbol?.address, address, `${network} ${symbol}`);
      assert.equal(bySymbol?.decimals, decimals, `${network} ${symbol}`);
      assert.equal(bySymbol?.transferMethod, method, `${network} ${symbol}`);
      assert.equal(findAsset(network, address.toLowerCase())?.symbol, symbol);
    }
    // adding assets does not change the defaults
    assert.equal(getNetwork('base')?.defaultAsset?.symbol, 'USDC');
    assert.equal(getNetwork('xlayer')?.defaultAsset?.symbol, 'USDT0');
  });

  it('holds the TRON networks with USDT (6 decimals, Base58) as default asset', () => {
    const expected: Array<[string, string, boolean]> = [
      ['tron:mainnet', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', false],
      ['tron:nile', 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf', true],
      ['tron:shasta', 'TG3XXyExBkPp9nzdajDZsozEu4BkaSJozs', true],
    ];
    for (const [id, usdt, testnet] of expected) {
      const n = getNetwork(id);
      assert.equal(n?.testnet, testnet, id);
      assert.equal(n?.defaultAsset?.symbol, 'USDT', id);
      assert.equal(n?.defaultAsset?.address, usdt, id);
      assert.equal(n?.defaultAsset?.decimals, 6, id);
      assert.deepEqual(n?.defaultAsset?.eip712, { name: 'Tether USD', version: '1' });
      assert.equal(toCaip2(id), id);
      assert.equal(toV1Name(id), undefined);
    }
    assert.equal(findAsset('tron:nile', 'USDD')?.decimals, 18);
    // Base58 is case-sensitive: a lowercased address is another string, not the same token
    assert.equal(findAsset('tron:nile', 'txyzopyrdj2d9xrtbg411xzz3km5vkaebf'), undefined);
  });

  it('finds assets by address in any case, or by symbol', () => {
    assert.equal(findAsset('eip155:84532', '0x036cbd53842c5426634e7929541ec2318f3dcf7e')?.symbol, 'USDC');
    assert.equal(findAsset('base-sepolia', 'usdc')?.decimals, 6);
    assert.equal(findAsset('eip155:84532', 'EURC'), undefined);
  });

  it('registers custom networks and assets', () => {
    registerNetwork({ id: 'eip155:31337', name: 'Anvil', testnet: true, assets: [] });
    registerAsset('eip155:31337', {
      address: '0x1111111111111111111111111111111111111111',
      symbol: 'TST',
      decimals: 2,
      transferMethod: 'eip3009',
    });
    assert.equal(getNetwork('eip155:31337')?.defaultAsset?.symbol, 'TST');
    assert.equal(toV1Name('eip155:31337'), undefined);
  });

  it('parses CAIP-2 and matches patterns', () => {
    assert.deepEqual(parseCaip2('eip155:84532'), { namespace: 'eip155', reference: '84532' });
    assert.equal(parseCaip2('base'), undefined);
    assert.equal(evmChainId('eip155:84532'), 84532);
    assert.equal(evmChainId('solana:abc'), undefined);
    assert.equal(matchesNetworkPattern('eip155:1', 'eip155:*'), true);
    assert.equal(matchesNetworkPattern('solana:1', 'eip155:*'), false);
    assert.equal(matchesNetworkPattern('eip155:1', 'eip155:1'), true);
    assert.equal(matchesNetworkPattern('eip155:10', 'eip155:1'), false);
    assert.equal(matchesNetworkPattern('eip1550:1', 'eip155:*'), false);
    assert.equal(matchesNetworkPattern('eip155x1', 'eip155.*'), false);
  });

  it('resolves TRON hex and decimal ids to one network, case-insensitively', () => {
    for (const id of ['tron:0xcd8690dc', 'tron:0xCD8690DC', 'tron:3448148188']) {
      assert.equal(canonicalNetwork(id), 'tron:nile', id);
      assert.equal(getNetwork(id)?.id, 'tron:nile', id);
      assert.equal(networkMatches(id, 'tron:nile'), true, id);
      assert.equal(networkMatches('tron:nile', id), true, id);
      assert.equal(findAsset(id, 'USDT')?.address, 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf');
    }
    assert.equal(canonicalNetwork('tron:728126428'), 'tron:mainnet');
    assert.equal(canonicalNetwork('tron:0x94a9059e'), 'tron:shasta');
    assert.equal(networkMatches('tron:3448148188', 'tron:mainnet'), false);
    assert.equal(networkMatches('tron:3448148188', 'tron:*'), true);
    assert.equal(canonicalNetwork('eip155:84532'), 'eip155:84532');
    assert.equal(canonicalNetwork('tron:12345'), 'tron:12345');
  });

  it('takes solana:devnet and solana:mainnet as names of the two Solana networks', () => {
    assert.equal(canonicalNetwork('solana:devnet'), 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1');
    assert.equal(canonicalNetwork('solana:mainnet'), 'solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp');
    assert.equal(networkMatches('solana:devnet', 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1'), true);
    assert.equal(findAsset('solana:devnet', 'USDC')?.address, '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU');
    assert.equal(toCaip2('solana-devnet'), 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1');
  });
});
