import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startAnvil } from './anvil.js';
import { AnvilStartError } from './errors.js';
import { ANVIL_PLATFORM_PACKAGES, findAnvil } from './find-anvil.js';

const dir = mkdtempSync(join(tmpdir(), 'find-anvil-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// A machine no anvil package exists for: the lookup goes on to ANVIL_PATH and PATH.
const elsewhere = { platform: 'freebsd', arch: 'riscv64' } as const;

test('without ANVIL_PATH, the platform package of this machine comes before PATH', () => {
  writeFileSync(join(dir, 'anvil'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'anvil'), 0o755);
  const found = findAnvil({ env: { PATH: dir } });
  assert.equal(found.from, 'package');
  assert.ok(found.path.includes(ANVIL_PLATFORM_PACKAGES[`${process.platform}-${process.arch}`] ?? '?'));
  assert.match(execFileSync(found.path, ['--version'], { encoding: 'utf8' }), /anvil/i);
});

test('ANVIL_PATH names the binary, before the platform package and PATH (an explicit choice wins)', async () => {
  const real = findAnvil({ env: { PATH: '' } }).path; // the platform package's anvil
  writeFileSync(join(dir, 'my-anvil'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'my-anvil'), 0o755);
  writeFileSync(join(dir, 'anvil'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, 'anvil'), 0o755);
  // installed package and an anvil on PATH too: ANVIL_PATH wins over both
  const own = join(dir, 'my-anvil');
  assert.deepEqual(findAnvil({ env: { ANVIL_PATH: own, PATH: dir } }), { path: own, from: 'ANVIL_PATH' });
  // on a machine with no package, the same
  const found = findAnvil({ ...elsewhere, env: { ANVIL_PATH: real, PATH: dir } });
  assert.deepEqual(found, { path: real, from: 'ANVIL_PATH' });
  // The path found is a working anvil.
  const anvil = await startAnvil({ chainId: 31337, binaryPath: found.path });
  await anvil.stop();
});

test('without a platform package or ANVIL_PATH, an executable named anvil on PATH is used', () => {
  const bin = mkdtempSync(join(dir, 'bin-'));
  writeFileSync(join(bin, 'anvil'), '#!/bin/sh\necho "anvil 0.0.0-test"\n');
  chmodSync(join(bin, 'anvil'), 0o755);
  const notExecutable = mkdtempSync(join(dir, 'noexec-'));
  writeFileSync(join(notExecutable, 'anvil'), 'not a program\n');
  chmodSync(join(notExecutable, 'anvil'), 0o644);
  const found = findAnvil({ ...elsewhere, env: { PATH: [notExecutable, '/nonexistent', bin].join(':') } });
  assert.deepEqual(found, { path: join(bin, 'anvil'), from: 'PATH' });
  assert.equal(execFileSync(found.path, { encoding: 'utf8' }), 'anvil 0.0.0-test\n');
});

test('an ANVIL_PATH that names no executable is an error, not a silent fall-through to the package or PATH', () => {
  const bin = mkdtempSync(join(dir, 'bin-'));
  writeFileSync(join(bin, 'anvil'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, 'anvil'), 0o755);
  assert.throws(
    () => findAnvil({ ...elsewhere, env: { ANVIL_PATH: join(dir, 'missing'), PATH: bin } }),
    (error: unknown) => {
      assert.ok(error instanceof AnvilStartError);
      assert.equal(error.reason, 'devnet_anvil_start_failed');
      assert.match(error.message, /ANVIL_PATH=.*missing is not an executable file/);
      return true;
    },
  );
});

test('none at all: the error names every place looked at and how to get anvil', () => {
  const empty = mkdtempSync(join(dir, 'empty-'));
  // A supported machine whose package is not installed here (only this machine's one is).
  const other =
    process.platform === 'darwin'
      ? { platform: 'linux', arch: 'arm64' }
      : { platform: 'darwin', arch: 'arm64' };
  const pkg = ANVIL_PLATFORM_PACKAGES[`${other.platform}-${other.arch}`];
  assert.throws(
    () => findAnvil({ ...other, env: { PATH: empty } }),
    (error: unknown) => {
      assert.ok(error instanceof AnvilStartError);
      assert.equal(
        error.message,
        `anvil not found; looked for ANVIL_PATH (not set); the npm package ${pkg} (not installed); anvil on PATH ` +
          `(not in ${empty}). To fix: npm install ${pkg}, or install Foundry (https://getfoundry.sh) and put ` +
          'anvil on PATH, or set ANVIL_PATH to the anvil binary',
      );
      return true;
    },
  );
  assert.throws(
    () => findAnvil({ ...elsewhere, env: {} }),
    (error: unknown) => {
      assert.ok(error instanceof AnvilStartError);
      assert.match(
        error.message,
        /an npm package for freebsd-riscv64 \(Foundry publishes anvil for linux-x64, /,
      );
      assert.match(error.message, /PATH is empty/);
      assert.doesNotMatch(error.message, /npm install/);
      return true;
    },
  );
});

test('on Windows the executable looked for is anvil.exe', () => {
  const bin = mkdtempSync(join(dir, 'win-'));
  writeFileSync(join(bin, 'anvil.exe'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, 'anvil.exe'), 0o755);
  // win32-ia32 has no package; PATH uses this machine's delimiter.
  assert.deepEqual(findAnvil({ platform: 'win32', arch: 'ia32', env: { PATH: bin } }), {
    path: join(bin, 'anvil.exe'),
    from: 'PATH',
  });
});
