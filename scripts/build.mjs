// One build command: compile the Solidity contracts (devnet), type-check and emit every package (ESM, in
// dist/), write the CommonJS twin of every publishable package (dist/cjs/), then type-check the tests.
// Each step prints a line when it starts and its time when it ends, so a first build is never silent.
//
// The CommonJS twin: `tsc -b` has type-checked and emitted the ESM build and its .d.ts already, so the
// CJS step only transpiles each source file on its own (ts.transpileModule, as a .cts file so a dynamic
// `import()` stays a real import and can load ESM-only dependencies) and copies the .d.ts next to it; a
// `{"type":"commonjs"}` package.json in dist/cjs makes Node and TypeScript read that folder as CommonJS.
// `import.meta.url` has no CommonJS form: it becomes the file URL of the ESM twin of the file (dist/x.js
// for dist/cjs/x.js), so paths built from it (`new URL('../package.json', import.meta.url)`) mean the same
// in both builds. A file with top-level await cannot be CommonJS: ESM_ONLY names each such file and why.
//
// Usage: node scripts/build.mjs [--cjs-only]
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

/** Source files (relative to a package's src/) left out of the CommonJS build, with the reason. */
const ESM_ONLY = {
  cli: {
    // The bin is an ES module entry (top-level await); bin/x402kit.js imports it, never require().
    'bin.ts': 'top-level await in the command-line entry',
  },
};

function step(name, work) {
  const started = performance.now();
  console.log(`build: ${name} …`);
  work();
  console.log(`build: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (
      entry.name.endsWith('.ts') &&
      !entry.name.endsWith('.d.ts') &&
      !entry.name.endsWith('.test.ts')
    ) {
      files.push(path);
    }
  }
  return files;
}

/** Writes packages/<name>/dist/cjs for every publishable package; returns the number of files written. */
function buildCommonJs(ts) {
  let count = 0;
  for (const name of readdirSync('packages').sort()) {
    const packageDir = join('packages', name);
    const manifestPath = join(packageDir, 'package.json');
    if (!existsSync(manifestPath) || JSON.parse(readFileSync(manifestPath, 'utf8')).private) continue;
    const src = join(packageDir, 'src');
    const dist = join(packageDir, 'dist');
    const cjs = join(dist, 'cjs');
    rmSync(cjs, { recursive: true, force: true });
    mkdirSync(cjs, { recursive: true });
    writeFileSync(join(cjs, 'package.json'), '{ "type": "commonjs" }\n');
    const skipped = ESM_ONLY[name] ?? {};
    for (const file of sourceFiles(src)) {
      const rel = relative(src, file);
      const base = rel.slice(0, -'.ts'.length);
      const declaration = join(dist, `${base}.d.ts`);
      // A source tsc -b does not emit (its tsconfig excludes it) is not published.
      if (skipped[rel.split(sep).join('/')] || !existsSync(declaration)) continue;
      const out = join(cjs, `${base}.js`);
      mkdirSync(dirname(out), { recursive: true });
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        fileName: `${base}.cts`,
        compilerOptions: {
          module: ts.ModuleKind.Node16,
          moduleResolution: ts.ModuleResolutionKind.Node16,
          target: ts.ScriptTarget.ES2022,
          esModuleInterop: true,
          verbatimModuleSyntax: false,
          isolatedModules: true,
          sourceMap: false,
        },
      });
      const esmTwinDir = relative(dirname(out), dirname(join(dist, `${base}.js`)))
        .split(sep)
        .join('/');
      const twin = `${esmTwinDir}/${base.split(sep).pop()}.js`;
      const metaUrl = `require("node:url").pathToFileURL(require("node:path").join(__dirname, ${JSON.stringify(twin)})).href`;
      writeFileSync(out, outputText.replaceAll('import.meta.url', metaUrl));
      // The declarations tsc emitted for the ESM build serve the CommonJS one too (read as CJS there).
      copyFileSync(declaration, join(cjs, `${base}.d.ts`));
      const map = `${declaration}.map`;
      if (existsSync(map)) {
        const parsed = JSON.parse(readFileSync(map, 'utf8'));
        parsed.sources = parsed.sources.map((s) => `../${s}`);
        writeFileSync(join(cjs, `${base}.d.ts.map`), JSON.stringify(parsed));
      }
      count++;
    }
  }
  return count;
}

const cjsOnly = process.argv.includes('--cjs-only');
const total = performance.now();
if (!cjsOnly) {
  const contracts = 'packages/devnet/scripts/compile-contracts.mjs';
  if (existsSync(contracts))
    step('contracts (solc, skipped when up to date)', () => run(process.execPath, [contracts]));
  step('packages (tsc -b: type-check and ESM emit)', () =>
    run(process.execPath, ['node_modules/typescript/bin/tsc', '-b']),
  );
}
step('packages (CommonJS twin in dist/cjs)', () => {
  const ts = createRequire(import.meta.url)('typescript');
  console.log(`build: ${buildCommonJs(ts)} CommonJS files written`);
});
if (!cjsOnly) {
  // The tests of the packages that use @x402kit/testing sit outside their package's build (the testing
  // package depends on those packages), so test/tsconfig.json type-checks them with the root tests.
  step('tests (tsc -p test: type-check only)', () =>
    run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test']),
  );
}
console.log(`build: done in ${((performance.now() - total) / 1000).toFixed(1)} s`);
