import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tronAddressKey, tronLedgerAddress } from './tron-address-key.js';

const BUYER_T = 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz';
const BUYER_BODY = '0x2c7536e3605d9c16a7a3d7b1898e529396a65c23';

describe('TRON address forms', () => {
  it('keys Base58 and 41… spellings of one address alike', () => {
    assert.equal(tronAddressKey(BUYER_T), `tron:${BUYER_BODY}`);
    assert.equal(tronAddressKey(`41${BUYER_BODY.slice(2).toUpperCase()}`), `tron:${BUYER_BODY}`);
    assert.equal(tronLedgerAddress(BUYER_T), BUYER_BODY);
    assert.equal(tronLedgerAddress(`41${BUYER_BODY.slice(2)}`), BUYER_BODY);
  });

  it('answers undefined for 0x addresses (the EVM module keys them), typos and other chains', () => {
    for (const address of [
      BUYER_BODY,
      '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U',
      'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
      '',
    ]) {
      assert.equal(tronAddressKey(address), undefined, address);
      assert.equal(tronLedgerAddress(address), undefined, address);
    }
  });
});
