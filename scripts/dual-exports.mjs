// Gives every publishable package's package.json the dual (ESM + CommonJS) shape that scripts/build.mjs
// builds and test/e2e/pack-install.test.ts checks. An exports entry written the short way,
//   "./x": { "source": "./src/x.ts", "types": "./dist/x.d.ts", "default": "./dist/x.js" }
// becomes
//   "./x": { "source": …, "import": { "types": "./dist/x.d.ts", "default": "./dist/x.js" },
//            "require": { "types": "./dist/cjs/x.d.ts", "default": "./dist/cjs/x.js" } }
// and main, module, types and typesVersions (for TypeScript's moduleResolution node10, which reads no
// exports) follow the entries. Safe to run again; it changes nothing in a package already in shape.
// Usage: node scripts/dual-exports.mjs
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const toCjs = (path) => path.replace(/^\.\/dist\//, './dist/cjs/');

for (const dir of readdirSync(join(root, 'packages')).sort()) {
  const file = join(root, 'packages', dir, 'package.json');
  const before = readFileSync(file, 'utf8');
  const pkg = JSON.parse(before);
  if (pkg.private) continue;
  const exportsMap = {};
  const typesVersions = {};
  for (const [key, entry] of Object.entries(pkg.exports)) {
    const esm = entry.import ?? { types: entry.types, default: entry.default };
    const cjs = entry.require ?? { types: toCjs(esm.types), default: toCjs(esm.default) };
    exportsMap[key] = { source: entry.source, import: esm, require: cjs };
    if (key !== '.') typesVersions[key.slice(2)] = [cjs.types];
  }
  const out = {};
  for (const [key, value] of Object.entries(pkg)) {
    if (['main', 'module', 'types', 'typesVersions'].includes(key)) continue;
    if (key === 'exports') {
      out.main = exportsMap['.'].require.default;
      out.module = exportsMap['.'].import.default;
      out.types = exportsMap['.'].require.types;
      if (Object.keys(typesVersions).length > 0) out.typesVersions = { '*': typesVersions };
      out.exports = exportsMap;
    } else {
      out[key] = value;
    }
  }
  for (const pattern of ['LICENSE', '!dist/.tsbuildinfo'])
    if (!out.files.includes(pattern)) out.files.push(pattern);
  const after = `${JSON.stringify(out, null, 2)}\n`;
  if (after !== before) {
    writeFileSync(file, after);
    console.log(`dual-exports: updated packages/${dir}/package.json`);
  }
}
