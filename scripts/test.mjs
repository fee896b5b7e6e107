// Runs every test: unit tests next to the code, then the root e2e and interop suites.
// Usage: node scripts/test.mjs [--unit] [path-filter...]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const filters = args.filter((a) => !a.startsWith('--'));

function find(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const roots = ['packages', ...(unitOnly ? [] : ['test'])];
let files = roots.flatMap((r) => find(r)).sort();
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
// files a test writes where the configuration names none (the facilitator's ledger, a server's channel
// store) go to a fresh directory of this run, never the user's data directory nor an earlier run's
const dataDir = process.env.X402KIT_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'x402kit-test-data-'));
const r = spawnSync(
  process.execPath,
  ['--conditions=source', '--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, X402KIT_DATA_DIR: dataDir } },
);
process.exit(r.status ?? 1);
