import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evmChain } from '@x402kit/evm/chain-module';
import { tronChain } from '@x402kit/tron/chain-module';
import { FacilitatorConfigError } from './config.js';
import { formatPath, loadServiceConfig, parseServiceConfig } from './service-config.js';

// the service composes its schema from the chain modules it is given
const CHAINS = [evmChain, tronChain];
const KEY = `0x${'11'.repeat(32)}`;
const OTHER_KEY = `0x${'22'.repeat(32)}`;

async function file(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'x402kit-config-'));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

function issuesOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof FacilitatorConfigError);
    return error.message;
  }
  assert.fail('expected a FacilitatorConfigError');
}

describe('service configuration', () => {
  it('reads a YAML file with defaults', async () => {
    const path = await file(
      'facilitator.yaml',
      `port: 4100
networks:
  base-sepolia:
    rpc: [http://127.0.0.1:8545]
signers:
  privateKeys: ["${KEY}"]
apiKeys:
  - { key: alpha-secret-key, name: alpha, rateLimitPerMinute: 60 }
`,
    );
    const config = await loadServiceConfig({
      chains: CHAINS,
      file: path,
      env: { X402KIT_DATA_DIR: '/srv/x402' },
    });
    assert.equal(config.port, 4100);
    assert.deepEqual(config.sections.networks, { 'eip155:84532': { rpc: ['http://127.0.0.1:8545'] } });
    assert.deepEqual(
      config.chains.map((chain) => chain.module.family),
      ['evm'],
    );
    // durable by default, in the data directory
    assert.deepEqual(config.ledger, { sqlite: { path: '/srv/x402/x402kit-ledger.db' } });
    assert.deepEqual(config.anonymous, { allowed: false }); // keys configured: anonymous off by default
    assert.equal(config.limits.bodyBytes, 65536);
    assert.equal(config.metrics.enabled, true);
  });

  it('lets the environment override the file, and explicit values override both', async () => {
    const path = await file(
      'facilitator.json',
      JSON.stringify({
        port: 1,
        networks: { 'eip155:84532': { rpc: ['http://file:8545'] } },
        signers: { privateKeys: [KEY] },
        ledger: { sqlite: { path: '/tmp/ledger.db' } },
      }),
    );
    const config = await loadServiceConfig({
      chains: CHAINS,
      file: path,
      env: {
        PORT: '2',
        DATABASE_URL: 'postgres://u@db/x',
        FACILITATOR_PRIVATE_KEY: OTHER_KEY,
        RPC_URL_84532: 'http://env-a:8545, http://env-b:8545',
      },
      overrides: { port: 3 },
    });
    assert.equal(config.port, 3);
    assert.deepEqual(config.ledger, { postgres: { url: 'postgres://u@db/x' } });
    assert.deepEqual(config.signers.privateKeys, [OTHER_KEY]);
    assert.deepEqual(config.sections.networks, {
      'eip155:84532': { rpc: ['http://env-a:8545', 'http://env-b:8545'] },
    });
    assert.deepEqual(config.anonymous, { allowed: true });
  });

  it('runs from the x402 e2e harness environment alone (EVM_PRIVATE_KEY, EVM_NETWORK, EVM_RPC_URL)', async () => {
    const config = await loadServiceConfig({
      chains: CHAINS,
      env: { EVM_PRIVATE_KEY: KEY, EVM_NETWORK: 'base-sepolia', EVM_RPC_URL: 'http://harness:8545' },
    });
    assert.deepEqual(config.signers.privateKeys, [KEY]);
    assert.deepEqual(config.sections.networks, { 'eip155:84532': { rpc: ['http://harness:8545'] } });
    const preferred = await loadServiceConfig({
      chains: CHAINS,
      env: { EVM_PRIVATE_KEY: KEY, FACILITATOR_PRIVATE_KEY: OTHER_KEY, EVM_RPC_URL: 'http://harness:8545' },
    });
    assert.deepEqual(preferred.signers.privateKeys, [OTHER_KEY], 'FACILITATOR_PRIVATE_KEY wins');
  });

  it('names the path of each bad field and never echoes a secret', () => {
    const message = issuesOf(() =>
      parseServiceConfig(
        {
          networks: { 'eip155:84532': { rpc: ['ftp://x'] } },
          signers: { privateKeys: ['0xnot-a-key-but-secret'] },
          apiKeys: [{ key: 'short', name: 'a' }],
          limits: { bodyBytes: -1 },
        },
        { chains: CHAINS },
      ),
    );
    assert.match(message, /networks\["eip155:84532"\]\.rpc\[0\]: must be an http\(s\) URL/);
    assert.match(message, /signers\.privateKeys\[0\]: must be 0x followed by 64 hex digits/);
    assert.match(message, /apiKeys\[0\]\.key: must be at least 8 characters/);
    assert.match(message, /limits\.bodyBytes:/);
    assert.doesNotMatch(message, /not-a-key-but-secret|short/);
  });

  it('rejects unknown fields and non-EVM networks', () => {
    const message = issuesOf(() =>
      parseServiceConfig(
        {
          networks: { 'solana:abc': { rpc: ['http://x'] } },
          signers: { privateKeys: [KEY] },
          prot: 1,
        },
        { chains: CHAINS },
      ),
    );
    assert.match(message, /networks\["solana:abc"\]: is not an EVM network/);
    assert.match(message, /prot/);
  });

  it('reports a file that does not parse without quoting it', async () => {
    const path = await file('bad.yaml', `signers:\n  privateKeys: [${KEY}\n  : :\n`);
    await assert.rejects(loadServiceConfig({ chains: CHAINS, file: path }), (error: unknown) => {
      assert.ok(error instanceof FacilitatorConfigError);
      assert.match(error.message, /not valid YAML/);
      assert.doesNotMatch(error.message, new RegExp(KEY.slice(2)));
      return true;
    });
    await assert.rejects(
      loadServiceConfig({ chains: CHAINS, file: '/tmp/config.toml' }),
      /use a \.yaml, \.yml or \.json file/,
    );
  });

  it('reads a TRON section: id forms resolved, keys from the environment, bad addresses named', async () => {
    const path = await file(
      'tron.yaml',
      `
signers:
  privateKeys: ["${KEY}"]
tron:
  networks:
    "tron:0xcd8690dc":
      fullHost: https://nile.trongrid.io
      gasFree: { baseUrl: https://open-test.gasfree.io/nile }
  fees:
    "tron:3448148188":
      TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf: { amount: "100" }
  gasFreeFees:
    "tron:nile": { TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf: 100000 }
`,
    );
    const config = await loadServiceConfig({
      chains: CHAINS,
      file: path,
      env: { TRON_GRID_API_KEY: 'grid-key', GASFREE_API_KEY_NILE: 'gf-key', GASFREE_API_SECRET: 'gf-secret' },
    });
    assert.deepEqual(config.sections.networks, {});
    assert.deepEqual(
      config.chains.map((chain) => chain.module.family),
      ['tron'],
    );
    const tron = config.sections.tron as Record<string, unknown>;
    assert.deepEqual(tron.networks, {
      'tron:nile': {
        fullHost: 'https://nile.trongrid.io',
        apiKey: 'grid-key',
        gasFree: { baseUrl: 'https://open-test.gasfree.io/nile', apiKey: 'gf-key', apiSecret: 'gf-secret' },
      },
    });
    assert.deepEqual(tron.fees, {
      'tron:nile': { TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf: { amount: '100' } },
    });
    assert.deepEqual(tron.gasFreeFees, {
      'tron:nile': { TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf: '100000' },
    });

    const message = issuesOf(() =>
      parseServiceConfig(
        {
          signers: { privateKeys: [KEY] },
          tron: {
            networks: { 'tron:moon': { fullHost: 'https://x' } },
            fees: { 'tron:nile': { TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U: { amount: '1' } } },
          },
        },
        { chains: CHAINS },
      ),
    );
    assert.match(message, /tron\.networks\["tron:moon"\]: is not a TRON network/);
    assert.match(message, /TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U.*valid checksum|valid checksum/);
    assert.match(
      issuesOf(() => parseServiceConfig({ signers: { privateKeys: [KEY] } }, { chains: CHAINS })),
      /networks: configure at least one chain: a networks or tron section/,
    );
  });

  it('asks for settlement keys only when a configured chain settles from them', () => {
    assert.match(
      issuesOf(() =>
        parseServiceConfig({ networks: { 'eip155:84532': { rpc: ['http://x'] } } }, { chains: CHAINS }),
      ),
      /signers\.privateKeys: give at least one private key \(evm settle from it\)/,
    );
    const keyless = { ...tronChain, family: 'keyless', needsPrivateKeys: false, sections: {} };
    const other = { ...keyless, configured: () => true };
    const config = parseServiceConfig({}, { chains: [evmChain, other] });
    assert.deepEqual(config.signers.privateKeys, []);
    assert.deepEqual(
      config.chains.map((chain) => chain.module.family),
      ['keyless'],
    );
  });

  it("takes each chain's low-balance threshold in its own unit, and no other", () => {
    const base = { networks: { 'eip155:84532': { rpc: ['http://x'] } }, signers: { privateKeys: [KEY] } };
    const config = parseServiceConfig(
      { ...base, monitoring: { lowBalanceWei: '10', lowBalanceSun: 5 } },
      { chains: CHAINS },
    );
    assert.equal(config.monitoring.lowBalanceWei, 10n);
    assert.equal(config.monitoring.lowBalanceSun, 5n);
    assert.match(
      issuesOf(() =>
        parseServiceConfig({ ...base, monitoring: { lowBalanceLamports: '1' } }, { chains: CHAINS }),
      ),
      /monitoring: Unrecognized key: "lowBalanceLamports"/,
    );
  });

  it('refuses two chain modules that claim one section (a programming error)', () => {
    const twin = { ...tronChain, family: 'twin' };
    assert.throws(
      () => parseServiceConfig({}, { chains: [tronChain, twin] }),
      /chain module twin: the config section "tron" belongs to tron/,
    );
    const greedy = { ...tronChain, family: 'greedy', sections: { ledger: tronChain.sections.tron } };
    assert.throws(
      () => parseServiceConfig({}, { chains: [greedy] }),
      /chain module greedy: the config section "ledger" belongs to the service/,
    );
  });

  it('formats paths', () => {
    assert.equal(formatPath(['networks', 'eip155:84532', 'rpc', 0]), 'networks["eip155:84532"].rpc[0]');
    assert.equal(formatPath([]), '');
  });
});
