import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EvmConfigError } from '../config-error.js';
import { parseErc6492Factories } from './erc6492-deployment.js';

describe('parseErc6492Factories', () => {
  it('is empty by default (fail closed)', () => {
    assert.equal(parseErc6492Factories(undefined).size, 0);
  });

  it('keys lower-case addresses by network, v1 names mapped', () => {
    const factories = parseErc6492Factories(
      { 'base-sepolia': ['0x6492649264926492649264926492649264926492'] },
      (key) => (key === 'base-sepolia' ? 'eip155:84532' : key),
    );
    assert.deepEqual(
      [...(factories.get('eip155:84532') ?? [])],
      ['0x6492649264926492649264926492649264926492'],
    );
  });

  it('names the bad entry', () => {
    assert.throws(
      () => parseErc6492Factories({ 'eip155:8453': ['0x1234'] }),
      (e: unknown) => e instanceof EvmConfigError && e.path === 'erc6492Factories["eip155:8453"][0]',
    );
  });
});
