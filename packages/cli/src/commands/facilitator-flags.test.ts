import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FacilitatorConfigError } from '@x402kit/facilitator';
import { parseFacilitatorConfig } from './facilitator-flags.js';

const KEY = `0x${'ab'.repeat(32)}`;

describe('parseFacilitatorConfig', () => {
  it('fills defaults and keys RPCs by CAIP-2 id, merging v1 names', () => {
    const config = parseFacilitatorConfig({
      rpc: {
        'base-sepolia': 'http://127.0.0.1:8545',
        'eip155:84532': ['http://127.0.0.1:8546', 'http://127.0.0.1:8545'],
      },
      privateKeys: [KEY],
    });
    assert.deepEqual(config, {
      port: 4022,
      host: '127.0.0.1',
      rpc: { 'eip155:84532': ['http://127.0.0.1:8545', 'http://127.0.0.1:8546'] },
      privateKeys: [KEY],
      bodyLimitBytes: 65536,
      enableClose: false,
    });
  });

  it('names every bad field and never echoes a key', () => {
    const secret = `0x${'cd'.repeat(31)}`;
    assert.throws(
      () =>
        parseFacilitatorConfig({
          port: 70000,
          rpc: { 'solana-devnet': 'http://x', 'eip155:1': 'ws://x' },
          privateKeys: [secret],
        }),
      (error: unknown) => {
        assert.ok(error instanceof FacilitatorConfigError);
        const paths = error.issues.map((i) => i.path).sort();
        assert.deepEqual(paths, ['port', 'privateKeys.0', 'rpc.eip155:1', 'rpc.solana-devnet']);
        assert.match(error.message, /rpc\.solana-devnet: "solana-devnet" is not an EVM network/);
        assert.match(error.message, /rpc\.eip155:1: must be an http\(s\) URL/);
        assert.doesNotMatch(error.message, new RegExp(secret.slice(2)));
        return true;
      },
    );
    assert.throws(
      () => parseFacilitatorConfig({ rpc: {}, privateKeys: [] }),
      /give at least one network=url pair.*privateKeys: give at least one/,
    );
  });
});
