/**
 * Exactly-once settlement, proven on a real chain: two facilitator instances (their own relayer
 * keys, their own HTTP servers) share one PostgreSQL ledger; 100 distinct payments are each
 * presented 10 times, all at once, split across both instances. The chain must see 100 transfers
 * and one transaction hash per payment. Half the payments come from one grant attempt (the same
 * `X402-Attempt` on every copy, as our resource server's retries): every copy gets the success.
 * The other half are anonymous copies (as replays, or official servers): one gets the success, the
 * others the official `duplicate_settlement` with the same hash once it is known.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type PaymentPayload, type PaymentRequirements, SettleResponse, VerifyResponse } from '@x402kit/core';
import { type Devnet, devnetAccount, readTokenBalance, startDevnet } from '@x402kit/devnet';
import {
  createEvmFacilitator,
  createExactEvmReconciler,
  type EvmFacilitator,
  identifyExactEvm,
} from '@x402kit/evm/chain-module';
import {
  createFacilitatorService,
  createLedgerHooks,
  createPostgresLedger,
  type FacilitatorServer,
  type PaymentLedger,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import {
  devnetExactRequirements,
  type ExactSettlement,
  settleRequestBody,
  signExactSettlement,
} from '@x402kit/testing/exact-settlement';
import { dropSchema, freshSchemaName, testPostgresUrl } from '@x402kit/testing/postgres';
import { startRpcFaultProxy } from '@x402kit/testing/rpc-fault-proxy';
import { createPublicClient, type Hex, http, parseAbiItem } from 'viem';

const PAYMENTS = 100;
const COPIES = 10;
const PRICE = 1000n;

type Instance = { facilitator: EvmFacilitator; server: FacilitatorServer; ledger: PaymentLedger };

let devnet: Devnet;
let url = '';
const schema = freshSchemaName('exactly_once');
const instances: Instance[] = [];

const requirementsFor = (overrides: Partial<PaymentRequirements> = {}) =>
  devnetExactRequirements(devnet, { amount: PRICE.toString(), ...overrides });

async function post(base: string, path: string, body: string, attempt?: string): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(attempt ? { 'x402-attempt': attempt } : {}) },
    body,
  });
  assert.equal(res.status, 200, `${path} answered ${res.status}: ${await res.clone().text()}`);
  return res.json();
}

const settle = async (base: string, body: string, attempt?: string) =>
  SettleResponse.parse(await post(base, '/settle', body, attempt));
/** Even payments come from one grant attempt each; odd ones are anonymous. */
const attemptOf = (payment: number) => (payment % 2 === 0 ? `att_exactly_once_${payment}` : undefined);
const verify = async (base: string, body: string) => VerifyResponse.parse(await post(base, '/verify', body));

async function startInstance(instanceId: string, relayerKey: Hex): Promise<Instance> {
  const ledger = await createPostgresLedger({ url, schema, maxConnections: 10 });
  const facilitator = createEvmFacilitator({
    rpc: { [devnet.network]: devnet.rpcUrl },
    privateKeys: [relayerKey],
    hooks: createLedgerHooks({ ledger, identify: identifyExactEvm, instanceId, waitMs: 45_000 }),
  });
  const server = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator }),
    port: 0,
  });
  return { facilitator, server, ledger };
}

describe('exactly-once settlement: two facilitators, one PostgreSQL ledger, a real chain', () => {
  before(async () => {
    url = await testPostgresUrl();
    devnet = await startDevnet({ port: 0, extraPayers: 2 });
    instances.push(await startInstance('facilitator-a', devnetAccount(3).privateKey));
    instances.push(await startInstance('facilitator-b', devnetAccount(6).privateKey));
  });
  after(async () => {
    for (const i of instances) {
      await i.server.close();
      i.facilitator.close();
      await i.ledger.close();
    }
    await devnet?.stop();
    if (url) await dropSchema(url, schema);
  });

  let payments: ExactSettlement[] = [];
  const firstAnswers = new Map<string, SettleResponse>();

  it(`settles ${PAYMENTS} payments presented ${COPIES} times each exactly once`, async () => {
    const payers = [devnet.accounts.payer, ...devnet.extraPayers];
    const relayers = [devnetAccount(3).address, devnetAccount(6).address];
    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const payTo = devnet.accounts.payTo.address;
    const fromBlock = await chain.getBlockNumber();
    const payToBefore = await readTokenBalance(devnet.rpcUrl, devnet.token.address, payTo);
    const noncesBefore = await Promise.all(relayers.map((address) => chain.getTransactionCount({ address })));

    payments = await Promise.all(
      Array.from({ length: PAYMENTS }, (_, i) =>
        signExactSettlement(
          payers[i % payers.length]?.privateKey ?? '0x',
          requirementsFor(),
          'https://api.example/weather',
        ),
      ),
    );
    const calls = payments.flatMap((p, i) =>
      Array.from({ length: COPIES }, (_, copy) => ({
        payment: i,
        base: instances[(i + copy) % 2]?.server.url ?? '',
        body: p.body,
      })),
    );
    const started = performance.now();
    const answers = await Promise.all(
      calls.map(async (c) => ({ ...c, answer: await settle(c.base, c.body, attemptOf(c.payment)) })),
    );
    const elapsed = performance.now() - started;

    const hashes = new Map<number, Set<string>>();
    const successes = new Map<number, number>();
    for (const { payment, answer } of answers) {
      if (attemptOf(payment) !== undefined || answer.success) {
        assert.equal(answer.success, true, `payment ${payment}: ${JSON.stringify(answer)}`);
        successes.set(payment, (successes.get(payment) ?? 0) + 1);
        firstAnswers.set(payments[payment]?.body ?? '', answer);
      } else {
        assert.equal(
          answer.errorReason,
          'duplicate_settlement',
          `payment ${payment}: ${JSON.stringify(answer)}`,
        );
      }
      if (answer.transaction === '') continue;
      const set = hashes.get(payment) ?? new Set<string>();
      set.add(answer.transaction);
      hashes.set(payment, set);
    }
    for (let i = 0; i < PAYMENTS; i++) {
      assert.equal(successes.get(i), attemptOf(i) === undefined ? 1 : COPIES, `successes of payment ${i}`);
    }
    for (const [payment, set] of hashes)
      assert.equal(set.size, 1, `payment ${payment} got ${set.size} hashes`);
    const distinctTx = new Set([...hashes.values()].flatMap((s) => [...s]));
    assert.equal(distinctTx.size, PAYMENTS);

    const transfers = await chain.getLogs({
      address: devnet.token.address,
      event: parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
      args: { to: payTo },
      fromBlock: fromBlock + 1n,
    });
    assert.equal(transfers.length, PAYMENTS);
    assert.deepEqual(new Set(transfers.map((t) => t.transactionHash)), distinctTx);
    const payToAfter = await readTokenBalance(devnet.rpcUrl, devnet.token.address, payTo);
    assert.equal(payToAfter - payToBefore, PRICE * BigInt(PAYMENTS));
    const noncesAfter = await Promise.all(relayers.map((address) => chain.getTransactionCount({ address })));
    const sent = noncesAfter.reduce((sum, n, i) => sum + n - (noncesBefore[i] ?? 0), 0);
    assert.equal(sent, PAYMENTS, 'relayer transactions sent');

    const perInstance = await instances[0]?.ledger.list({ network: devnet.network, limit: 1000 });
    const owners = new Map<string, number>();
    for (const r of perInstance ?? []) owners.set(r.owner, (owners.get(r.owner) ?? 0) + 1);
    console.log(
      `exactly-once: ${calls.length} POST /settle, ${PAYMENTS} payments, ${transfers.length} on-chain transfers, ` +
        `${sent} relayer transactions (${noncesAfter.map((n, i) => n - (noncesBefore[i] ?? 0)).join(' + ')}), ` +
        `claims by owner ${JSON.stringify(Object.fromEntries(owners))}, ${Math.round(elapsed)} ms`,
    );
    assert.equal(perInstance?.filter((r) => r.state === 'settled').length, PAYMENTS);
  });

  it('answers a retry of the attempt with its stored outcome, anyone else duplicate_settlement, on either instance', async () => {
    for (const n of [6, 7]) {
      const payment = payments[n];
      assert.ok(payment);
      const first = firstAnswers.get(payment.body);
      assert.ok(first?.success);
      for (const instance of instances) {
        const attempt = attemptOf(n);
        if (attempt) assert.deepEqual(await settle(instance.server.url, payment.body, attempt), first);
        const replay = await settle(instance.server.url, payment.body, 'att_someone_else');
        assert.equal(replay.success, false);
        assert.equal(replay.errorReason, 'duplicate_settlement');
        assert.equal(replay.transaction, first.transaction);
        const anonymous = await settle(instance.server.url, payment.body);
        assert.equal(anonymous.errorReason, 'duplicate_settlement');
        assert.equal(anonymous.transaction, first.transaction);
      }
      const record = await instances[1]?.ledger.findByTransaction(first.transaction);
      assert.equal(record?.state, 'settled');
    }
  });

  it('refuses to verify a payment that was already settled (duplicate_settlement)', async () => {
    const payment = payments[8];
    assert.ok(payment);
    const verdict = await verify(instances[0]?.server.url ?? '', payment.body);
    assert.equal(verdict.isValid, false);
    assert.equal(verdict.invalidReason, 'duplicate_settlement');
  });

  it('refuses the same authorization presented for other requirements (duplicate_settlement)', async () => {
    const payment = payments[9];
    assert.ok(payment);
    // same price, asset and payTo (the signature is valid for it), another resource and timeout
    const other = requirementsFor({ maxTimeoutSeconds: 301 });
    const payload: PaymentPayload = {
      ...payment.payload,
      resource: { url: 'https://api.example/other' },
      accepted: other,
    };
    for (const instance of instances) {
      const answer = await settle(instance.server.url, settleRequestBody(payload, other));
      assert.equal(answer.success, false);
      assert.equal(answer.errorReason, 'duplicate_settlement');
      assert.match(answer.errorMessage ?? '', /already presented/);
    }
  });
});

/** A facilitator in its own process, so the test can kill it with SIGKILL mid-settlement. */
const CHILD_FACILITATOR = `
import {
  createFacilitatorService,
  createLedgerHooks,
  createPostgresLedger,
  startFacilitatorServer,
} from '@x402kit/facilitator';
import { createEvmFacilitator, identifyExactEvm } from '@x402kit/evm/chain-module';
const config = JSON.parse(process.env.X402KIT_CHILD_CONFIG);
const ledger = await createPostgresLedger({ url: config.url, schema: config.schema });
const facilitator = createEvmFacilitator({
  rpc: { [config.network]: config.rpcUrl },
  privateKeys: [config.relayerKey],
  hooks: createLedgerHooks({ ledger, identify: identifyExactEvm, instanceId: config.instanceId }),
});
const server = await startFacilitatorServer({ service: createFacilitatorService({ facilitator }), port: 0 });
console.log('READY ' + server.url);
`;

function startChildFacilitator(
  config: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', CHILD_FACILITATOR],
    {
      env: { ...process.env, X402KIT_CHILD_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\S+)/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.once('exit', (code) =>
      reject(new Error(`child facilitator exited (${code}): ${err.slice(-2000)}`)),
    );
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('crash between broadcast and receipt: kill -9, restart, settled exactly once', () => {
  let slow: Devnet;
  let child: ChildProcess | undefined;
  let survivor: Instance | undefined;
  const crashSchema = freshSchemaName('crash');

  before(async () => {
    url ||= await testPostgresUrl();
    slow = await startDevnet({ port: 0, blockTime: 2 });
  });
  after(async () => {
    child?.kill('SIGKILL');
    if (survivor) {
      await survivor.server.close();
      survivor.facilitator.close();
      await survivor.ledger.close();
    }
    await slow?.stop();
    if (url) await dropSchema(url, crashSchema);
  });

  it('finds the dead instance’s transaction instead of paying again', async () => {
    const chain = createPublicClient({ transport: http(slow.rpcUrl) });
    const [deadRelayer, liveRelayer] = [devnetAccount(7), devnetAccount(8)];
    const payTo = slow.accounts.payTo.address;
    const fromBlock = await chain.getBlockNumber();
    const deadNonce = await chain.getTransactionCount({ address: deadRelayer.address, blockTag: 'pending' });
    const liveNonce = await chain.getTransactionCount({ address: liveRelayer.address, blockTag: 'pending' });

    const started = await startChildFacilitator({
      url,
      schema: crashSchema,
      network: slow.network,
      rpcUrl: slow.rpcUrl,
      relayerKey: deadRelayer.privateKey,
      instanceId: 'doomed',
    });
    child = started.child;
    const { body, from } = await signExactSettlement(
      slow.accounts.payer.privateKey,
      devnetExactRequirements(slow, { amount: PRICE.toString() }),
      'https://api.example/slow',
    );

    // the doomed instance claims and broadcasts; the receipt needs the next block (2 s)
    // one grant attempt: the resource server's retry after the crash carries the same id
    const attempt = 'att_crash_between_broadcast_and_receipt';
    const inFlight = fetch(`${started.url}/settle`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x402-attempt': attempt },
    });
    inFlight.catch(() => {});
    await until('the doomed broadcast', async () => {
      const n = await chain.getTransactionCount({ address: deadRelayer.address, blockTag: 'pending' });
      return n > deadNonce;
    });
    const ledger = await createPostgresLedger({ url, schema: crashSchema });
    // the instance records the hash right after broadcast, before it waits for the receipt
    await until('the broadcast recorded in the ledger', async () => {
      const [record] = await ledger.list({ payer: from });
      return record?.state === 'broadcast';
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    child = undefined;

    const held = await ledger.list({ payer: from });
    assert.equal(held.length, 1);
    assert.equal(held[0]?.owner, 'doomed');
    assert.equal(held[0]?.state, 'broadcast', 'the claim outlived its instance, with its transaction');
    assert.match(held[0]?.transaction ?? '', /^0x[0-9a-f]{64}$/);

    // restart: a new instance that may take over claims quiet for 3 s, and looks on chain first
    const facilitator = createEvmFacilitator({
      rpc: { [slow.network]: slow.rpcUrl },
      privateKeys: [liveRelayer.privateKey],
      hooks: createLedgerHooks({
        ledger,
        identify: identifyExactEvm,
        instanceId: 'survivor',
        claimLeaseMs: 3000,
        reconcile: createExactEvmReconciler({ rpc: { [slow.network]: slow.rpcUrl } }),
      }),
    });
    const server = await startFacilitatorServer({
      service: createFacilitatorService({ facilitator }),
      port: 0,
    });
    survivor = { facilitator, server, ledger };
    const t0 = performance.now();
    const answer = await settle(server.url, body, attempt);
    const waited = performance.now() - t0;
    assert.equal(answer.success, true, JSON.stringify(answer));

    const transfers = await chain.getLogs({
      address: slow.token.address,
      event: parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
      args: { from: from, to: payTo },
      fromBlock: fromBlock + 1n,
    });
    assert.equal(transfers.length, 1, 'exactly one transfer on chain');
    assert.equal(
      answer.transaction,
      transfers[0]?.transactionHash,
      'the answer is the dead instance’s transaction',
    );
    assert.equal(
      answer.transaction,
      held[0]?.transaction,
      'the transaction the ledger recorded before the crash',
    );
    assert.equal(
      await chain.getTransactionCount({ address: liveRelayer.address, blockTag: 'pending' }),
      liveNonce,
      'the survivor sent nothing',
    );
    const record = await ledger.findByTransaction(answer.transaction);
    assert.equal(record?.state, 'settled');
    // and a retry of the attempt now answers at once from the ledger; anyone else is refused
    assert.deepEqual(await settle(server.url, body, attempt), answer);
    const other = await settle(server.url, body);
    assert.equal(other.errorReason, 'duplicate_settlement');
    assert.equal(other.transaction, answer.transaction);
    console.log(
      `crash: killed the holder mid-receipt; the survivor reconciled after ${Math.round(waited)} ms`,
    );
  });

  it('kill -9 between claim and broadcast: a retry of the attempt settles it exactly once within 15 s', async () => {
    assert.ok(survivor, 'the survivor of the previous test serves the retry');
    const chain = createPublicClient({ transport: http(slow.rpcUrl) });
    const doomedRelayer = devnetAccount(9);
    const payTo = slow.accounts.payTo.address;
    const fromBlock = await chain.getBlockNumber();
    // the doomed instance's sends never reach the node: it dies holding a claim and no transaction on chain
    const proxy = await startRpcFaultProxy({ target: slow.rpcUrl });
    proxy.setFault('eth_sendRawTransaction', { kind: 'drop' });
    const started = await startChildFacilitator({
      url,
      schema: crashSchema,
      network: slow.network,
      rpcUrl: proxy.url,
      relayerKey: doomedRelayer.privateKey,
      instanceId: 'doomed-before-broadcast',
    });
    child = started.child;
    const { body, from } = await signExactSettlement(
      slow.accounts.payer.privateKey,
      devnetExactRequirements(slow, { amount: PRICE.toString() }),
      'https://api.example/claimed',
    );
    const attempt = 'att_crash_between_claim_and_broadcast';
    const inFlight = fetch(`${started.url}/settle`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x402-attempt': attempt },
    });
    inFlight.catch(() => {});
    const ledger = survivor.ledger;
    await until('the claim in the ledger', async () => {
      const [record] = await ledger.list({ payer: from });
      return record !== undefined && (proxy.seen.get('eth_sendRawTransaction')?.total ?? 0) > 0;
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child?.once('exit', resolve));
    child = undefined;
    await proxy.close();
    const [held] = await ledger.list({ payer: from });
    assert.equal(held?.owner, 'doomed-before-broadcast');
    assert.ok(held?.state === 'claimed' || held?.state === 'broadcast', held?.state);

    // a concurrent stranger is refused at once; the retry of the attempt takes the claim over
    const t0 = performance.now();
    const [stranger, answer] = await Promise.all([
      settle(survivor.server.url, body),
      settle(survivor.server.url, body, attempt),
    ]);
    const waited = performance.now() - t0;
    assert.equal(stranger.errorReason, 'duplicate_settlement');
    assert.equal(answer.success, true, JSON.stringify(answer));
    assert.ok(waited < 15_000, `settled ${Math.round(waited)} ms after the retry`);
    const transfers = await chain.getLogs({
      address: slow.token.address,
      event: parseAbiItem('event Transfer(address indexed from, address indexed to, uint256 value)'),
      args: { from, to: payTo },
      fromBlock: fromBlock + 1n,
    });
    assert.equal(transfers.length, 1, 'exactly one transfer on chain');
    assert.equal(transfers[0]?.transactionHash, answer.transaction);
    assert.equal((await ledger.findByTransaction(answer.transaction))?.state, 'settled');
    console.log(
      `crash before broadcast: the retry took the claim over and settled in ${Math.round(waited)} ms`,
    );
  });
});
