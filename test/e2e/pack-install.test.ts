/**
 * From packed tarballs to a paid request, as a user installs x402kit: `npm pack` of every publishable
 * package, a fresh project in the OS temp dir (outside the workspace) that installs the tarballs together,
 * the README's "Pay" and "Charge" snippets extracted from README.md (`<!-- snippet:pay -->`,
 * `<!-- snippet:charge -->`) and compiled with strict TypeScript as ESM (`nodenext`) and as CommonJS
 * (`moduleResolution: node10`, and `node16` for everything that does not import viem, whose own types are
 * ESM-only), then run: the installed `x402kit devnet` and `x402kit facilitator`, the seller snippet, and the
 * buyer snippet paying it, once as ESM and once as CommonJS.
 *
 * Needs the build (`npm run build`): the tarballs carry dist/ as it is.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readTokenBalance } from '@x402kit/devnet';
import type { Address } from 'viem';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const run = promisify(execFile);

type Manifest = {
  name: string;
  private?: boolean;
  main?: string;
  types?: string;
  peerDependencies?: Record<string, string>;
  typesVersions?: Record<string, Record<string, string[]>>;
  exports: Record<string, { source?: string; import?: Conditions; require?: Conditions }>;
};
type Conditions = { types: string; default: string };

const PACKAGES = readdirSync(join(ROOT, 'packages'))
  .sort()
  .map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')) as Manifest,
  }))
  .filter((p) => !p.manifest.private);

const work = mkdtempSync(join(tmpdir(), 'x402kit-pack-install-'));
const project = join(work, 'project');
const children: ChildProcess[] = [];
let packed: { name: string; filename: string; files: { path: string }[] }[] = [];

function versionOf(pkg: string): string {
  return (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

/** The ```ts block after `<!-- snippet:<name> -->` in the root README. */
function snippet(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = new RegExp(`<!-- snippet:${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  assert.ok(match?.[1], `README.md has no ts block after <!-- snippet:${name} -->`);
  return `${match[1]}\n`;
}

/** The snippet as a CommonJS file can hold it: imports first, the rest in an async function (no top-level await). */
function withoutTopLevelAwait(code: string): string {
  const lines = code.split('\n');
  const body = lines.findIndex((line, i) => i > 0 && lines[i - 1] === '' && !line.startsWith('import '));
  return `${lines.slice(0, body).join('\n')}\nvoid (async () => {\n${lines.slice(body).join('\n')}})();\n`;
}

function tsconfig(options: Record<string, unknown>, include: string[]): string {
  const base = {
    strict: true,
    skipLibCheck: true,
    target: 'es2022',
    lib: ['es2023', 'dom'],
    types: ['node'],
  };
  return JSON.stringify({ compilerOptions: { ...base, ...options }, include }, null, 2);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Starts a child in the project and resolves with the first stdout line matching `ready`. */
function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<RegExpExecArray> {
  const child = spawn(process.execPath, args, { cwd: project, env: { ...process.env, ...env } });
  children.push(child);
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${args.join(' ')} not ready in 60 s:\n${out}\n${err}`)),
      60_000,
    );
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited (${code}) before it was ready:\n${out}\n${err}`));
    });
  });
}

async function untilListening(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing listens on ${url}`);
}

before(async () => {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  const workspaces = PACKAGES.flatMap((p) => ['-w', `packages/${p.dir}`]);
  const { stdout } = await run('npm', ['pack', ...workspaces, '--pack-destination', tarballs, '--json'], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  packed = JSON.parse(stdout);
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    '{ "name": "x402kit-consumer", "private": true, "type": "module" }\n',
  );
  const peers = ['express', '@types/express', '@types/node'].map((pkg) => `${pkg}@${versionOf(pkg)}`);
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...packed.map((p) => join(tarballs, p.filename)),
      ...peers,
    ],
    { cwd: project, maxBuffer: 64 * 1024 * 1024 },
  );
});

after(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) =>
      c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null,
    ),
  );
  rmSync(work, { recursive: true, force: true });
});

test('every tarball holds LICENSE, README, package.json and dist as ESM + CommonJS with types, and no tests', () => {
  assert.equal(packed.length, PACKAGES.length);
  for (const { manifest } of PACKAGES) {
    const tarball = packed.find((p) => p.name === manifest.name);
    assert.ok(tarball, `${manifest.name} was not packed`);
    const files = new Set(tarball.files.map((f) => f.path));
    for (const file of ['LICENSE', 'README.md', 'package.json', 'dist/cjs/package.json']) {
      assert.ok(files.has(file), `${manifest.name}: ${file} missing from the tarball`);
    }
    const leaked = [...files].filter((f) => /\.test\.|tsbuildinfo|(^|\/)testing\//.test(f));
    assert.deepEqual(leaked, [], `${manifest.name}: test or build files in the tarball`);
    assert.ok(manifest.main && files.has(manifest.main.slice(2)), `${manifest.name}: main ${manifest.main}`);
    assert.ok(
      manifest.types && files.has(manifest.types.slice(2)),
      `${manifest.name}: types ${manifest.types}`,
    );
    for (const [entry, target] of Object.entries(manifest.exports)) {
      const where = `${manifest.name} exports["${entry}"]`;
      assert.ok(target.import && target.require, `${where}: needs "import" and "require" conditions`);
      for (const path of [
        target.import.types,
        target.import.default,
        target.require.types,
        target.require.default,
      ]) {
        assert.ok(files.has(path.slice(2)), `${where}: ${path} missing from the tarball`);
      }
      assert.match(target.require.default, /^\.\/dist\/cjs\//, `${where}: require must load dist/cjs`);
      if (entry !== '.') {
        // moduleResolution node10 reads no exports: typesVersions maps the subpath to its types.
        assert.deepEqual(manifest.typesVersions?.['*']?.[entry.slice(2)], [target.require.types], where);
      }
    }
  }
  const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  assert.match(license, /Apache License\s+Version 2\.0/);
  for (const { dir } of PACKAGES)
    assert.equal(readFileSync(join(ROOT, 'packages', dir, 'LICENSE'), 'utf8'), license);
});

test('the README snippets compile as ESM and CommonJS and pay each other on a devnet', async () => {
  // Every entry point of every package, imported (ESM) and required (CommonJS): compiled in every setting.
  const entries = PACKAGES.flatMap(({ manifest }) =>
    Object.keys(manifest.exports).map((entry) => `${manifest.name}${entry.slice(1)}`),
  );
  const entriesTs = `${entries.map((e, i) => `import * as e${i} from '${e}';`).join('\n')}
const loaded = [${entries.map((_, i) => `e${i}`).join(', ')}];
export const count = loaded.length; // compiled only: load.mjs / load.cjs load them
`;
  const pay = snippet('pay');
  const charge = snippet('charge');
  writeFileSync(join(project, 'pay.ts'), pay);
  writeFileSync(join(project, 'charge.ts'), charge);
  writeFileSync(join(project, 'entries.ts'), entriesTs);
  writeFileSync(
    join(project, 'tsconfig.json'),
    tsconfig({ module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out' }, ['*.ts']),
  );
  const cjs = join(project, 'cjs');
  mkdirSync(cjs);
  writeFileSync(join(cjs, 'package.json'), '{ "type": "commonjs" }\n');
  writeFileSync(join(cjs, 'pay.ts'), withoutTopLevelAwait(pay));
  writeFileSync(join(cjs, 'charge.ts'), charge);
  writeFileSync(join(cjs, 'entries.ts'), entriesTs);
  const commonjs = { esModuleInterop: true };
  writeFileSync(
    join(cjs, 'tsconfig.json'),
    tsconfig({ ...commonjs, module: 'commonjs', moduleResolution: 'node10', outDir: 'out' }, ['*.ts']),
  );
  // viem's declarations are ESM-only (its _types/package.json says "type": "module"), so a node16 CommonJS
  // project cannot import viem itself (TS1479 from viem): the buyer snippet is left out there.
  writeFileSync(
    join(cjs, 'tsconfig.node16.json'),
    tsconfig({ ...commonjs, module: 'node16', moduleResolution: 'node16', noEmit: true }, [
      'charge.ts',
      'entries.ts',
    ]),
  );
  const compile = (config: string) =>
    run(process.execPath, [TSC, '-p', config], { cwd: project }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc -p ${config} failed:\n${error.stdout ?? String(error)}`);
    });
  await Promise.all([
    compile('tsconfig.json'),
    compile('cjs/tsconfig.json'),
    compile('cjs/tsconfig.node16.json'),
  ]);
  const cjsPay = readFileSync(join(cjs, 'out', 'pay.js'), 'utf8');
  assert.match(cjsPay, /require\("@x402kit\/http"\)/, 'the CommonJS build requires the packages');

  // Every entry point loads at run time in both module systems (one whose optional peer, such as next, is
  // not installed here names that peer).
  const peers = Object.fromEntries(
    PACKAGES.map(({ manifest }) => [manifest.name, Object.keys(manifest.peerDependencies ?? {})]),
  );
  const loader = (load: string) => `const entries = ${JSON.stringify(entries)};
const peers = ${JSON.stringify(peers)};
(async () => {
  const result = {};
  for (const entry of entries) {
    try {
      result[entry] = Object.keys(await ${load}(entry)).length;
    } catch (error) {
      const pkg = entry.split('/').slice(0, 2).join('/');
      const missing = /'([^']+)'/.exec(String(error.message))?.[1] ?? '';
      const peer = peers[pkg].find((p) => missing === p || missing.startsWith(p + '/'));
      if (!peer) throw error;
      result[entry] = \`needs \${peer}\`;
    }
  }
  console.log(JSON.stringify(result));
})();
`;
  writeFileSync(join(project, 'load.mjs'), loader('import'));
  writeFileSync(join(project, 'load.cjs'), loader('require'));
  for (const file of ['load.mjs', 'load.cjs']) {
    const { stdout } = await run(process.execPath, [file], { cwd: project });
    const loaded = JSON.parse(stdout) as Record<string, number | string>;
    assert.deepEqual(Object.keys(loaded), entries, file);
    for (const [entry, exported] of Object.entries(loaded)) {
      assert.ok(typeof exported === 'string' || exported > 0, `${file}: ${entry} exports nothing`);
    }
    for (const entry of [
      '@x402kit/core',
      '@x402kit/evm',
      '@x402kit/http',
      '@x402kit/http/express',
      'x402kit',
    ]) {
      assert.equal(typeof loaded[entry], 'number', `${file}: ${entry} did not load: ${loaded[entry]}`);
    }
  }

  // The installed CLI: a devnet (anvil from the installed platform package) and a facilitator.
  const bin = join('node_modules', 'x402kit', 'bin', 'x402kit.js');
  const [devnetLine] = await start([bin, 'devnet', '--port', '0', '--quiet'], {}, /^\{.*\}$/m);
  const devnet = JSON.parse(devnetLine) as {
    rpcUrl: string;
    network: string;
    accounts: Record<'payer' | 'payTo' | 'facilitator', { address: Address; privateKey: string }>;
    assets: Record<string, Address>;
  };
  assert.equal(devnet.network, 'eip155:84532');
  const [, facilitatorUrl] = await start(
    [bin, 'facilitator', '--port', '0', '--rpc', `${devnet.network}=${devnet.rpcUrl}`],
    { FACILITATOR_PRIVATE_KEY: devnet.accounts.facilitator.privateKey, X402KIT_HOME: join(work, 'home') },
    /Facilitator listening on (http:\/\/\S+)/,
  );
  const usdc = devnet.assets.USDC as Address;
  const balance = () => readTokenBalance(devnet.rpcUrl, usdc, devnet.accounts.payTo.address);
  const before = await balance();

  for (const dir of ['out', 'cjs/out']) {
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}/weather`;
    const seller = spawn(process.execPath, [join(dir, 'charge.js')], {
      cwd: project,
      env: {
        ...process.env,
        PORT: String(port),
        PAY_TO: devnet.accounts.payTo.address,
        FACILITATOR_URL: facilitatorUrl!,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    children.push(seller);
    await untilListening(apiUrl);
    assert.equal((await fetch(apiUrl)).status, 402, `${dir}: the seller asks for a payment`);
    const { stdout } = await run(process.execPath, [join(dir, 'pay.js')], {
      cwd: project,
      env: { ...process.env, PRIVATE_KEY: devnet.accounts.payer.privateKey, API_URL: apiUrl },
    });
    assert.match(
      stdout,
      /^200 \{ city: 'Lisbon', weather: 'sunny' \} 0x[0-9a-f]{64}\n$/,
      `${dir}: ${stdout}`,
    );
  }
  // Two payments of $0.001 (USDC has 6 decimals) reached payTo.
  assert.equal((await balance()) - before, 2_000n);

  // Any machine: without the platform package the installed CLI says where it looked and how to fix it (no
  // stack trace), and ANVIL_PATH points it at an anvil elsewhere.
  const foundry = join(project, 'node_modules', '@foundry-rs');
  const platformPackage = readdirSync(foundry).find((name) => name.startsWith('anvil-'));
  assert.ok(platformPackage, 'npm installed the anvil package of this machine');
  const moved = join(work, platformPackage);
  renameSync(join(foundry, platformPackage), moved);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: '/usr/bin:/bin' };
  delete env.ANVIL_PATH;
  const missing = await run(process.execPath, [bin, 'devnet', '--port', '0', '--quiet'], {
    cwd: project,
    env,
  }).then(
    () => assert.fail('devnet started without anvil'),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(missing.code, 1);
  assert.match(
    missing.stderr,
    /^x402kit devnet: anvil not found; looked for ANVIL_PATH \(not set\); the npm package @foundry-rs\/anvil-/,
  );
  assert.match(
    missing.stderr,
    /\(not installed\); anvil on PATH \(not in \/usr\/bin:\/bin\)\. To fix: npm install/,
  );
  assert.doesNotMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  const executable = readdirSync(join(moved, 'bin'))[0] ?? 'anvil';
  const [line] = await start(
    [bin, 'devnet', '--port', '0', '--quiet'],
    { ANVIL_PATH: join(moved, 'bin', executable) },
    /^\{.*\}$/m,
  );
  assert.equal((JSON.parse(line) as { network: string }).network, 'eip155:84532');
});
