/**
 * `x402kit facilitator` and `x402kit devnet` as a new user meets them, as real processes: the
 * default ledger goes to a data directory named in the startup line (never the working
 * directory), an explicit ledger path keeps working, and a busy port ends with one line that names
 * the port and suggests `--port 0`, exit code 1, no stack trace.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawnCli } from '@x402kit/testing/spawn-cli';

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
// no chain is needed to start: an unreachable RPC is a warning
const RPC = ['--rpc', 'eip155:84532=http://127.0.0.1:9'];
let dir: string;
let busy: Server;
let busyPort: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'x402kit-first-contact-'));
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const address = busy.address();
  busyPort = typeof address === 'object' && address !== null ? address.port : 0;
});

after(() => new Promise<void>((resolve) => busy.close(() => resolve())));

/** Start the facilitator, read its startup line, stop it; returns the ledger path the line names. */
async function ledgerOf(args: string[], env: Record<string, string>): Promise<string> {
  const run = spawnCli(['facilitator', ...RPC, '--port', '0', ...args], {
    FACILITATOR_PRIVATE_KEY: KEY,
    ...env,
  });
  await run.waitForLine(/^Facilitator listening on /, 60_000);
  run.child.kill('SIGTERM');
  assert.equal((await run.exited).code, 0, run.stderr());
  const named = /; ledger: (\S+);/.exec(run.stderr())?.[1];
  assert.ok(named, `the startup line names the ledger: ${run.stderr()}`);
  return named;
}

describe('the facilitator ledger file', () => {
  it('defaults to x402kit-ledger.db in $X402KIT_DATA_DIR, created on demand and named in the startup line', async () => {
    const data = join(dir, 'not', 'there', 'yet');
    const path = await ledgerOf([], { X402KIT_DATA_DIR: data });
    assert.equal(path, join(data, 'x402kit-ledger.db'));
    assert.ok(existsSync(path));
  });

  it('else $XDG_DATA_HOME/x402kit, else ~/.local/share/x402kit', async () => {
    const xdg = join(dir, 'xdg');
    assert.equal(
      await ledgerOf([], { X402KIT_DATA_DIR: '', XDG_DATA_HOME: xdg }),
      join(xdg, 'x402kit', 'x402kit-ledger.db'),
    );
    const home = join(dir, 'home');
    const path = await ledgerOf([], { X402KIT_DATA_DIR: '', XDG_DATA_HOME: '', HOME: home });
    assert.equal(path, join(home, '.local', 'share', 'x402kit', 'x402kit-ledger.db'));
    assert.ok(existsSync(path));
  });

  it('keeps an explicit ledger.sqlite.path from the config file', async () => {
    const config = join(dir, 'facilitator.yaml');
    const file = join(dir, 'explicit', 'ledger.db');
    writeFileSync(config, `ledger: { sqlite: { path: "${file}" } }\n`);
    assert.equal(await ledgerOf(['--config', config], { X402KIT_DATA_DIR: join(dir, 'unused') }), file);
    assert.ok(existsSync(file));
    assert.ok(!existsSync(join(dir, 'unused')), 'the data directory is not touched');
  });
});

describe('a busy port', () => {
  for (const command of ['devnet', 'facilitator'] as const) {
    it(`x402kit ${command} --port <busy>: one line naming the port and --port 0, exit code 1, no stack trace`, async () => {
      const args = command === 'devnet' ? ['devnet'] : ['facilitator', ...RPC];
      const run = spawnCli([...args, '--port', String(busyPort)], { FACILITATOR_PRIVATE_KEY: KEY });
      const { code } = await run.exited;
      assert.equal(code, 1, run.stderr());
      const lines = run.stderr().trim().split('\n');
      const last = lines.at(-1) ?? '';
      assert.match(
        last,
        new RegExp(`^x402kit ${command}: port ${busyPort} on 127\\.0\\.0\\.1 is already in use`),
      );
      assert.match(last, /pass --port 0 to pick a free port/);
      assert.doesNotMatch(run.stderr(), /^\s+at /m, 'no stack trace');
      assert.equal(run.stdout(), '');
    });
  }
});
