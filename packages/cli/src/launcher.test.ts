import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = fileURLToPath(new URL('../', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LAUNCHER = join(PACKAGE_DIR, 'bin', 'x402kit.js');
const LINKED = join(REPO_ROOT, 'node_modules', '.bin', 'x402kit');

describe('the x402kit launcher (bin/x402kit.js)', () => {
  it('is what package.json links, a committed file shipped in the package, not a build output', () => {
    const manifest: unknown = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));
    assert.ok(typeof manifest === 'object' && manifest !== null && 'bin' in manifest && 'files' in manifest);
    assert.deepEqual(manifest.bin, { x402kit: './bin/x402kit.js' });
    assert.ok(Array.isArray(manifest.files) && manifest.files.includes('bin'), '"files" ships bin/');
    assert.ok(existsSync(LAUNCHER));
    assert.match(readFileSync(LAUNCHER, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  it('is linked as node_modules/.bin/x402kit and runs --help and --version after the build', () => {
    assert.ok(
      existsSync(join(PACKAGE_DIR, 'dist', 'bin.js')),
      'packages/cli/dist/bin.js is missing: run `npm run build` before this test',
    );
    assert.ok(existsSync(LINKED), `${LINKED} is missing: npm did not link the bin (run npm ci)`);
    assert.equal(realpathSync(LINKED), realpathSync(LAUNCHER));
    // run the link itself, as `npx x402kit` does: shebang and executable bit included
    const help = spawnSync(LINKED, ['--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: x402kit <command>/);
    const version = spawnSync(LINKED, ['--version'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(version.status, 0, version.stderr);
    const manifest: unknown = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));
    assert.ok(typeof manifest === 'object' && manifest !== null && 'version' in manifest);
    assert.equal(version.stdout, `${String(manifest.version)}\n`);
    // the CLI's exit code comes through the launcher
    const unknown = spawnSync(LINKED, ['deploy'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(unknown.status, 2);
  });

  it('says "run npm run build first" (exit 1) when dist/ is missing, instead of a module-not-found trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'x402kit-launcher-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(LAUNCHER, join(dir, 'bin', 'x402kit.js'));
      copyFileSync(join(PACKAGE_DIR, 'package.json'), join(dir, 'package.json'));
      const run = spawnSync(process.execPath, [join(dir, 'bin', 'x402kit.js'), '--help'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(run.status, 1);
      assert.equal(run.stdout, '');
      assert.match(run.stderr, /not built yet .*run `npm run build` first/);
      assert.doesNotMatch(run.stderr, /ERR_MODULE_NOT_FOUND/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
