/**
 * `x402kit pay --budget` killed (SIGKILL) mid-payment, on the anvil devnet with our real stack (a
 * payment handler whose paid handler the test holds, our `exact` EVM facilitator settling on chain):
 * the process signs, sends the paid request, and dies while the server holds it before answering.
 *
 * The budget's documented rule (packages/core/src/budget/budget.ts): a payment is reserved before it
 * is signed; only a proven refusal gives the amount back; an unknown outcome keeps it counted. A
 * process that dies never settles its hold, so the hold stays `reserved` and keeps counting. It
 * proves: the budget file is valid JSON in the store's format with the dead process's hold still
 * reserved and no lock left behind; the server may still settle the payment after the payer died;
 * the next `pay` runs spend only what is left; the sum of the on-chain transfers never exceeds the
 * budget.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createResourceServer } from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmServer } from '@x402kit/evm';
import { createEvmFacilitator } from '@x402kit/evm/chain-module';
import { createPaymentHandler } from '@x402kit/http';
import { serve } from '@x402kit/http/node';
import { oneJsonLine } from '@x402kit/testing/pay-in-process';
import { runCliToEnd, spawnCli } from '@x402kit/testing/spawn-cli';

const PRICE = 1000n; // $0.001 of the devnet's 6-decimal USDC
const BUDGET = 2000n; // --budget 0.002/day

let devnet: Devnet;
let url = '';
let handlerCalls = 0;
let answered = 0;
/** The paid handler waits on this gate while it is set; `entered` resolves when a request reaches it. */
let gate:
  | { open: () => void; opened: Promise<void>; entered: () => void; reached: Promise<void> }
  | undefined;
const stops: Array<() => Promise<void> | void> = [];

function newGate() {
  let open = () => {};
  let entered = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    entered = resolve;
  });
  return { open, opened, entered, reached };
}

before(async () => {
  devnet = await startDevnet({ port: 0 });
  stops.push(() => devnet.stop());
  const facilitator = createEvmFacilitator({
    rpc: { [devnet.network]: devnet.rpcUrl },
    privateKeys: [devnet.accounts.facilitator.privateKey],
  });
  stops.push(() => facilitator.close());
  const payments = createPaymentHandler({
    server: createResourceServer({
      facilitators: facilitator,
      schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
    }),
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
  });
  const served = await serve(async (request) => {
    const response = await payments.handle(request, async () => {
      handlerCalls++;
      const held = gate;
      if (held) {
        held.entered();
        await held.opened;
      }
      return Response.json({ report: { weather: 'sunny' } });
    });
    answered++;
    return response;
  });
  stops.push(() => served.close());
  url = served.url;
});

after(async () => {
  gate?.open();
  for (const stop of stops.reverse()) await stop();
});

const paidSoFar = () => readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address);

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

type BudgetFile = {
  version: number;
  buckets: Record<
    string,
    { decimals: number; spent: string; holds: Record<string, { amount: string; status: string }> }
  >;
};

describe('x402kit pay --budget killed with SIGKILL while the server holds its paid request', () => {
  it('the file stays valid, the hold stays counted, and later runs never spend past the budget', async () => {
    const home = mkdtempSync(join(tmpdir(), 'x402kit-home-'));
    const env = { PRIVATE_KEY: devnet.accounts.payer.privateKey, X402KIT_HOME: home };
    const args = ['pay', `${url}/report`, '--budget', '0.002/day', '--json'];
    const start = await paidSoFar();
    const callsBefore = handlerCalls;

    gate = newGate();
    const run = spawnCli(args, env);
    await Promise.race([
      gate.reached,
      run.exited.then(() => {
        throw new Error(`pay exited before the server held its request: ${run.stdout()} ${run.stderr()}`);
      }),
    ]);
    // the unpaid request was answered 402 already; the paid one is held
    const answeredBefore = answered;
    run.child.kill('SIGKILL');
    assert.equal((await run.exited).signal, 'SIGKILL');

    // the file the dead process left: valid, in the store's format, its hold still reserved, no lock
    const path = join(home, 'budget.json');
    const file = JSON.parse(readFileSync(path, 'utf8')) as BudgetFile;
    assert.equal(file.version, 1);
    const buckets = Object.values(file.buckets);
    assert.equal(buckets.length, 1, JSON.stringify(file));
    const holds = Object.values(buckets[0]?.holds ?? {});
    // amounts are kept in the limit's unit (USD) at the bucket's precision: $0.001
    const oneTenthCent = (10n ** BigInt(buckets[0]?.decimals ?? 0) / 1000n).toString();
    assert.deepEqual(
      holds.map((h) => [h.amount, h.status]),
      [[oneTenthCent, 'reserved']],
    );
    assert.equal(buckets[0]?.spent, '0');
    assert.equal(existsSync(`${path}.lock`), false, 'no lock left behind');

    // the server finishes the request the payer no longer waits for (it may settle it)
    const held = gate;
    gate = undefined;
    held.open();
    await until('the held request answered', () => answered > answeredBefore);
    const movedByKilled = (await paidSoFar()) - start;
    assert.ok(movedByKilled === 0n || movedByKilled === PRICE, `moved ${movedByKilled}`);

    // what the budget shows: the dead run's amount is still counted (reserved), so 0.001 is left
    const shown = oneJsonLine((await runCliToEnd(['budget'], env)).stdout);
    const [bucket] = shown.buckets as Array<Record<string, unknown>>;
    assert.deepEqual(
      [bucket?.spent, bucket?.reserved, bucket?.pending, bucket?.left],
      ['0', '0.001', '0', '0.001'],
    );

    // a second run pays what is left, a third is refused: never past the budget
    const second = await runCliToEnd(args, env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(oneJsonLine(second.stdout).status, 'paid');
    const third = await runCliToEnd(args, env);
    assert.equal(third.code, 3, third.stdout + third.stderr);
    const refusal = oneJsonLine(third.stdout);
    assert.equal(refusal.status, 'refused');
    assert.equal(refusal.reason, 'budget_exceeded');

    const moved = (await paidSoFar()) - start;
    console.log(
      `pay killed mid-payment: the server settled the killed run's payment: ${movedByKilled === PRICE}; ` +
        `moved ${moved} of a ${BUDGET} budget`,
    );
    assert.equal(moved, movedByKilled + PRICE);
    assert.equal(handlerCalls - callsBefore, 2, 'the killed run and the second run');
    assert.ok(moved <= BUDGET, `moved ${moved} > budget ${BUDGET}`);
    const final = JSON.parse(readFileSync(path, 'utf8')) as BudgetFile;
    const finalBucket = Object.values(final.buckets)[0];
    assert.equal(finalBucket?.spent, oneTenthCent);
    assert.deepEqual(
      Object.values(finalBucket?.holds ?? {}).map((h) => h.status),
      ['reserved'],
    );
  });
});
