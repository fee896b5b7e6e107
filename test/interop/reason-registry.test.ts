/**
 * The one reason registry across every package: all their tables load together (a code defined twice
 * with another meaning would throw at import), every code a table shares is defined by some table,
 * every exported `*Reasons` table is registered, and every reason code the packages' sources write
 * out as a string (in `invalidReason`/`errorReason`/`reason`, the first argument of an `X402Error`, a
 * refusal or a service error body) is a registered one.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as core from '@x402kit/core';
import * as devnet from '@x402kit/devnet';
import * as evm from '@x402kit/evm';
import * as evmPermit2 from '@x402kit/evm/permit2';
import * as facilitator from '@x402kit/facilitator';
import * as http from '@x402kit/http';
import * as httpGateway from '@x402kit/http/gateway';
import * as paymentPermit from '@x402kit/payment-permit';
import * as svm from '@x402kit/svm';
import * as tron from '@x402kit/tron';
import * as tronExactPermit from '@x402kit/tron/exact-permit';
import * as tronGasFree from '@x402kit/tron/gasfree';
import * as cli from 'x402kit';

const { findReason, listReasons } = core;

const ENTRY_POINTS: Record<string, Record<string, unknown>> = {
  '@x402kit/core': core,
  '@x402kit/payment-permit': paymentPermit,
  '@x402kit/evm': evm,
  '@x402kit/evm/permit2': evmPermit2,
  '@x402kit/tron': tron,
  '@x402kit/tron/exact-permit': tronExactPermit,
  '@x402kit/tron/gasfree': tronGasFree,
  '@x402kit/http': http,
  '@x402kit/http/gateway': httpGateway,
  '@x402kit/facilitator': facilitator,
  '@x402kit/devnet': devnet,
  '@x402kit/svm': svm,
  x402kit: cli,
};

/** The packages whose every written-out reason must be registered. */
const SCANNED = ['core', 'payment-permit', 'evm', 'tron', 'svm', 'http', 'facilitator', 'devnet', 'cli'];

const PACKAGES = join(import.meta.dirname, '..', '..', 'packages');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'testing' && name !== 'solana') sources(path, out);
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const CODE = "'([a-z][a-z0-9_]*)'";
/** Places where a string literal is a reason code. */
const REASON_SITES = [
  new RegExp(`\\b(?:invalidReason|errorReason|reason)\\s*:\\s*${CODE}`, 'g'),
  new RegExp(`\\b(?:verifyRefusal|settleRefusal)\\(\\s*${CODE}`, 'g'),
  new RegExp(`new (?:X402Error|TronNodeError|GasFreeError)\\(\\s*${CODE}`, 'g'),
];
/** The facilitator's and the HTTP layer's error bodies: `{ error: '<code>', message }`. */
const ERROR_BODY = new RegExp(`\\berror\\s*:\\s*${CODE}`, 'g');

describe('the reason registry across packages', () => {
  it('loads every table of every package without a code defined twice, and no share without a definer', () => {
    const entries = listReasons();
    assert.ok(entries.length > 200, `only ${entries.length} codes registered`);
    const orphans = entries.filter((e) => e.owner === undefined).map((e) => e.code);
    assert.deepEqual(orphans, [], 'codes shared by a table but defined by none');
    const codes = entries.map((e) => e.code);
    assert.equal(new Set(codes).size, codes.length);
  });

  it('registers every exported *Reasons table, each code under one owner', () => {
    let tables = 0;
    for (const [entry, exports] of Object.entries(ENTRY_POINTS)) {
      for (const [name, value] of Object.entries(exports)) {
        if (!name.endsWith('Reasons') || typeof value !== 'object' || value === null) continue;
        tables++;
        for (const [key, code] of Object.entries(value)) {
          assert.equal(typeof code, 'string', `${entry} ${name}.${key}`);
          const found = findReason(code as string);
          assert.ok(found, `${entry} ${name}.${key} = ${String(code)} is not registered`);
          assert.equal(found.code, code, `${entry} ${name}.${key}`);
        }
      }
    }
    assert.ok(tables >= 14, `only ${tables} tables found`);
  });

  it('lists each owner of the tables the packages define', () => {
    const owners = new Set(listReasons().map((e) => e.owner));
    for (const owner of [
      '@x402kit/core',
      '@x402kit/core/payment-identifier',
      '@x402kit/payment-permit',
      '@x402kit/evm',
      '@x402kit/evm/permit2',
      '@x402kit/tron',
      '@x402kit/tron/gasfree',
      '@x402kit/tron/exact-gasfree',
      '@x402kit/tron/exact-permit',
      '@x402kit/svm',
      '@x402kit/facilitator',
      '@x402kit/devnet',
      'x402kit',
    ])
      assert.ok(owners.has(owner), owner);
    assert.equal(findReason('settlement_pending')?.owner, '@x402kit/core');
    assert.equal(findReason('tron_broadcast_dup_transaction_error')?.owner, '@x402kit/tron');
  });

  it('has registered every reason code the packages write out as a string', () => {
    const unregistered: string[] = [];
    let sites = 0;
    for (const pkg of SCANNED) {
      for (const file of sources(join(PACKAGES, pkg, 'src'))) {
        const text = readFileSync(file, 'utf8');
        const patterns =
          pkg === 'facilitator' || pkg === 'http' ? [...REASON_SITES, ERROR_BODY] : REASON_SITES;
        for (const pattern of patterns) {
          for (const match of text.matchAll(pattern)) {
            const code = match[1] as string;
            sites++;
            if (findReason(code) === undefined)
              unregistered.push(`${code} (${file.slice(PACKAGES.length + 1)})`);
          }
        }
      }
    }
    assert.ok(sites > 20, `only ${sites} literal reason sites found: is the scan still looking?`);
    assert.deepEqual(unregistered, []);
  });
});
