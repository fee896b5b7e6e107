// Writes the "API" section of each published package's README from its exports and their TSDoc.
// Usage: node --import tsx scripts/api-docs.ts   (packages/testing/src/public-surface.test.ts checks the result)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PUBLIC_PACKAGES,
  readPublicSurface,
  renderApiSection,
  replaceApiSection,
} from '../packages/testing/src/public-surface.js';

const root = join(import.meta.dirname, '..');
const dirs = PUBLIC_PACKAGES.map((name) => join(root, 'packages', name));
const rows = readPublicSurface(dirs);
const written: string[] = [];
for (const dir of dirs) {
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string };
  const path = join(dir, 'README.md');
  writeFileSync(path, replaceApiSection(readFileSync(path, 'utf8'), renderApiSection(rows, name)));
  written.push(path);
  console.log(
    `${name}: ${new Set(rows.filter((r) => r.packageName === name).map((r) => r.name)).size} names`,
  );
}
// the tables as the lint writes markdown, so a regenerated README passes `npm run lint`
spawnSync(process.execPath, [join(root, 'scripts/biome.mjs'), 'format', '--write', ...written], {
  stdio: 'inherit',
});
