import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCliToEnd } from '@x402kit/testing/spawn-cli';
import { runCli } from './cli.js';
import type { CliContext } from './command.js';

/** Run the CLI in-process with a captured context. */
async function run(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    env,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    signal: AbortSignal.abort(),
  };
  const code = await runCli(argv, context);
  return { code, stdout, stderr };
}

const KEY = `0x${'11'.repeat(32)}`;

describe('x402kit (in-process)', () => {
  it('prints help and the version', async () => {
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: x402kit <command>/);
    for (const name of ['devnet', 'facilitator', 'pay'])
      assert.match(help.stdout, new RegExp(`\\n  ${name} `));
    assert.equal((await run(['--version'])).stdout, '0.1.0\n');
    const none = await run([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Usage: x402kit/);
    for (const name of ['devnet', 'facilitator', 'pay']) {
      const cmd = await run([name, '--help']);
      assert.equal(cmd.code, 0);
      assert.match(cmd.stdout, new RegExp(`^Usage: x402kit ${name}`));
      assert.deepEqual(await run(['help', name]), cmd);
    }
  });

  it('rejects unknown commands and flags with exit code 2', async () => {
    const unknown = await run(['deploy']);
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /unknown command "deploy"; commands: demo, devnet, facilitator, gateway, pay/,
    );
    for (const name of ['devnet', 'facilitator', 'pay']) {
      const flag = await run([name, '--bogus']);
      assert.equal(flag.code, 2, name);
      assert.match(
        flag.stderr,
        new RegExp(`^x402kit ${name}: Unknown option '--bogus'.*\\(x402kit ${name} --help\\)`),
      );
    }
    const missing = await run(['devnet', '--port']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--port/);
  });

  it('validates devnet options', async () => {
    const port = await run(['devnet', '--port', 'abc']);
    assert.equal(port.code, 2);
    assert.match(port.stderr, /--port must be a non-negative integer, got "abc"/);
    const big = await run(['devnet', '--port', '70000']);
    assert.equal(big.code, 2);
    assert.match(big.stderr, /--port: /);
  });

  it('explains facilitator configuration mistakes, naming the flag', async () => {
    const noKey = await run(['facilitator', '--rpc', 'eip155:84532=http://127.0.0.1:1']);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /no facilitator private key: set FACILITATOR_PRIVATE_KEY/);
    const env = { FACILITATOR_PRIVATE_KEY: KEY };
    const noRpc = await run(['facilitator'], env);
    assert.equal(noRpc.code, 2);
    assert.match(noRpc.stderr, /no RPC configured: pass --rpc/);
    const shape = await run(['facilitator', '--rpc', 'http://127.0.0.1:8545'], env);
    assert.equal(shape.code, 2);
    assert.match(shape.stderr, /--rpc "http:\/\/127.0.0.1:8545": expected <network>=<url>/);
    const url = await run(['facilitator', '--rpc', 'eip155:84532=ftp://x'], env);
    assert.equal(url.code, 2);
    assert.match(
      url.stderr,
      /--rpc \(or EVM_NETWORK\/EVM_RPC_URL\) \(eip155:84532\): must be an http\(s\) URL/,
    );
    const network = await run(['facilitator', '--rpc', 'solana-devnet=http://127.0.0.1:1'], env);
    assert.equal(network.code, 2);
    assert.match(network.stderr, /"solana-devnet" is not an EVM network/);
    const badKey = await run(['facilitator', '--rpc', 'eip155:84532=http://127.0.0.1:1'], {
      FACILITATOR_PRIVATE_KEY: '0x1234',
    });
    assert.equal(badKey.code, 2);
    assert.match(
      badKey.stderr,
      /--private-key \(or FACILITATOR_PRIVATE_KEY\) \(0\): must be 0x followed by 64 hex digits/,
    );
    assert.doesNotMatch(badKey.stderr, /0x1234/, 'keys are never echoed');
  });

  it('names every flag at fault at once, never echoing a key', async () => {
    const secret = `0x${'cd'.repeat(31)}`;
    const bad = await run(
      [
        'facilitator',
        '--port',
        '70000',
        '--rpc',
        'solana-devnet=http://x',
        '--rpc',
        'eip155:1=ws://x',
        '--private-key',
        secret,
      ],
      {},
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--port \(or PORT\): /);
    assert.match(bad.stderr, /--rpc \(or EVM_NETWORK\/EVM_RPC_URL\): "solana-devnet" is not an EVM network/);
    assert.match(bad.stderr, /--rpc \(or EVM_NETWORK\/EVM_RPC_URL\) \(eip155:1\): must be an http\(s\) URL/);
    assert.match(
      bad.stderr,
      /--private-key \(or FACILITATOR_PRIVATE_KEY\) \(0\): must be 0x followed by 64 hex digits/,
    );
    assert.doesNotMatch(bad.stderr, new RegExp(secret.slice(2)), 'keys are never echoed');
  });

  it('explains pay usage mistakes', async () => {
    const noUrl = await run(['pay'], { PRIVATE_KEY: KEY });
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.stderr, /give the URL to pay for/);
    const noKey = await run(['pay', 'http://127.0.0.1:1/x']);
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /no payer key: set PRIVATE_KEY/);
    const badUrl = await run(['pay', 'ftp://x'], { PRIVATE_KEY: KEY });
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /<url>: must be an http\(s\) URL/);
    const amount = await run(['pay', 'http://127.0.0.1:1/x', '--max-amount', '1e-3'], { PRIVATE_KEY: KEY });
    assert.equal(amount.code, 2);
    assert.match(amount.stderr, /--max-amount: must be a decimal amount/);
    const header = await run(['pay', 'http://127.0.0.1:1/x', '--header', 'nocolon'], { PRIVATE_KEY: KEY });
    assert.equal(header.code, 2);
    assert.match(header.stderr, /--header "nocolon": expected "Name: value"/);
  });
});

describe('x402kit (spawned from source)', () => {
  it('runs bin.ts: --version, --help and exit code 2 for an unknown flag', async () => {
    const version = await runCliToEnd(['--version']);
    assert.equal(version.code, 0);
    assert.equal(version.stdout, '0.1.0\n');
    const flag = await runCliToEnd(['pay', '--nope']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Unknown option '--nope'/);
    assert.equal(flag.stdout, '');
  });
});
