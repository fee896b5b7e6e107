import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processIsGone } from '@x402kit/testing/process-gone';
import { startAnvil } from './anvil.js';
import { AnvilStartError, DevnetOptionsError } from './errors.js';

async function rpc(url: string, method: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
  });
  const body: unknown = await response.json();
  assert.ok(typeof body === 'object' && body !== null && 'result' in body);
  return body.result;
}

test('starts on a free port with the chain id, and stop() ends the process', async () => {
  const lines: string[] = [];
  const anvil = await startAnvil({ chainId: 31337, log: (line) => lines.push(line) });
  try {
    assert.ok(anvil.port > 0);
    assert.equal(anvil.rpcUrl, `http://127.0.0.1:${anvil.port}`);
    assert.equal(await rpc(anvil.rpcUrl, 'eth_chainId'), '0x7a69');
    assert.equal(processIsGone(anvil.pid), false);
  } finally {
    await anvil.stop();
  }
  assert.ok(processIsGone(anvil.pid), 'anvil still running after stop()');
  await anvil.stop(); // a second stop is a no-op
  assert.ok(lines.some((line) => line.includes('ready on')));
});

test('a port already in use is reported, not mistaken for our anvil', async () => {
  const first = await startAnvil({ chainId: 84532 });
  try {
    await assert.rejects(startAnvil({ chainId: 84532, port: first.port }), (error: unknown) => {
      assert.ok(error instanceof AnvilStartError);
      assert.match(error.message, /already in use/);
      return true;
    });
  } finally {
    await first.stop();
  }
});

test('a missing binary is a clear AnvilStartError', async () => {
  await assert.rejects(
    startAnvil({ chainId: 1, binaryPath: '/nonexistent/anvil' }),
    (error: unknown) => error instanceof AnvilStartError && /missing or not executable/.test(error.message),
  );
});

test('an anvil that exits early reports its stderr', async () => {
  // `false` runs and exits 1 at once; a shell script stands in for a crashing anvil.
  const { mkdtempSync, writeFileSync, chmodSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'devnet-anvil-'));
  const fake = join(dir, 'anvil');
  writeFileSync(fake, '#!/bin/sh\necho "error: boom" >&2\nexit 3\n');
  chmodSync(fake, 0o755);
  await assert.rejects(startAnvil({ chainId: 1, binaryPath: fake }), (error: unknown) => {
    assert.ok(error instanceof AnvilStartError);
    assert.match(error.message, /exited before it was ready \(exit code 3\): error: boom/);
    assert.match(error.stderr, /boom/);
    return true;
  });
});

test('invalid options are rejected', async () => {
  await assert.rejects(startAnvil({ chainId: 0 }), DevnetOptionsError);
  await assert.rejects(startAnvil({ chainId: 1, port: 70000 }), DevnetOptionsError);
  await assert.rejects(startAnvil({ chainId: 1, blockTime: -1 }), DevnetOptionsError);
});

test('the child dies with its parent process', async () => {
  const { spawn } = await import('node:child_process');
  const script = `
    import { startAnvil } from ${JSON.stringify(new URL('./anvil.ts', import.meta.url).href)};
    const anvil = await startAnvil({ chainId: 1 });
    process.stdout.write(String(anvil.pid) + '\\n');
    process.exit(0);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
  });
  await new Promise((resolve) => child.once('exit', resolve));
  const pid = Number.parseInt(out.trim(), 10);
  assert.ok(pid > 0, `no pid printed: ${out}`);
  for (let i = 0; i < 40 && !processIsGone(pid); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.ok(processIsGone(pid), `anvil ${pid} survived its parent`);
});
