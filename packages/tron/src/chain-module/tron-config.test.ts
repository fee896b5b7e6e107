import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import { TronConfigSchema, tronEnvDefaults } from './tron-config.js';

const USDT = 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf';
const TYPO = 'TFFAMLQZybALab4uxHA9RBE7pxhUAjfF3U';

/** The message the service shows for an issue: a bad record key's own message, as it words it. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') return issue.issues.find((i) => i.message)?.message ?? issue.message;
  return issue.message;
}

describe('the tron config section', () => {
  it('resolves network id forms and takes its keys from the environment', () => {
    const file = {
      tron: {
        networks: {
          'tron:0xcd8690dc': {
            fullHost: 'https://nile.trongrid.io',
            gasFree: { baseUrl: 'https://open-test.gasfree.io/nile' },
          },
        },
        fees: { 'tron:3448148188': { [USDT]: { amount: '100' } } },
        gasFreeFees: { 'tron:nile': { [USDT]: 100000 } },
      },
    };
    const merged = tronEnvDefaults(file, {
      TRON_GRID_API_KEY: 'grid-key',
      GASFREE_API_KEY_NILE: 'gf-key',
      GASFREE_API_SECRET: 'gf-secret',
    });
    const config = TronConfigSchema.parse(merged.tron);
    assert.deepEqual(config.networks, {
      'tron:nile': {
        fullHost: 'https://nile.trongrid.io',
        apiKey: 'grid-key',
        gasFree: { baseUrl: 'https://open-test.gasfree.io/nile', apiKey: 'gf-key', apiSecret: 'gf-secret' },
      },
    });
    assert.deepEqual(config.fees, { 'tron:nile': { [USDT]: { amount: '100' } } });
    assert.deepEqual(config.gasFreeFees, { 'tron:nile': { [USDT]: '100000' } });
  });

  it('keeps what the file says over the environment and never adds a section', () => {
    const file = {
      tron: {
        networks: {
          'tron:shasta': {
            fullHost: 'https://api.shasta.trongrid.io',
            apiKey: 'mine',
            gasFree: { baseUrl: 'https://x', apiKey: 'k' },
          },
        },
      },
    };
    const env = { TRON_GRID_API_KEY: 'grid', GASFREE_API_KEY_SHASTA: 'gf', GASFREE_API_SECRET_SHASTA: 's' };
    assert.deepEqual(tronEnvDefaults(file, env), {
      tron: {
        networks: {
          'tron:shasta': {
            fullHost: 'https://api.shasta.trongrid.io',
            apiKey: 'mine',
            gasFree: { baseUrl: 'https://x', apiKey: 'k', apiSecret: 's' },
          },
        },
      },
    });
    assert.deepEqual(tronEnvDefaults({ port: 4022 }, env), { port: 4022 });
  });

  it('refuses unknown networks and mistyped addresses, naming the field', () => {
    const parsed = TronConfigSchema.safeParse({
      networks: { 'tron:moon': { fullHost: 'https://x' } },
      fees: { 'tron:nile': { [TYPO]: { amount: '1' } } },
    });
    assert.equal(parsed.success, false);
    const issues =
      parsed.error?.issues.map((issue) => ({ path: issue.path, message: messageOf(issue) })) ?? [];
    assert.ok(
      issues.some(
        (i) =>
          i.path.join('.') === 'networks.tron:moon' &&
          /^is not a TRON network \(tron:mainnet, tron:nile, tron:shasta/.test(i.message),
      ),
      JSON.stringify(issues),
    );
    assert.ok(
      issues.some((i) => i.path.includes(TYPO) && /valid checksum/.test(i.message)),
      JSON.stringify(issues),
    );
  });

  it('refuses a node that is not an http(s) URL, unknown fields and bad amounts', () => {
    const messages = (input: unknown) =>
      TronConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${messageOf(i)}`) ??
      [];
    assert.deepEqual(messages({ networks: { 'tron:nile': { fullHost: 'ftp://x' } } }), [
      'networks.tron:nile.fullHost: must be an http(s) URL',
    ]);
    assert.match(messages({ networks: {}, solidify: true }).join('\n'), /solidify/);
    assert.deepEqual(messages({ networks: {}, gasFreeFees: { 'tron:nile': { [USDT]: '1.5' } } }), [
      `gasFreeFees.tron:nile.${USDT}: must be atomic units as a decimal string`,
    ]);
  });
});
