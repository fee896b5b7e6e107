import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as networks from './networks.js';

describe('TRON networks', () => {
  it('resolves every id form of the three networks', () => {
    const table: Array<[string, number, string]> = [
      ['tron:mainnet', 728126428, '0x2b6653dc'],
      ['tron:nile', 3448148188, '0xcd8690dc'],
      ['tron:shasta', 2494104990, '0x94a9059e'],
    ];
    for (const [name, chainId, hex] of table) {
      const expected = { network: name, chainId, hexId: `tron:${hex}`, decimalId: `tron:${chainId}` };
      for (const form of [
        name,
        `tron:${hex}`,
        `tron:${hex.toUpperCase().replace('0X', '0x')}`,
        `tron:${chainId}`,
      ]) {
        const parsed = networks.parseTronNetwork(form);
        assert.ok(parsed, form);
        assert.deepEqual(
          {
            network: parsed.network,
            chainId: parsed.chainId,
            hexId: parsed.hexId,
            decimalId: parsed.decimalId,
          },
          expected,
          form,
        );
        assert.equal(networks.canonicalTronNetwork(form), name);
        assert.equal(networks.isTronNetwork(form), true);
      }
    }
    assert.equal(networks.TRON_NETWORKS.length, 3);
    assert.equal(networks.parseTronNetwork('tron:0XCD8690DC')?.network, 'tron:nile');
  });

  it('rejects other ids without throwing', () => {
    for (const bad of [
      'eip155:1',
      'tron:1',
      'tron:0x1',
      'tron:',
      'nile',
      'tron:Nile',
      'tron:0xcd8690dcff',
      'tron:27Lqcw',
      '',
      42,
      null,
    ]) {
      assert.equal(networks.parseTronNetwork(bad), undefined, String(bad));
      assert.equal(networks.isTronNetwork(bad), false);
    }
    assert.throws(
      () => networks.requireTronNetwork('tron:1'),
      (e: unknown) =>
        e instanceof networks.TronNetworkError &&
        e.reason === 'unknown_tron_network' &&
        e.name === 'TronNetworkError',
    );
  });

  it('compares networks across forms', () => {
    assert.equal(networks.sameTronNetwork('tron:nile', 'tron:3448148188'), true);
    assert.equal(networks.sameTronNetwork('tron:0x2b6653dc', 'tron:mainnet'), true);
    assert.equal(networks.sameTronNetwork('tron:nile', 'tron:shasta'), false);
    assert.equal(networks.sameTronNetwork('tron:1', 'tron:1'), false);
  });
});
