import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import { EVM_SECTIONS, EvmNetworksSchema, EvmSettingsSchema, evmEnvOverrides } from './evm-sections.js';

/** The issues of a refused section as the service words them: `networks["eip155:84532"].rpc[0]: …`. */
function issuesOf(section: keyof typeof EVM_SECTIONS, value: unknown): string {
  const schema: z.ZodType = EVM_SECTIONS[section];
  const parsed = schema.safeParse(value);
  assert.equal(parsed.success, false, `${section} should be refused`);
  return (parsed.error?.issues ?? [])
    .map((issue) => {
      const path = issue.path
        .map((part) => (typeof part === 'number' ? `[${part}]` : `[${JSON.stringify(String(part))}]`))
        .join('');
      return `${section}${path}: ${issue.message}`;
    })
    .join('\n');
}

describe('the EVM config sections', () => {
  it('key networks by CAIP-2 (v1 names accepted) and default to none', () => {
    assert.deepEqual(EvmNetworksSchema.parse({ 'base-sepolia': { rpc: ['http://127.0.0.1:8545'] } }), {
      'eip155:84532': { rpc: ['http://127.0.0.1:8545'] },
    });
    assert.deepEqual(EvmNetworksSchema.parse(undefined), {});
  });

  it('merge a v1 name and the CAIP-2 id of one network, each URL once', () => {
    assert.deepEqual(
      EvmNetworksSchema.parse({
        'base-sepolia': { rpc: ['http://127.0.0.1:8545'] },
        'eip155:84532': { rpc: ['http://127.0.0.1:8546', 'http://127.0.0.1:8545'] },
      }),
      { 'eip155:84532': { rpc: ['http://127.0.0.1:8545', 'http://127.0.0.1:8546'] } },
    );
  });

  it('name the path of a bad RPC URL and refuse non-EVM networks and unknown fields', () => {
    assert.match(
      issuesOf('networks', { 'eip155:84532': { rpc: ['ftp://x'] } }),
      /networks\["eip155:84532"\]\["rpc"\]\[0\]: must be an http\(s\) URL/,
    );
    assert.match(issuesOf('networks', { 'eip155:84532': { rpc: [] } }), /give at least one URL/);
    assert.match(
      issuesOf('networks', { 'solana:abc': { rpc: ['http://x'] } }),
      /networks\["solana:abc"\]: is not an EVM network; use eip155:<chainId>/,
    );
    assert.match(issuesOf('networks', { 'eip155:1': { rpc: ['http://x'], prot: 1 } }), /prot/);
  });

  it('give the evm section its defaults', () => {
    const settings = EvmSettingsSchema.parse(undefined);
    assert.equal(settings.batching, false);
    assert.equal(settings.stuckAfterMs, undefined);
    assert.deepEqual(settings.gasSponsoring, {
      maxTopUpWei: 2_000_000_000_000_000n,
      perPayerPerDayWei: 4_000_000_000_000_000n,
      perKeyPerDayWei: 100_000_000_000_000_000n,
      maxApprovalGas: 100_000,
      maxFeeFactor: 3,
      maxDeploymentGas: 1_000_000,
    });
    const tuned = EvmSettingsSchema.parse({
      batching: { windowMs: 200 },
      gasSponsoring: { maxTopUpWei: '5', perKeyPerDayWei: 7 },
    });
    assert.deepEqual(tuned.batching, { windowMs: 200 });
    assert.equal(tuned.gasSponsoring.maxTopUpWei, 5n);
    assert.equal(tuned.gasSponsoring.perKeyPerDayWei, 7n);
  });

  it('refuse bad evm tuning with its path', () => {
    assert.match(issuesOf('evm', { batching: { maxBatch: 501 } }), /evm\["batching"\]/);
    assert.match(
      issuesOf('evm', { gasSponsoring: { maxTopUpWei: '1.5' } }),
      /evm\["gasSponsoring"\]\["maxTopUpWei"\]: must be a whole number of wei/,
    );
    assert.match(issuesOf('evm', { erc6492Factories: { 'eip155:1': ['0x12'] } }), /erc6492Factories/);
    assert.match(issuesOf('evm', { batchin: false }), /batchin/);
  });

  it('read fees like createFlatFeePolicy does', () => {
    const usdt = '0x337610d27c682E347C9cD60BD4b3b107C9d34dDd';
    assert.deepEqual(EVM_SECTIONS.fees.parse({ 'bsc-testnet': { [usdt]: { amount: '100' } } }), {
      'bsc-testnet': { [usdt]: { amount: '100' } },
    });
    assert.match(issuesOf('fees', { 'eip155:97': { [usdt]: { amount: '1.5' } } }), /atomic units/);
  });

  it('take RPC_URL_<CHAINID> from the environment, comma-separated', () => {
    assert.deepEqual(evmEnvOverrides({ RPC_URL_84532: 'http://env-a:8545, http://env-b:8545', PORT: '2' }), {
      networks: { 'eip155:84532': { rpc: ['http://env-a:8545', 'http://env-b:8545'] } },
    });
    assert.deepEqual(evmEnvOverrides({ RPC_URL_X: 'http://a', RPC_URL_1: '' }), {});
  });

  it('take EVM_RPC_URL for EVM_NETWORK (default eip155:84532), over RPC_URL_<CHAINID> of that network', () => {
    assert.deepEqual(evmEnvOverrides({ EVM_RPC_URL: 'http://harness:8545' }), {
      networks: { 'eip155:84532': { rpc: ['http://harness:8545'] } },
    });
    assert.deepEqual(
      evmEnvOverrides({
        RPC_URL_84532: 'http://env:8545',
        RPC_URL_1: 'http://mainnet:8545',
        EVM_NETWORK: 'base-sepolia',
        EVM_RPC_URL: 'http://harness:8545',
      }),
      {
        networks: {
          'eip155:84532': { rpc: ['http://harness:8545'] },
          'eip155:1': { rpc: ['http://mainnet:8545'] },
        },
      },
    );
    assert.deepEqual(evmEnvOverrides({ EVM_NETWORK: 'eip155:1' }), {}, 'EVM_NETWORK alone names no URL');
  });
});
