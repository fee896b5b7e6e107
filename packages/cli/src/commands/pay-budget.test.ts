/**
 * Budgets, the default $1 cap, `--dry-run` and `wallet`, proven on the devnet with our real stack (a
 * payment handler, a facilitator service settling on anvil): balances say what was paid.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  type FacilitatorClient,
  findAsset,
} from '@x402kit/core';
import {
  type Devnet,
  readTokenBalance,
  type SolanaDevnet,
  solanaDevnetAccount,
  startDevnet,
  startSolanaDevnet,
  startTronDevnet,
  type TronDevnet,
} from '@x402kit/devnet';
import { createExactEvmServer } from '@x402kit/evm';
import { createEvmFacilitator } from '@x402kit/evm/chain-module';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import { createPaymentHandler } from '@x402kit/http';
import { devnetDryRunPayment } from '@x402kit/testing/devnet-dry-run-payment';
import { type PaidReport, servePaidReport } from '@x402kit/testing/paid-report';
import { cliInProcess, oneJsonLine, payInProcess } from '@x402kit/testing/pay-in-process';
import { runCliToEnd } from '@x402kit/testing/spawn-cli';

let devnet: Devnet;
let base: string;
let api: PaidReport;
const facilitatorCalls = { verify: 0, settle: 0 };
const stops: Array<() => Promise<void> | void> = [];

before(async () => {
  devnet = await startDevnet({ port: 0 });
  stops.push(() => devnet.stop());
  const engine = createEvmFacilitator({
    rpc: { [devnet.network]: devnet.rpcUrl },
    privateKeys: [devnet.accounts.facilitator.privateKey],
  });
  stops.push(() => engine.close());
  const facilitator = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator: engine }),
    port: 0,
  });
  stops.push(() => facilitator.close());
  const http = createHttpFacilitatorClient({ url: facilitator.url });
  // counts what reaches the facilitator, so a dry run can be shown to send nothing
  const counted: FacilitatorClient = {
    ...http,
    verify: (...args) => {
      facilitatorCalls.verify++;
      return http.verify(...args);
    },
    settle: (...args) => {
      facilitatorCalls.settle++;
      return http.settle(...args);
    },
  };
  const resourceServer = createResourceServer({
    facilitators: counted,
    schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
  });
  const accepts = (price: string) => ({
    scheme: 'exact',
    network: devnet.network,
    payTo: devnet.accounts.payTo.address,
    price,
  });
  const payments = createPaymentHandler({
    server: resourceServer,
    routes: { 'GET /weather': { accepts: accepts('$0.001') }, 'GET /report': { accepts: accepts('$2') } },
  });
  api = await servePaidReport(payments);
  stops.push(() => api.close());
  base = api.url;
});

after(async () => {
  for (const stop of stops.reverse()) await stop();
});

const balances = async () => ({
  payer: await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payer.address),
  payTo: await readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address),
});

/** A fresh budget home and the payer's key: what an agent's environment holds. */
function agentEnv(): Record<string, string> {
  return {
    PRIVATE_KEY: devnet.accounts.payer.privateKey,
    X402KIT_HOME: mkdtempSync(join(tmpdir(), 'x402kit-home-')),
  };
}

describe('x402kit pay --budget', () => {
  it('20 concurrent payments against a budget that covers 7: exactly 7 paid, 13 refused naming the budget', async () => {
    const env = agentEnv();
    const start = await balances();
    const calls = api.handlerCalls();
    const runs = await Promise.all(
      Array.from({ length: 20 }, () =>
        payInProcess([`${base}/weather`, '--budget', '0.007/day', '--json'], env),
      ),
    );
    const outcomes: Array<Record<string, unknown> & { code: number }> = runs.map((r) =>
      Object.assign(oneJsonLine(r.stdout), { code: r.code }),
    );
    const paid = outcomes.filter((o) => o.status === 'paid');
    const refused = outcomes.filter((o) => o.status === 'refused');
    assert.equal(
      paid.length,
      7,
      JSON.stringify(outcomes.filter((o) => o.status !== 'paid' && o.status !== 'refused')),
    );
    assert.equal(refused.length, 13);
    for (const o of paid) assert.equal(o.code, 0);
    for (const o of refused) {
      assert.equal(o.code, 3);
      assert.equal(o.reason, 'budget_exceeded');
      assert.match(String(o.error), /budget 0\.007 USD\/day exceeded: 0\.007 USD of 0\.007 USD used/);
    }
    const end = await balances();
    assert.equal(start.payer - end.payer, 7000n);
    assert.equal(end.payTo - start.payTo, 7000n);
    assert.equal(api.handlerCalls() - calls, 7);
    // every answer says what is left (then, others may still have been in flight); at the end none is
    for (const o of outcomes)
      assert.equal((o.budget as Array<Record<string, unknown>>)[0]?.limit, '0.007 USD/day');
    const [bucket] = oneJsonLine((await cliInProcess(['budget'], env)).stdout).buckets as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      [bucket?.spent, bucket?.reserved, bucket?.pending, bucket?.left],
      ['0.007', '0', '0', '0'],
    );
  });

  it('two processes cannot both spend the last of it; the state survives a restart; budget shows and resets it', async () => {
    const env = agentEnv();
    const start = await balances();
    const args = ['pay', `${base}/weather`, '--budget', '0.001/day', '--json'];
    const [a, b] = await Promise.all([runCliToEnd(args, env), runCliToEnd(args, env)]);
    const statuses = [oneJsonLine(a.stdout).status, oneJsonLine(b.stdout).status].sort();
    assert.deepEqual(statuses, ['paid', 'refused']);
    assert.deepEqual([a.code, b.code].sort(), [0, 3]);
    // a new process reads what the first two left
    const again = await runCliToEnd(args, env);
    assert.equal(again.code, 3);
    assert.equal(oneJsonLine(again.stdout).reason, 'budget_exceeded');
    assert.equal(start.payer - (await balances()).payer, 1000n);

    const shown = await cliInProcess(['budget'], env);
    assert.equal(shown.code, 0, shown.stderr);
    const state = oneJsonLine(shown.stdout);
    assert.equal(state.status, 'ok');
    const [bucket] = state.buckets as Array<Record<string, unknown>>;
    assert.deepEqual(
      {
        limit: bucket?.limit,
        spent: bucket?.spent,
        pending: bucket?.pending,
        reserved: bucket?.reserved,
        left: bucket?.left,
      },
      { limit: '0.001 USD/day', spent: '0.001', pending: '0', reserved: '0', left: '0' },
    );
    const reset = await cliInProcess(['budget', '--reset'], env);
    assert.equal(oneJsonLine(reset.stdout).status, 'reset');
    assert.deepEqual(oneJsonLine(reset.stdout).buckets, []);
    const afterReset = await cliInProcess(args, env);
    assert.equal(oneJsonLine(afterReset.stdout).status, 'paid');
  });
});

describe('x402kit pay: the default $1 cap', () => {
  it('refuses a $2 price with no cap configured (exit 3, nothing signed) and pays it with --max-amount 2', async () => {
    const start = await balances();
    const calls = facilitatorCalls.verify;
    const refused = await payInProcess([`${base}/report`, '--json'], agentEnv());
    assert.equal(refused.code, 3);
    const outcome = oneJsonLine(refused.stdout);
    assert.equal(outcome.status, 'refused');
    assert.equal(outcome.reason, 'amount_above_default_cap');
    assert.match(
      String(outcome.error),
      /asks 2 USDC on eip155:84532, above the default cap of \$1 per payment; pass --max-amount/,
    );
    assert.equal(facilitatorCalls.verify, calls);
    assert.deepEqual(await balances(), start);

    const paid = await payInProcess([`${base}/report`, '--max-amount', '2', '--json'], agentEnv());
    assert.equal(paid.code, 0, paid.stderr);
    assert.equal(oneJsonLine(paid.stdout).status, 'paid');
    assert.equal(start.payer - (await balances()).payer, 2_000_000n);
  });
});

describe('x402kit pay --dry-run', () => {
  it('prints what would be paid, to whom, on which chain, and the budget left; signs and sends nothing', async () => {
    const start = await balances();
    const sent = { ...facilitatorCalls };
    const env = agentEnv();
    const { code, stdout, stderr } = await runCliToEnd(
      ['pay', `${base}/weather`, '--dry-run', '--budget', '0.01/day'],
      env,
    );
    assert.equal(code, 0, stderr);
    // every key but the budget, with its value; then what the budget has left
    const { budget, ...outcome } = oneJsonLine(stdout);
    assert.deepEqual(outcome, {
      status: 'dry_run',
      httpStatus: 402,
      payment: devnetDryRunPayment(devnet),
      reason: null,
      error: null,
    });
    const [left] = budget as Array<Record<string, unknown>>;
    assert.equal(left?.left, '0.01');
    assert.deepEqual(await balances(), start);
    assert.deepEqual(facilitatorCalls, sent);
    assert.doesNotMatch(stdout + stderr, new RegExp(devnet.accounts.payer.privateKey.slice(2)));

    // a budget that has not enough left: the dry run says it would be refused
    const refused = await runCliToEnd(['pay', `${base}/weather`, '--dry-run', '--budget', '0.0005/day'], env);
    assert.equal(refused.code, 3);
    assert.equal(oneJsonLine(refused.stdout).status, 'refused');
    assert.equal(oneJsonLine(refused.stdout).reason, 'budget_exceeded');
  });
});

describe('x402kit wallet', () => {
  let solana: SolanaDevnet;
  let tron: TronDevnet;
  before(async () => {
    [solana, tron] = await Promise.all([startSolanaDevnet(), startTronDevnet({ gasFree: false })]);
  });
  after(async () => {
    await solana.stop();
    await tron.stop();
  });

  it('lists the devnet accounts with their balances on EVM, Solana and TRON, without printing a key', async () => {
    const solanaKey = (await solanaDevnetAccount('payer')).secretKey;
    const env = {
      EVM_PRIVATE_KEY: devnet.accounts.payer.privateKey,
      EVM_RPC_URL: devnet.rpcUrl,
      SOLANA_PRIVATE_KEY: solanaKey,
      SOLANA_RPC_URL: solana.rpcUrl,
      TRON_PRIVATE_KEY: tron.accounts.payer.privateKey,
      TRON_RPC_URL: tron.fullHost,
      TRON_NETWORK: 'tron:nile',
    };
    const { code, stdout, stderr } = await runCliToEnd(['wallet'], env);
    assert.equal(code, 0, stderr);
    const outcome = oneJsonLine(stdout);
    assert.equal(outcome.status, 'ok');
    const [evm, sol, trx] = outcome.wallets as Array<{
      chain: string;
      address: string;
      network: string;
      balances: Array<{ asset: string; symbol: string; amount: string }>;
      error: string | null;
    }>;
    assert.equal(evm?.chain, 'evm');
    assert.equal(evm?.address, devnet.accounts.payer.address);
    assert.equal(evm?.network, 'eip155:84532');
    const usdc = evm?.balances.find((b) => b.symbol === 'USDC');
    assert.equal(usdc?.asset, findAsset('eip155:84532', 'USDC')?.address);
    assert.equal(BigInt(usdc?.amount ?? -1), (await balances()).payer);
    assert.ok(BigInt(evm?.balances.find((b) => b.asset === 'native')?.amount ?? 0) > 0n);

    assert.equal(sol?.chain, 'solana');
    assert.equal(sol?.address, solana.accounts.payer.address);
    assert.equal(sol?.network, solana.network);
    assert.equal(sol?.balances.find((b) => b.symbol === 'USDC')?.amount, '1000000000');
    assert.equal(sol?.balances.find((b) => b.asset === 'native')?.amount, '100000000000');

    const held = await tron.balances(tron.accounts.payer.address);
    assert.equal(trx?.chain, 'tron');
    assert.equal(trx?.address, tron.accounts.payer.address);
    assert.equal(trx?.network, 'tron:nile');
    assert.equal(trx?.balances.find((b) => b.asset === 'native')?.amount, held.TRX.toString());
    assert.equal(trx?.balances.find((b) => b.symbol === 'USDT')?.amount, held.USDT.toString());
    for (const secret of [
      devnet.accounts.payer.privateKey.slice(2),
      solanaKey,
      tron.accounts.payer.privateKey,
    ])
      assert.doesNotMatch(stdout + stderr, new RegExp(secret));
  });
});
