/**
 * Test helper: run `x402kit` from source in a child process (`node --conditions=source --import
 * tsx src/bin.ts ...`), as a user would, and watch its output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The CLI's executable in this checkout, run from source as `npm start` users would. */
const BIN = join(REPO_ROOT, 'packages/cli/src/bin.ts');

export type CliRun = {
  readonly child: ChildProcess;
  /** Everything written so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern` (rejects on exit or timeout). */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the process exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * Spawn the CLI. `env` replaces the variables the CLI reads (the rest of `process.env` is kept,
 * minus keys and ports that would leak in from the developer's shell); each run gets a fresh
 * `X402KIT_DATA_DIR` (so a facilitator's default ledger is its own) unless `env` names one.
 *
 * @example
 * const run = spawnCli(['devnet', '--port', '0'])
 * const line = await run.waitForLine(/^\{/)
 */
export function spawnCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  return spawnScript(BIN, args, env);
}

/**
 * Run a TypeScript file of this checkout as a user would (`node --conditions=source --import tsx
 * <file>`, from the repository root), with the environment {@link spawnCli} gives.
 *
 * @example
 * const seller = spawnScript('examples/seller-express/server.ts', [], { PAY_TO, PORT: '0' })
 * await seller.waitForLine(/^Seller listening on /)
 */
export function spawnScript(file: string, args: readonly string[], env: Record<string, string> = {}): CliRun {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of [
    'PRIVATE_KEY',
    'EVM_PRIVATE_KEY',
    'FACILITATOR_PRIVATE_KEY',
    'SOLANA_PRIVATE_KEY',
    'SOLANA_RPC_URL',
    'PORT',
    'EVM_NETWORK',
    'EVM_RPC_URL',
  ]) {
    delete base[name];
  }
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file, ...args], {
    cwd: REPO_ROOT,
    // the default ledger goes to a data directory of this run's own, not the user's
    env: { ...base, X402KIT_DATA_DIR: mkdtempSync(join(tmpdir(), 'x402kit-data-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });

  return {
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = out.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) {
            done();
            resolve(line);
          }
        };
        const onExit = () => {
          done();
          reject(new Error(`the CLI exited before printing ${pattern}; stderr:\n${err}`));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; stderr:\n${err}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          child.off('exit', onExit);
        };
        child.stdout?.on('data', check);
        child.on('exit', onExit);
        check();
      });
    },
  };
}

/**
 * Run the CLI to completion.
 *
 * @example
 * const { code, stdout } = await runCliToEnd(["--version"])
 */
export async function runCliToEnd(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnCli(args, env);
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/**
 * Process ids of running anvil processes listening on `port` (Linux `/proc`).
 *
 * @example anvilPidsOnPort(8545) // [] once the devnet stopped
 */
export function anvilPidsOnPort(port: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const argv = cmdline.split('\0');
    if (!argv[0]?.endsWith('anvil')) continue;
    const i = argv.indexOf('--port');
    if (i !== -1 && argv[i + 1] === String(port)) pids.push(Number(entry));
  }
  return pids;
}
