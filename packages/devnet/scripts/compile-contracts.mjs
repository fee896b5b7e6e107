// Compiles every contracts/*.sol of @x402kit/devnet with the `solc` npm package and writes
// src/generated/contracts.ts (ABI as const, creation bytecode, storage layout) for each contract.
// Skips the work when the generated file is newer than every source (and than this script).
// Usage (any cwd): node packages/devnet/scripts/compile-contracts.mjs [--force]
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const scriptPath = fileURLToPath(import.meta.url);
const packageDir = dirname(dirname(scriptPath));
const contractsDir = join(packageDir, 'contracts');
const outFile = join(packageDir, 'src', 'generated', 'contracts.ts');
const require = createRequire(join(packageDir, 'package.json'));
const force = process.argv.includes('--force');

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

const sources = readdirSync(contractsDir)
  .filter((f) => f.endsWith('.sol'))
  .sort();
if (sources.length === 0) {
  console.error(`contracts: no .sol files in ${contractsDir}`);
  process.exit(1);
}

// Permit2's canonical creation code is not compiled here: it is read from the installed
// @uniswap/uniswapx-sdk (a root devDependency) and checked against its published keccak256.
const PERMIT2_FACTORY = 'dist/cjs/src/contracts/factories/Permit2__factory.js';
const PERMIT2_CODE_KECCAK = '0xe2be1e05eedf35dacd66c65c862f8150ff9ab4b6b24b9bbe62be71b6b16cf0f8';
// Neither the file nor package.json is in the package's exports map: look along node's search paths.
const permit2FactoryPath = (require.resolve.paths('@uniswap/uniswapx-sdk') ?? [])
  .map((dir) => join(dir, '@uniswap', 'uniswapx-sdk', PERMIT2_FACTORY))
  .find((path) => mtimeMs(path) !== undefined);
if (permit2FactoryPath === undefined) {
  console.error("contracts: @uniswap/uniswapx-sdk not installed (needed for Permit2's creation code)");
  process.exit(1);
}

const outTime = mtimeMs(outFile);
const newestInput = Math.max(
  mtimeMs(scriptPath) ?? 0,
  mtimeMs(permit2FactoryPath) ?? 0,
  ...sources.map((f) => mtimeMs(join(contractsDir, f)) ?? 0),
);
if (!force && outTime !== undefined && outTime > newestInput) {
  console.log('contracts: up to date');
  process.exit(0);
}

const started = performance.now();
const solc = require('solc');

const input = {
  language: 'Solidity',
  sources: Object.fromEntries(
    sources.map((f) => [`contracts/${f}`, { content: readFileSync(join(contractsDir, f), 'utf8') }]),
  ),
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: Object.fromEntries(
      sources.map((f) => [`contracts/${f}`, { '*': ['abi', 'evm.bytecode.object', 'storageLayout'] }]),
    ),
  },
};

// Resolves `@openzeppelin/...` (and any other package import) from node_modules.
function findImports(path) {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') };
  } catch (error) {
    return {
      error: `cannot resolve import ${path}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

const { keccak256 } = await import(require.resolve('viem'));
const permit2Match = /_bytecode\s*=\s*"(0x[0-9a-fA-F]+)"/.exec(readFileSync(permit2FactoryPath, 'utf8'));
if (!permit2Match) {
  console.error(`contracts: no _bytecode in ${permit2FactoryPath} (uniswapx-sdk layout changed?)`);
  process.exit(1);
}
const permit2CreationCode = permit2Match[1].toLowerCase();
if (keccak256(permit2CreationCode) !== PERMIT2_CODE_KECCAK) {
  console.error(
    `contracts: Permit2 creation code in ${permit2FactoryPath} has keccak256 ${keccak256(permit2CreationCode)}, ` +
      `expected ${PERMIT2_CODE_KECCAK}`,
  );
  process.exit(1);
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
for (const e of output.errors ?? []) {
  // Warnings about library code (OpenZeppelin's transient-storage note) are not ours to fix.
  const inLibrary = e.sourceLocation?.file?.startsWith('@') ?? false;
  if (e.severity !== 'error' && !inLibrary) console.error(e.formattedMessage ?? e.message);
}
if (errors.length > 0) {
  for (const e of errors) console.error(e.formattedMessage ?? e.message);
  console.error(`contracts: ${errors.length} compile error(s)`);
  process.exit(1);
}

function artifactName(contractName) {
  return `${contractName[0].toLowerCase()}${contractName.slice(1)}Artifact`;
}

// Keeps only what the devnet needs to copy a contract's constructor-written storage to another address.
function storageEntries(layout) {
  const types = layout?.types ?? {};
  return (layout?.storage ?? []).map((s) => ({
    label: s.label,
    slot: Number(s.slot),
    offset: s.offset,
    type: s.type,
    encoding: types[s.type]?.encoding ?? 'inplace',
    numberOfBytes: Number(types[s.type]?.numberOfBytes ?? 32),
  }));
}

const blocks = [];
let count = 0;
for (const f of sources) {
  const contracts = output.contracts?.[`contracts/${f}`] ?? {};
  for (const [name, c] of Object.entries(contracts).sort(([a], [b]) => a.localeCompare(b))) {
    const bytecode = c.evm?.bytecode?.object ?? '';
    if (bytecode.length === 0) continue; // abstract contracts and interfaces
    count++;
    blocks.push(
      [
        `/** Compiled from \`contracts/${f}\` (contract \`${name}\`): ABI, creation bytecode and storage layout. */`,
        `export const ${artifactName(name)} = {`,
        `  contractName: ${JSON.stringify(name)},`,
        `  abi: ${JSON.stringify(c.abi, null, 2).replaceAll('\n', '\n  ')} as const,`,
        `  bytecode: '0x${bytecode}' as const,`,
        `  storageLayout: ${JSON.stringify(storageEntries(c.storageLayout), null, 2).replaceAll('\n', '\n  ')} as const,`,
        '} as const;',
      ].join('\n'),
    );
  }
}

if (count === 0) {
  console.error('contracts: the compiler produced no deployable contract');
  process.exit(1);
}

blocks.push(
  [
    '/**',
    " * Permit2's canonical creation code, read at build time from `@uniswap/uniswapx-sdk`",
    ` * (\`Permit2__factory._bytecode\`); its keccak256 is checked to be \`${PERMIT2_CODE_KECCAK}\`.`,
    ' */',
    `export const permit2CreationCode = '${permit2CreationCode}' as const;`,
    '',
    '/** keccak256 of {@link permit2CreationCode}, as published for the canonical deployment. */',
    `export const PERMIT2_CREATION_CODE_KECCAK = '${PERMIT2_CODE_KECCAK}' as const;`,
  ].join('\n'),
);

const header = [
  '// Generated by packages/devnet/scripts/compile-contracts.mjs from packages/devnet/contracts/*.sol.',
  `// solc ${solc.version()}, optimizer 200 runs, evmVersion cancun. Do not edit; run \`node scripts/build.mjs\`.`,
  '',
].join('\n');
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${header}\n${blocks.join('\n\n')}\n`);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`contracts: compiled ${count} in ${seconds}s (${sources.map((f) => basename(f)).join(', ')})`);
