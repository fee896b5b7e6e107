/**
 * The browser paywall when the settlement's outcome is unknown: the facilitator's RPC is cut after
 * the send, so the server answers 202 `settlement_pending` with the landed hash. In Chromium the
 * page says the payment was sent and names the transaction (never "failed", never a new Pay), then
 * re-sends the SAME payment after `Retry-After`; once the RPC heals it shows the content. One
 * signature from the wallet, one handler run, one transfer, payTo + price.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HeaderNames } from '@x402kit/core';
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { type CutRpcFacilitator, startCutRpcFacilitator } from '@x402kit/testing/cut-rpc-facilitator';
import { devnetExactOffer } from '@x402kit/testing/devnet-offer';
import type { Running } from '@x402kit/testing/listen';
import { startOurPaidApi } from '@x402kit/testing/ours';
import { assertPaidOnce, type CutPaidRoute, cutStart } from '@x402kit/testing/rpc-cut-paid-route';
import type { Hex } from 'viem';
import { injectWallet, launchChromium, PAYWALL_OUTPUT, type WalletCall } from './paywall-browser.js';

const PRICE = 1000n;
const WEATHER = { report: { weather: 'sunny', temperature: 70 } };

let devnet: Devnet;
let facilitator: CutRpcFacilitator;
let api: Running;
let runs = 0;
let browser: Awaited<ReturnType<typeof launchChromium>>;

function route(): CutPaidRoute {
  return {
    devnet,
    facilitator,
    url: `${api.url}/weather`,
    runs: () => runs,
    checkBody: (text) => assert.deepEqual(JSON.parse(text), WEATHER),
  };
}

describe('browser paywall, RPC cut after the settlement is sent', () => {
  before(async () => {
    mkdirSync(PAYWALL_OUTPUT, { recursive: true });
    devnet = await startDevnet({ port: 0 });
    facilitator = await startCutRpcFacilitator(devnet, { instanceId: 'paywall-pending' });
    api = await startOurPaidApi({
      facilitatorUrl: facilitator.url,
      routes: {
        'GET /weather': {
          accepts: devnetExactOffer(devnet),
          description: 'Weather report',
        },
      },
      options: { paywall: { appName: 'Weather Co' }, pendingRetryAfterSeconds: 1 },
      serve(app) {
        app.get('/weather', (_req, res) => {
          runs++;
          res.json(WEATHER);
        });
      },
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('says "payment sent, waiting for confirmation" with the hash, re-sends the same payment, then shows the content', async () => {
    const page = await browser.context.newPage();
    const calls: WalletCall[] = [];
    await injectWallet(page, devnet.accounts.payer.privateKey as Hex, calls);
    const paid: Array<{ signature: string; status: Promise<number | undefined> }> = [];
    page.on('request', (request) => {
      const signature = request.headers()[HeaderNames.paymentSignature.toLowerCase()];
      if (signature) paid.push({ signature, status: request.response().then((r) => r?.status()) });
    });
    const start = await cutStart(route());
    await page.goto(route().url);

    facilitator.cutAfterSend();
    let hash: string;
    try {
      await page.getByRole('button', { name: 'Pay 0.001 USDC with your wallet' }).click();
      const status = page.locator('#x402-status');
      await status.filter({ hasText: /waiting for confirmation/i }).waitFor({ timeout: 20_000 });
      const text = (await status.textContent()) ?? '';
      assert.ok(facilitator.sendsCut() > start.cut, 'the settlement went through the cut RPC');
      hash = /\(tx (0x[0-9a-f]{64})\)/.exec(text)?.[1] ?? '';
      assert.match(text, /^Payment sent, waiting for confirmation \(tx 0x[0-9a-f]{64}\)/, text);
      assert.notEqual(await status.getAttribute('data-kind'), 'error', text);
      assert.doesNotMatch(text, /fail|not accepted|declined/i);
      assert.equal(
        await page.getByRole('button', { name: /^Pay / }).isVisible(),
        false,
        'no second Pay offered',
      );
      assert.equal(await facilitator.paymentState(hash), 'pending', 'the ledger holds the hash as pending');
      await page.screenshot({ path: join(PAYWALL_OUTPUT, 'pending.png'), fullPage: true });
    } finally {
      facilitator.proxy.heal();
    }

    const content = page.locator('#x402-content');
    await content.waitFor({ state: 'visible', timeout: 30_000 });
    assert.deepEqual(JSON.parse((await content.textContent()) ?? ''), WEATHER);
    assert.equal(await page.locator('#x402-receipt').getAttribute('data-transaction'), hash);
    assert.match((await page.locator('#x402-status').textContent()) ?? '', /^Paid/);
    await page.screenshot({ path: join(PAYWALL_OUTPUT, 'pending-paid.png'), fullPage: true });

    const signs = calls.filter((c) => c.method === 'eth_signTypedData_v4');
    assert.equal(signs.length, 1, 'one signature requested from the wallet');
    const seen = await Promise.all(paid.map((p) => p.status));
    assert.ok(paid.length >= 2, `the payment was sent again after the pending answer: ${seen.join(', ')}`);
    assert.equal(new Set(paid.map((p) => p.signature)).size, 1, 'the same payment header every time');
    assert.equal(seen[0], 202, `first told pending: ${seen.join(', ')}`);
    assert.equal(seen.at(-1), 200, `ends with the answer: ${seen.join(', ')}`);
    assert.ok(!seen.includes(402), `never refused: ${seen.join(', ')}`);
    await assertPaidOnce(route(), start, hash, PRICE);
    await page.close();
  });
});
