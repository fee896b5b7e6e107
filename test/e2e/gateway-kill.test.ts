/**
 * `x402kit gateway` killed (SIGKILL) while it proxies a paid request: the gateway (a child process)
 * sells `GET /weather/:city` through an `x402kit facilitator` process (its SQLite ledger) settling on
 * the anvil devnet; the upstream holds the paid request's answer, and the gateway dies meanwhile
 * (after verifying the payment, before settling it). A new gateway process with the same config
 * then gets the same `PAYMENT-SIGNATURE` header again, twice.
 *
 * It proves: the retried header reaches the upstream at most once more (the killed request's call
 * plus at most one), the payment is settled at most once on chain (the payee gains the price at
 * most once, whatever the answers), a paid answer carries a successful receipt and any other
 * answer is a 402 refusal; and the paid replay after it never reaches the upstream.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createX402Client,
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodePaymentSignatureHeader,
  HeaderNames,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmClient } from '@x402kit/evm';
import { closeServer } from '@x402kit/testing/listen';
import { type CliRun, spawnCli } from '@x402kit/testing/spawn-cli';
import { privateKeyToAccount } from 'viem/accounts';

const PRICE = 1000n;

let devnet: Devnet;
let facilitator: CliRun;
let facilitatorUrl = '';
let upstreamUrl = '';
let upstreamCalls = 0;
/** While set, the upstream holds its answer until `release` is called; `reached` resolves on a call. */
let hold: { reached: () => void; released: Promise<void>; release: () => void } | undefined;
let reachedUpstream: Promise<void> = Promise.resolve();
const dir = mkdtempSync(join(tmpdir(), 'x402kit-gateway-kill-'));
const runs: CliRun[] = [];
const stops: Array<() => Promise<void> | void> = [];

function holdUpstream(): void {
  let reached = () => {};
  let release = () => {};
  reachedUpstream = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  hold = { reached, released, release };
}

before(async () => {
  devnet = await startDevnet({ port: 0 });
  stops.push(() => devnet.stop());
  facilitator = spawnCli(['facilitator', '--rpc', `${devnet.network}=${devnet.rpcUrl}`, '--port', '0'], {
    FACILITATOR_PRIVATE_KEY: devnet.accounts.facilitator.privateKey,
  });
  runs.push(facilitator);
  const line = await facilitator.waitForLine(/^Facilitator listening on /, 60_000);
  facilitatorUrl = line.replace('Facilitator listening on ', '').trim();
  const upstream = createServer((req, res) => {
    upstreamCalls++;
    const held = hold;
    void (async () => {
      if (held) {
        held.reached();
        await held.released;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    })();
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  stops.push(() => {
    hold?.release();
    return closeServer(upstream);
  });
});

after(async () => {
  for (const run of runs)
    if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  for (const stop of stops.reverse()) await stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startGateway(): Promise<{ run: CliRun; url: string }> {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    [
      `upstream: ${upstreamUrl}`,
      `facilitator: ${facilitatorUrl}`,
      'scheme: exact',
      `network: ${devnet.network}`,
      `payTo: "${devnet.accounts.payTo.address}"`,
      'routes:',
      '  GET /weather/:city:',
      '    price: $0.001',
    ].join('\n'),
  );
  const run = spawnCli(['gateway', '--config', file, '--port', '0']);
  runs.push(run);
  const line = await run.waitForLine(/^Gateway listening on /, 60_000);
  return { run, url: /^Gateway listening on (\S+)/.exec(line)?.[1] ?? '' };
}

const paidSoFar = () => readTokenBalance(devnet.rpcUrl, devnet.token.address, devnet.accounts.payTo.address);

async function send(url: string, header: string) {
  const res = await fetch(`${url}/weather/paris`, { headers: { [HeaderNames.paymentSignature]: header } });
  const receipt = res.headers.get(HeaderNames.paymentResponse);
  const required = res.headers.get(HeaderNames.paymentRequired);
  return {
    status: res.status,
    receipt: receipt ? decodePaymentResponseHeader(receipt) : undefined,
    refusal: required ? decodePaymentRequiredHeader(required).error : undefined,
    body: await res.text(),
  };
}

describe('x402kit gateway killed with SIGKILL while the upstream holds a paid request', () => {
  it('the same header retried on a new gateway: at most one more upstream call, settled at most once', async () => {
    const first = await startGateway();
    const unpaid = await fetch(`${first.url}/weather/paris`);
    assert.equal(unpaid.status, 402);
    const required = decodePaymentRequiredHeader(unpaid.headers.get(HeaderNames.paymentRequired) ?? '');
    const client = createX402Client({
      schemes: [
        {
          network: 'eip155:*',
          client: createExactEvmClient({ signer: privateKeyToAccount(devnet.accounts.payer.privateKey) }),
        },
      ],
    });
    const header = encodePaymentSignatureHeader(await client.createPaymentPayload(required));
    const start = await paidSoFar();

    holdUpstream();
    const lost = send(first.url, header).then(
      (answer) => ({ answer }),
      (error: unknown) => ({ error }),
    );
    await reachedUpstream;
    assert.equal(upstreamCalls, 1);
    first.run.child.kill('SIGKILL');
    assert.equal((await first.run.exited).signal, 'SIGKILL');
    const outcome = await lost;
    assert.ok('error' in outcome, `the killed gateway answered: ${JSON.stringify(outcome)}`);
    hold?.release();
    hold = undefined;
    assert.equal((await paidSoFar()) - start, 0n, 'the killed gateway never settled');

    const second = await startGateway();
    const retried = await send(second.url, header);
    const callsAfterRetry = upstreamCalls;
    assert.ok(callsAfterRetry <= 2, `upstream called ${callsAfterRetry} times`);
    const moved = (await paidSoFar()) - start;
    if (retried.status === 200) {
      assert.equal(retried.receipt?.success, true, JSON.stringify(retried));
      assert.equal(callsAfterRetry, 2);
      assert.equal(moved, PRICE);
    } else {
      // the payment stays reserved for the dead gateway's attempt: refused, nothing served, nothing charged
      assert.equal(retried.status, 402, JSON.stringify(retried));
      assert.equal(callsAfterRetry, 1);
      assert.equal(moved, 0n);
    }
    console.log(
      `gateway kill: the retried header answered ${retried.status} ${retried.refusal ?? ''}; ` +
        `upstream calls ${callsAfterRetry}; moved ${moved}`,
    );

    // a replay of the same header: never one more upstream call, never a second transfer
    const replay = await send(second.url, header);
    assert.equal(replay.status, 402, JSON.stringify(replay));
    assert.equal(upstreamCalls, callsAfterRetry);
    assert.equal((await paidSoFar()) - start, moved);
    second.run.child.kill('SIGTERM');
    await second.run.exited;
  });
});
