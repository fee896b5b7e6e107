/**
 * Money promises of the Solana facilitator when its process is killed (SIGKILL) mid-settlement:
 * an `x402kit facilitator` process serves `exact` on the local Solana devnet (litesvm behind a real
 * JSON-RPC server) through an RPC proxy, with a SQLite ledger file. The proxy holds the payment's
 * `sendTransaction` request, so the process dies after its ledger claim and while the send is in
 * flight (before it could record a broadcast), in two variants:
 *
 * - forwarded: the node got the transaction (the transfer landed) and the answer never came back;
 * - dropped: the request never reached the node (nothing moved).
 *
 * A new process on the same ledger file then gets the same payment retried by the same attempt
 * (`X402-Attempt`, as an x402kit resource server retries). It proves: one transfer on chain at most,
 * never settled twice; a landed transfer is answered settled (or `settlement_pending` with its
 * signature), never as a failure; a dropped one is settled once by the retry (or expires, no
 * charge); the ledger ends `settled` with that signature; any other request presenting the payment
 * is refused `duplicate_settlement` naming the signature.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SettleResponse } from '@x402kit/core';
import {
  type SolanaDevnet,
  solanaDevnetAccount,
  solanaDevnetSigner,
  startSolanaDevnet,
} from '@x402kit/devnet';
import { type RpcFault, type RpcFaultProxy, startRpcFaultProxy } from '@x402kit/testing/rpc-fault-proxy';
import { signSolanaSettleBody, solanaRequirements } from '@x402kit/testing/solana-service';
import { type CliRun, spawnCli } from '@x402kit/testing/spawn-cli';

const PRICE = 1000n;
const CLAIM_LEASE_MS = 500;

let devnet: SolanaDevnet;
let proxy: RpcFaultProxy;
let feePayer: { address: string; secretKey: string };
const dir = mkdtempSync(join(tmpdir(), 'x402kit-svm-kill-'));
const runs: CliRun[] = [];

before(async () => {
  devnet = await startSolanaDevnet();
  proxy = await startRpcFaultProxy({ target: devnet.rpcUrl });
  feePayer = await solanaDevnetAccount('feePayer');
});
after(async () => {
  for (const run of runs)
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  await proxy?.close();
  await devnet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `x402kit facilitator --config` for Solana devnet through the proxy, on the ledger file `ledger`. */
async function startFacilitator(name: string, ledger: string): Promise<{ run: CliRun; url: string }> {
  const configPath = join(dir, `${name}.json`);
  writeFileSync(
    configPath,
    JSON.stringify({
      instanceId: name,
      ledger: { sqlite: { path: ledger } },
      solana: { networks: { 'solana:devnet': { rpc: [proxy.url] } }, feePayerKeys: [feePayer.secretKey] },
      settlement: { claimLeaseMs: CLAIM_LEASE_MS, receiptTimeoutMs: 3000 },
      keyLease: { staleAfterMs: 500 },
      reconciler: { intervalMs: 200, leaseMs: 200 },
    }),
  );
  const run = spawnCli(['facilitator', '--config', configPath, '--port', '0']);
  runs.push(run);
  const line = await run.waitForLine(/^Facilitator listening on /, 60_000);
  return { run, url: line.replace('Facilitator listening on ', '').trim() };
}

async function settle(url: string, body: string, attempt?: string): Promise<SettleResponse> {
  const res = await fetch(`${url}/settle`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(attempt ? { 'x402-attempt': attempt } : {}) },
    body,
  });
  assert.equal(res.status, 200, `/settle answered ${res.status}: ${await res.clone().text()}`);
  return SettleResponse.parse(await res.json());
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const payTo = async () => (await devnet.balances(devnet.accounts.payTo.address)).USDC;
const sends = () => proxy.seen.get('sendTransaction')?.total ?? 0;

type LedgerRow = { state: string; transaction: string | null };
async function ledgerRows(url: string, payer: string): Promise<LedgerRow[]> {
  const res = await fetch(`${url}/payments?payer=${payer}`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { payments: LedgerRow[] }).payments;
}

/**
 * Start a facilitator, settle one payment with `fault` on its `sendTransaction`, SIGKILL the
 * process while that request is held, restart on the same ledger and retry the same attempt.
 */
async function killMidSend(name: string, fault: RpcFault) {
  const ledger = join(dir, `${name}.db`);
  const first = await startFacilitator(`${name}-1`, ledger);
  const body = await signSolanaSettleBody(devnet, solanaRequirements(devnet, feePayer.address, PRICE));
  const payer = (await solanaDevnetSigner('payer')).address;
  const startBalance = await payTo();
  const sentBefore = sends();
  proxy.setFault('sendTransaction', fault);
  // the answer never comes: the process dies first
  const lost = settle(first.url, body, `att_${name}`).then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error }),
  );
  await until('the sendTransaction request at the proxy', () => sends() > sentBefore);
  if (fault.kind === 'lose-answer')
    await until('the transfer on chain', async () => (await payTo()) > startBalance);
  first.run.child.kill('SIGKILL');
  assert.equal((await first.run.exited).signal, 'SIGKILL');
  const outcome = await lost;
  assert.ok('error' in outcome, `the killed process answered: ${JSON.stringify(outcome)}`);
  const movedAtKill = (await payTo()) - startBalance;
  proxy.heal();

  // the dead process's claim goes stale; a new process opens the same ledger file
  await new Promise((resolve) => setTimeout(resolve, CLAIM_LEASE_MS * 2));
  const second = await startFacilitator(`${name}-2`, ledger);
  const retried = await settle(second.url, body, `att_${name}`);
  return { body, payer, second, retried, movedAtKill, startBalance };
}

describe('x402kit facilitator (Solana) killed with SIGKILL while sendTransaction is in flight', () => {
  it('forwarded (the transfer landed): the retry answers it settled, one transfer, never a failure', async () => {
    const { body, payer, second, retried, movedAtKill, startBalance } = await killMidSend('svm-landed', {
      kind: 'lose-answer',
    });
    assert.equal(movedAtKill, PRICE, 'the node executed the transfer before the kill');
    console.log(
      `svm kill, send forwarded: the retry answered ${retried.success ? 'settled' : retried.errorReason}`,
    );
    if (retried.success) {
      assert.deepEqual(devnet.chain.signatureStatus(retried.transaction)?.err, null);
    } else {
      // not a failure: only "still in progress" with the signature the chain has
      assert.equal(retried.errorReason, 'settlement_pending', JSON.stringify(retried));
      assert.deepEqual(devnet.chain.signatureStatus(retried.transaction)?.err, null, JSON.stringify(retried));
    }
    const signature = retried.transaction;
    assert.equal(retried.payer, payer);
    // the ledger ends settled with that signature (at once, or by the reconciler)
    await until('the ledger row settled', async () =>
      (await ledgerRows(second.url, payer)).some((r) => r.transaction === signature && r.state === 'settled'),
    );
    const again = await settle(second.url, body, 'att_svm-landed');
    assert.equal(again.success, true, JSON.stringify(again));
    assert.equal(again.transaction, signature);
    const other = await settle(second.url, body);
    assert.equal(other.errorReason, 'duplicate_settlement', JSON.stringify(other));
    assert.equal(other.transaction, signature);
    assert.equal((await payTo()) - startBalance, PRICE, 'one transfer, never two');
    second.run.child.kill('SIGTERM');
    await second.run.exited;
  });

  it('dropped (never reached the node): the retry settles it exactly once, or it expires uncharged', async () => {
    const { body, payer, second, retried, movedAtKill, startBalance } = await killMidSend('svm-dropped', {
      kind: 'drop',
    });
    assert.equal(movedAtKill, 0n, 'nothing reached the chain before the kill');
    let signature = retried.transaction;
    if (retried.success) {
      assert.deepEqual(devnet.chain.signatureStatus(signature)?.err, null);
    } else {
      assert.equal(retried.errorReason, 'settlement_pending', JSON.stringify(retried));
      // wait for the reconciler (or another retry) to finish it
      await until('a final answer', async () => {
        const next = await settle(second.url, body, 'att_svm-dropped');
        signature = next.transaction;
        return next.success || next.errorReason !== 'settlement_pending';
      });
    }
    const moved = (await payTo()) - startBalance;
    console.log(
      `svm kill, send dropped: the retry answered ${retried.success ? 'settled' : retried.errorReason}; moved ${moved}`,
    );
    const rows = (await ledgerRows(second.url, payer)).filter((r) => r.transaction === signature);
    if (moved === PRICE) {
      assert.equal(rows[0]?.state, 'settled', JSON.stringify(rows));
      const other = await settle(second.url, body);
      assert.equal(other.errorReason, 'duplicate_settlement', JSON.stringify(other));
      assert.equal(other.transaction, signature);
    } else {
      assert.equal(moved, 0n, 'never more than one transfer');
      assert.notEqual(rows[0]?.state, 'settled', JSON.stringify(rows));
    }
    assert.equal((await payTo()) - startBalance, moved, 'no later transfer');
    second.run.child.kill('SIGTERM');
    await second.run.exited;
  });
});
