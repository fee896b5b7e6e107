import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('core boundaries', () => {
  it('imports no chain library, web framework or Node-only module', () => {
    // zod for schemas; @noble/hashes (audited, zero-dependency, browser-safe) for the TRON address
    // checksums (SHA-256 and keccak-256): hash primitives, not a chain library
    const allowed = new Set(['zod', '@noble/hashes/sha2', '@noble/hashes/sha3', '@noble/hashes/utils']);
    const offenders: string[] = [];
    for (const file of sources(here)) {
      if (file.endsWith('.test.ts')) continue;
      // the one Node-only entry (`@x402kit/core/internal/node`), kept apart from the browser-safe ones
      if (file.slice(here.length) === 'internal/node.ts') continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/from '([^']+)'/g)) {
        const spec = m[1]!;
        if (spec.startsWith('.') || allowed.has(spec)) continue;
        offenders.push(`${file.slice(here.length)} imports ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
