/**
 * The browser paywall in a real browser: Debian's Chromium (driven by playwright-core) opens a paid
 * URL of our Express middleware, sees the price, pays with an injected EIP-1193 wallet that signs
 * with a devnet key in Node (viem), and sees the content; the payment is checked on the devnet
 * chain through our facilitator. Screenshots before and after paying go to test-output/paywall/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodePaymentRequiredHeader } from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import type { Running } from '@x402kit/testing/listen';
import { startOurFacilitator, startOurPaidApi } from '@x402kit/testing/ours';
import type { BrowserContext } from 'playwright-core';
import type { Hex } from 'viem';
import {
  injectWallet,
  launchChromium,
  PAYWALL_OUTPUT as OUTPUT,
  settled,
  type WalletCall,
} from './paywall-browser.js';

const WEATHER = { report: { weather: 'sunny', temperature: 70 } };
const ARTICLE =
  '<!doctype html><html><head><title>The paid article</title></head><body><h1>The paid article</h1><p>Worth every cent.</p></body></html>';

let devnet: Devnet;
let facilitator: Running;
let api: Running;
let context: BrowserContext;
let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);

describe('browser paywall in headless Chromium', () => {
  before(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    devnet = await startDevnet({ port: 0 });
    facilitator = await startOurFacilitator({
      rpcUrl: devnet.rpcUrl,
      network: devnet.network,
      privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
    });
    const accepts = { scheme: 'exact', network: devnet.network, payTo: devnet.accounts.payTo.address };
    api = await startOurPaidApi({
      facilitatorUrl: facilitator.url,
      routes: {
        'GET /weather': { accepts: { ...accepts, price: '$0.001' }, description: 'Weather report' },
        'GET /article': { accepts: { ...accepts, price: '$0.002' }, description: 'An article' },
      },
      options: { paywall: { appName: 'Weather Co' } },
      serve(app) {
        app.get('/weather', (_req, res) => void res.json(WEATHER));
        app.get('/article', (_req, res) => void res.type('html').send(ARTICLE));
      },
    });
    browser = await launchChromium();
    context = browser.context;
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    await facilitator?.close();
    await devnet?.stop();
  });

  it('API clients get the v2 JSON 402, not the page', async () => {
    for (const accept of ['application/json', '*/*', undefined]) {
      const res = await fetch(`${api.url}/weather`, accept ? { headers: { Accept: accept } } : {});
      assert.equal(res.status, 402);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/);
      const pr = decodePaymentRequiredHeader(res.headers.get('payment-required') ?? '');
      assert.equal(pr.x402Version, 2);
      await res.body?.cancel();
    }
  });

  it('shows the price, pays with the injected wallet and shows the JSON content with its receipt', async () => {
    const page = await context.newPage();
    const calls: WalletCall[] = [];
    await injectWallet(page, devnet.accounts.payer.privateKey as Hex, calls);
    const payer = devnet.accounts.payer.address;
    const payTo = devnet.accounts.payTo.address;
    const [p0, t0] = [await balance(payer), await balance(payTo)];

    const response = await page.goto(`${api.url}/weather`);
    assert.equal(response?.status(), 402);
    assert.match((await response?.headerValue('content-type')) ?? '', /text\/html/);
    assert.match((await response?.headerValue('content-security-policy')) ?? '', /script-src 'nonce-/);
    assert.equal(await page.getByTestId('price').textContent(), '0.001 USDC');
    const body = (await page.locator('main').textContent()) ?? '';
    assert.match(body, /Payment required/);
    assert.match(body, /Weather report/);
    assert.match(body, /Weather Co/);
    assert.match(body, /Base Sepolia/);
    assert.ok(body.includes(payTo), 'shows payTo');
    await page.screenshot({ path: join(OUTPUT, 'unpaid.png'), fullPage: true });

    await page.getByRole('button', { name: 'Pay 0.001 USDC with your wallet' }).click();
    await settled(page);
    const content = page.locator('#x402-content');
    assert.equal(await content.isVisible(), true);
    assert.deepEqual(JSON.parse((await content.textContent()) ?? ''), WEATHER);
    const transaction = await page.locator('#x402-receipt').getAttribute('data-transaction');
    assert.match(transaction ?? '', /^0x[0-9a-f]{64}$/);
    assert.match((await page.locator('#x402-status').textContent()) ?? '', /Paid/);
    assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'Paid');
    assert.equal(await page.getByRole('button', { name: /^Pay / }).isVisible(), false);
    await page.screenshot({ path: join(OUTPUT, 'paid.png'), fullPage: true });

    assert.deepEqual(
      calls.map((c) => c.method),
      ['eth_requestAccounts', 'eth_chainId', 'wallet_switchEthereumChain', 'eth_signTypedData_v4'],
    );
    assert.deepEqual(calls[2]?.params, [{ chainId: `0x${devnet.chainId.toString(16)}` }]);
    assert.equal(await balance(payer), p0 - 1000n, 'the payer paid exactly the price');
    assert.equal(await balance(payTo), t0 + 1000n, 'the seller got exactly the price');
    await page.close();
  });

  it('an HTML answer replaces the page', async () => {
    const page = await context.newPage();
    await injectWallet(page, devnet.accounts.payer.privateKey as Hex, []);
    const payTo = devnet.accounts.payTo.address;
    const t0 = await balance(payTo);
    await page.goto(`${api.url}/article`);
    assert.equal(await page.getByTestId('price').textContent(), '0.002 USDC');
    await page.getByRole('button', { name: /^Pay 0\.002 USDC/ }).click();
    await settled(page);
    await page.getByRole('heading', { name: 'The paid article' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.title(), 'The paid article');
    await page.screenshot({ path: join(OUTPUT, 'paid-article.png'), fullPage: true });
    assert.equal(await balance(payTo), t0 + 2000n);
    await page.close();
  });

  it('without a wallet the page says so and nothing is paid', async () => {
    const page = await context.newPage();
    await page.goto(`${api.url}/weather`);
    assert.match((await page.locator('#x402-status').textContent()) ?? '', /No browser wallet/);
    await page.getByRole('button', { name: /^Pay / }).click();
    assert.match((await page.locator('#x402-status').textContent()) ?? '', /No browser wallet found/);
    assert.equal(await page.locator('#x402-result').isHidden(), true);
    await page.close();
  });
});
