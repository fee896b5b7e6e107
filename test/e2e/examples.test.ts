/**
 * The examples run as a user runs them, each a real process: the devnet, `x402kit facilitator`,
 * `examples/seller-express/server.ts` and `examples/buyer-fetch/buy.ts` (both with
 * `node --conditions=source --import tsx` from the repository root). The buyer pays the seller
 * $0.001 and the balances on the chain move by exactly that; a seller configured for a network
 * the facilitator does not serve refuses to start, naming the route, scheme and network.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { type CliRun, spawnCli, spawnScript } from '@x402kit/testing/spawn-cli';
import { createPublicClient, type Hex, http } from 'viem';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SELLER = join(ROOT, 'examples/seller-express/server.ts');
const BUYER = join(ROOT, 'examples/buyer-fetch/buy.ts');

let devnet: Devnet;
let facilitator: CliRun;
let facilitatorUrl: string;
const children: ChildProcess[] = [];

before(async () => {
  devnet = await startDevnet({ port: 0 });
  facilitator = spawnCli(['facilitator', '--rpc', `eip155:84532=${devnet.rpcUrl}`, '--port', '0'], {
    FACILITATOR_PRIVATE_KEY: devnet.accounts.facilitator.privateKey,
  });
  children.push(facilitator.child);
  facilitatorUrl = (await facilitator.waitForLine(/^Facilitator listening on /, 90_000))
    .replace('Facilitator listening on ', '')
    .trim();
});

after(async () => {
  for (const child of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  }
  await devnet?.stop();
});

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);

describe('examples/seller-express and examples/buyer-fetch', () => {
  it('the buyer pays the seller $0.001 on the devnet: paid response, transaction on chain, balances moved', async () => {
    const seller = spawnScript(SELLER, [], {
      FACILITATOR_URL: facilitatorUrl,
      PAY_TO: devnet.accounts.payTo.address,
      NETWORK: 'eip155:84532',
      PORT: '0',
    });
    children.push(seller.child);
    const sellerUrl = /http:\/\/127\.0\.0\.1:\d+/.exec(
      await seller.waitForLine(/^Seller listening on /),
    )?.[0];
    assert.ok(sellerUrl);

    const unpaid = await fetch(`${sellerUrl}/weather`);
    assert.equal(unpaid.status, 402);
    assert.ok(unpaid.headers.get('payment-required'));
    assert.deepEqual(await (await fetch(`${sellerUrl}/health`)).json(), { status: 'ok' });

    const payerBefore = await balance(devnet.accounts.payer.address);
    const payToBefore = await balance(devnet.accounts.payTo.address);
    const buyer = spawnScript(BUYER, [`${sellerUrl}/weather`], {
      PRIVATE_KEY: devnet.accounts.payer.privateKey,
    });
    assert.equal((await buyer.exited).code, 0, buyer.stderr());
    const answer = JSON.parse(buyer.stdout().trim()) as {
      status: number;
      body: unknown;
      paid: boolean;
      transaction: string | null;
      network: string | null;
      payer: string;
    };
    assert.equal(answer.status, 200);
    assert.equal(answer.paid, true);
    assert.deepEqual(answer.body, { city: 'Lisbon', weather: 'sunny', temperatureC: 21 });
    assert.equal(answer.network, 'eip155:84532');
    assert.equal(answer.payer, devnet.accounts.payer.address);
    assert.match(String(answer.transaction), /^0x[0-9a-f]{64}$/);

    const chain = createPublicClient({ transport: http(devnet.rpcUrl) });
    const receipt = await chain.getTransactionReceipt({ hash: answer.transaction as Hex });
    assert.equal(receipt.status, 'success');
    assert.equal(payerBefore - (await balance(devnet.accounts.payer.address)), 1000n);
    assert.equal((await balance(devnet.accounts.payTo.address)) - payToBefore, 1000n);
  });

  it('the seller refuses to start on a network the facilitator does not serve, naming route, scheme and network', async () => {
    const seller = spawnScript(SELLER, [], {
      FACILITATOR_URL: facilitatorUrl,
      PAY_TO: devnet.accounts.payTo.address,
      NETWORK: 'eip155:8453',
      PORT: '0',
    });
    children.push(seller.child);
    assert.equal((await seller.exited).code, 1, seller.stdout());
    assert.match(
      seller.stderr(),
      /route "GET \/weather" offers exact on eip155:8453, which no facilitator supports/,
    );
    assert.match(seller.stderr(), /supports exact on eip155:84532/);
    assert.match(seller.stderr(), /\[missing_facilitator\]/);
    assert.doesNotMatch(seller.stdout(), /Seller listening/);
  });

  it('the buyer says it did not pay when the answer carries no settlement (exit 1, paid: false)', async () => {
    const seller = spawnScript(SELLER, [], {
      FACILITATOR_URL: facilitatorUrl,
      PAY_TO: devnet.accounts.payTo.address,
      PORT: '0',
    });
    children.push(seller.child);
    const sellerUrl = /http:\/\/127\.0\.0\.1:\d+/.exec(
      await seller.waitForLine(/^Seller listening on /),
    )?.[0];
    const buyer = spawnScript(BUYER, [`${sellerUrl}/health`], {
      PRIVATE_KEY: devnet.accounts.payer.privateKey,
    });
    assert.equal((await buyer.exited).code, 1);
    const answer = JSON.parse(buyer.stdout().trim()) as {
      status: number;
      paid: boolean;
      transaction: unknown;
    };
    assert.equal(answer.status, 200);
    assert.equal(answer.paid, false);
    assert.equal(answer.transaction, null);
  });
});
