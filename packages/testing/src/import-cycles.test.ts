import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findImportCycles } from './import-cycles.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('no package source has an import cycle', () => {
  const packages = join(REPO_ROOT, 'packages');
  const dirs = readdirSync(packages)
    .map((name) => join(packages, name, 'src'))
    .filter((dir) => existsSync(dir));
  assert.ok(dirs.length >= 9, `found only ${dirs.length} packages`);
  const cycles = findImportCycles(REPO_ROOT, dirs);
  assert.deepEqual(
    cycles,
    [],
    `import cycles (move the shared piece to a file of its own):\n${cycles.map((c) => c.join(' <-> ')).join('\n')}`,
  );
});

test('findImportCycles finds a cycle through type-only imports and re-exports, and none without one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'x402kit-cycles-'));
  try {
    writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.js';\nexport type A = { b?: B };\n");
    writeFileSync(join(dir, 'b.ts'), "export type { C as B } from './c.js';\n");
    writeFileSync(join(dir, 'c.ts'), "import type { A } from './a.js';\nexport type C = { a?: A };\n");
    writeFileSync(join(dir, 'd.ts'), "import { e } from './e/index.js';\nexport const d = e;\n");
    mkdirSync(join(dir, 'e'));
    writeFileSync(join(dir, 'e', 'index.ts'), 'export const e = 1;\n');
    // a test importing its module back is no cycle of the library
    writeFileSync(join(dir, 'e', 'index.test.ts'), "import { d } from '../d.js';\nexport const t = d;\n");
    assert.deepEqual(findImportCycles(dir, [dir]), [['a.ts', 'b.ts', 'c.ts']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
