import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isInternalEntry, PUBLIC_PACKAGES, readPublicSurface, renderApiSection } from './public-surface.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dirs = PUBLIC_PACKAGES.map((name) => join(REPO_ROOT, 'packages', name));
const surface = readPublicSurface(dirs);

test('the public surface is read from every published package', () => {
  const packages = new Set(surface.map((row) => row.packageName));
  assert.equal(packages.size, PUBLIC_PACKAGES.length, `read only ${[...packages].join(', ')}`);
});

test('every exported name has TSDoc', () => {
  const missing = surface
    .filter((row) => !row.documented)
    .map((row) => `${row.packageName}: ${row.name} (${row.file})`);
  assert.deepEqual([...new Set(missing)], [], 'write a TSDoc comment (one line will do) on these exports');
});

test('every exported function has TSDoc with an @example', () => {
  const missing = surface
    .filter((row) => row.kind === 'function' && !row.hasExample)
    .map(
      (row) => `${row.packageName}${row.entry === '.' ? '' : row.entry.slice(1)}: ${row.name} (${row.file})`,
    );
  assert.deepEqual([...new Set(missing)], [], 'add an @example to the TSDoc of these exported functions');
});

test("every exported name is documented in its package's README", () => {
  const missing: string[] = [];
  for (const dir of dirs) {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string };
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const row of surface.filter((r) => r.packageName === name)) {
      if (!readme.includes(`\`${row.name}\``)) missing.push(`${name}: ${row.name}`);
    }
  }
  assert.deepEqual(
    [...new Set(missing)],
    [],
    'document these exports in the README (node --import tsx scripts/api-docs.ts writes its API section), or stop exporting them',
  );
});

test('renderApiSection lists a name once, under the first entry point that exports it', () => {
  const row = {
    packageName: '@x/p',
    kind: 'function',
    documented: true,
    hasExample: true,
    file: 'src/a.ts',
  } as const;
  const section = renderApiSection(
    [
      { ...row, entry: '.', name: 'alpha', summary: 'Does a | b.' },
      { ...row, entry: './sub', name: 'alpha', summary: 'Does a | b.' },
      { ...row, entry: './sub', name: 'Beta', kind: 'type', summary: '' },
    ],
    '@x/p',
  );
  assert.match(
    section,
    /### `@x\/p`\n\n\| Export \| Kind \| What it is \|\n\| --- \| --- \| --- \|\n\| `alpha` \| function \| Does a \\\| b\. \|/,
  );
  assert.match(
    section,
    /### `@x\/p\/sub`\n\n\| Export[^\n]*\n[^\n]*\n\| `Beta` \| type \| declared with `alpha` \(src\/a\.ts\) \|\n\nAlso exported here, listed above: `alpha`\./,
  );
});

test('entry points under ./internal are not public surface', () => {
  assert.equal(isInternalEntry('./internal'), true);
  assert.equal(isInternalEntry('./internal/usd-value'), true);
  assert.equal(isInternalEntry('./internals'), false);
  assert.equal(isInternalEntry('.'), false);
  assert.deepEqual(
    surface
      .filter((row) => isInternalEntry(row.entry))
      .map((row) => `${row.packageName}${row.entry.slice(1)}`),
    [],
  );
});
