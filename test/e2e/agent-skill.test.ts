/**
 * The agent skill (skills/x402-payment/SKILL.md) run as a script, no model: its ```sh blocks marked
 * `skill-test=<step>` are run in order with bash, against the devnet, our facilitator and a paid
 * API, and each step's one JSON object and exit code are checked. A command the CLI no longer
 * takes, a field it renames or an exit code it changes fails here, so the skill cannot drift from
 * the CLI. The skill's error table is checked against `x402kit pay --help` and the CLI's exit codes.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { devnetDryRunPayment } from '@x402kit/testing/devnet-dry-run-payment';
import type { Running } from '@x402kit/testing/listen';
import { startOurFacilitator, startOurPaidApi } from '@x402kit/testing/ours';
import type { Hex } from 'viem';
import { exitCodeOf, type PayOutcome, PayStatuses } from 'x402kit';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SKILL = join(ROOT, 'skills/x402-payment/SKILL.md');

type Step = { name: string; script: string };
type Ran = { code: number; json: Record<string, unknown>; stderr: string };

/** The skill's runnable steps, in order. */
function stepsOf(markdown: string): Step[] {
  return [...markdown.matchAll(/^```sh skill-test=([\w-]+)\n([\s\S]*?)^```$/gm)].map((m) => ({
    name: m[1] ?? '',
    script: m[2] ?? '',
  }));
}

let devnet: Devnet;
let facilitator: Running;
let api: Running;
let home: string;
let env: Record<string, string>;

function run(script: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-euo', 'pipefail', '-c', script],
      { cwd: ROOT, env, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const lines = stdout.trim().split('\n');
        assert.equal(lines.length, 1, `one JSON object on stdout, got:\n${stdout}\nstderr:\n${stderr}`);
        resolve({ code, json: JSON.parse(lines[0] ?? '') as Record<string, unknown>, stderr });
      },
    );
  });
}

/** What each step of the skill must print. */
const checks: Record<string, (ran: Ran) => Promise<void> | void> = {
  wallet: ({ code, json }) => {
    assert.equal(code, 0);
    const wallets = json.wallets as {
      chain: string;
      address: string;
      network: string;
      balances: { symbol: string; value: string }[];
    }[];
    assert.equal(wallets.length, 1);
    assert.equal(wallets[0]?.chain, 'evm');
    assert.equal(wallets[0]?.address.toLowerCase(), devnet.accounts.payer.address.toLowerCase());
    assert.equal(wallets[0]?.network, devnet.network);
    assert.ok(wallets[0]?.balances.some((b) => b.symbol === 'USDC' && Number(b.value) > 0));
    assert.ok(
      !JSON.stringify(json).includes(devnet.accounts.payer.privateKey.slice(2)),
      'never prints the key',
    );
  },
  discover: ({ code, json }) => {
    assert.equal(code, 0);
    assert.equal(json.status, 'dry_run');
    assert.equal(json.httpStatus, 402);
    assert.deepEqual(json.payment, devnetDryRunPayment(devnet));
    const budget = json.budget as { left: string; spent: string }[];
    assert.equal(budget.length, 1);
    assert.equal(Number(budget[0]?.spent), 0);
    assert.equal(Number(budget[0]?.left), 1);
  },
  pay: async ({ code, json }) => {
    assert.equal(code, 0, JSON.stringify(json));
    assert.equal(json.status, 'paid');
    assert.equal(json.httpStatus, 200);
    assert.deepEqual(json.body, { report: 'quarterly' });
    assert.match(String(json.transaction), /^0x[0-9a-f]{64}$/);
    const receipt = json.paymentResponse as {
      success: boolean;
      transaction: string;
      network: string;
      payer: string;
    };
    assert.equal(receipt.success, true);
    assert.equal(receipt.transaction, json.transaction);
    assert.equal(receipt.network, devnet.network);
    assert.equal(receipt.payer.toLowerCase(), devnet.accounts.payer.address.toLowerCase());
    const budget = json.budget as { left: string; spent: string }[];
    assert.equal(Number(budget[0]?.spent), 0.001);
    assert.equal(Number(budget[0]?.left), 0.999);
    assert.equal(
      await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address as Hex),
      payTo0 + 1000n,
    );
  },
  budget: ({ code, json }) => {
    assert.equal(code, 0);
    const buckets = json.buckets as {
      window: string;
      key: string | null;
      max: string;
      spent: string;
      pending: string;
      reserved: string;
      left: string;
    }[];
    assert.equal(buckets.length, 1);
    assert.match(buckets[0]?.window ?? '', /^day:\d{4}-\d{2}-\d{2}$/);
    assert.equal(Number(buckets[0]?.spent), 0.001);
    assert.equal(Number(buckets[0]?.pending), 0);
    assert.equal(Number(buckets[0]?.reserved), 0);
    assert.equal(Number(buckets[0]?.left), 0.999);
  },
  'over-budget': ({ code, json }) => {
    assert.equal(code, 3);
    assert.equal(json.status, 'refused');
    assert.equal(json.reason, 'budget_exceeded');
    assert.equal(json.transaction, null);
    assert.ok(Array.isArray(json.budget));
  },
  'over-max': ({ code, json }) => {
    assert.equal(code, 3);
    assert.equal(json.status, 'refused');
    assert.equal(json.reason, 'no_acceptable_payment_option');
    assert.match(String(json.error), /0\.0001/);
  },
};

let payTo0: bigint;

describe('the x402-payment agent skill, run as a script on the devnet', () => {
  before(async () => {
    devnet = await startDevnet({ port: 0 });
    facilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
    });
    api = await startOurPaidApi({
      facilitatorUrl: facilitator.url,
      routes: {
        'GET /report': {
          accepts: {
            scheme: 'exact',
            network: devnet.network,
            payTo: devnet.accounts.payTo.address,
            price: '$0.001',
          },
        },
      },
      serve: (app) => app.get('/report', (_req, res) => void res.json({ report: 'quarterly' })),
    });
    home = await mkdtemp(join(tmpdir(), 'x402kit-skill-'));
    // `x402kit` on the PATH, run from this checkout's sources
    await writeFile(
      join(home, 'x402kit'),
      `#!/bin/sh\nexec "${process.execPath}" --conditions=source --import tsx "${join(ROOT, 'packages/cli/src/bin.ts')}" "$@"\n`,
      { mode: 0o755 },
    );
    const base = { ...process.env };
    for (const name of [
      'PRIVATE_KEY',
      'EVM_PRIVATE_KEY',
      'SOLANA_PRIVATE_KEY',
      'SOLANA_RPC_URL',
      'X402KIT_SESSION',
      'X402KIT_KEY_FILE',
    ])
      delete base[name];
    env = {
      ...(base as Record<string, string>),
      PATH: `${home}:${process.env.PATH ?? ''}`,
      X402KIT_HOME: join(home, 'state'),
      PRIVATE_KEY: devnet.accounts.payer.privateKey,
      EVM_RPC_URL: devnet.rpcUrl,
      URL: `${api.url}/report`,
    };
    payTo0 = await readTokenBalance(
      devnet.rpcUrl,
      devnet.token.address,
      devnet.accounts.payTo.address as Hex,
    );
  });
  after(async () => {
    await api?.close();
    await facilitator?.close();
    await devnet?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('has the front matter an agent loads it by', async () => {
    const markdown = await readFile(SKILL, 'utf8');
    const front = /^---\nname: (.+)\ndescription: (.+)\n---\n/.exec(markdown);
    assert.ok(front, 'front matter with name and description');
    assert.equal(front[1], 'x402-payment');
    assert.ok((front[2]?.length ?? 0) > 40);
  });

  it('runs its documented commands in order, each printing the JSON it documents', async () => {
    const steps = stepsOf(await readFile(SKILL, 'utf8'));
    assert.deepEqual(
      steps.map((s) => s.name),
      ['wallet', 'discover', 'pay', 'budget', 'over-budget', 'over-max'],
      'every step of the skill has its check here, in the skill order',
    );
    for (const step of steps) {
      const check = checks[step.name];
      assert.ok(check, `no check for step ${step.name}`);
      await check(await run(step.script));
    }
  });

  it('its error table names statuses and exit codes the CLI has', async () => {
    const markdown = await readFile(SKILL, 'utf8');
    const rows = [...markdown.matchAll(/^\| `([a-z_]+)`\s*\| (\d)\s*\|/gm)];
    assert.ok(rows.length >= 10);
    const help = await new Promise<string>((resolve) =>
      execFile('bash', ['-c', 'x402kit pay --help'], { cwd: ROOT, env }, (_e, stdout) => resolve(stdout)),
    );
    for (const [, status, exit] of rows) {
      assert.ok((PayStatuses as readonly string[]).includes(status ?? ''), `${status} is a pay status`);
      assert.ok(help.includes(status ?? ''), `pay --help documents ${status}`);
      const outcome = { status, httpStatus: 200 } as PayOutcome;
      assert.equal(exitCodeOf(outcome), Number(exit), `exit code of ${status}`);
    }
  });
});
