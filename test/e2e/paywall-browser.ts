/**
 * What the browser paywall tests share: Debian's Chromium driven by playwright-core, and an
 * EIP-1193 wallet injected into the page that signs with a devnet key in Node (viem).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Hex, TypedData, TypedDataDefinition } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const CHROMIUM = '/usr/bin/chromium';

/** Where the paywall tests write their screenshots. */
export const PAYWALL_OUTPUT = join(import.meta.dirname, '..', '..', 'test-output', 'paywall');

/** One request the page made of the wallet. */
export type WalletCall = { method: string; params: unknown[] };

/** Headless Chromium with a fresh profile; `close` removes the profile too. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  const userDataDir = mkdtempSync(join(tmpdir(), 'x402kit-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 900, height: 760 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An EIP-1193 wallet for the page: `window.ethereum.request` calls into Node, where the devnet payer
 * signs with viem. It starts on chain 1, so the page must switch it to the devnet's chain.
 */
export async function injectWallet(page: Page, key: Hex, calls: WalletCall[]): Promise<void> {
  const account = privateKeyToAccount(key);
  let chainId = 1;
  await page.exposeFunction('x402TestWallet', async (method: string, params: unknown[]) => {
    calls.push({ method, params });
    switch (method) {
      case 'eth_requestAccounts':
      case 'eth_accounts':
        return [account.address.toLowerCase()];
      case 'eth_chainId':
        return `0x${chainId.toString(16)}`;
      case 'wallet_switchEthereumChain': {
        const [{ chainId: wanted }] = params as [{ chainId: string }];
        chainId = Number(wanted);
        return null;
      }
      case 'eth_signTypedData_v4': {
        const [from, json] = params as [string, string];
        assert.equal(from.toLowerCase(), account.address.toLowerCase(), 'signs for the shared account');
        return account.signTypedData(walletTypedData(JSON.parse(json)));
      }
      default:
        throw Object.assign(new Error(`unsupported method ${method}`), { code: 4200 });
    }
  });
  // a string, not a function: tsx would compile a function with helpers the page does not have
  await page.addInitScript(`window.ethereum = {
    request: ({ method, params }) => window.x402TestWallet(method, params || []),
  };`);
}

/** What a wallet does with `eth_signTypedData_v4` JSON: uint fields become numbers, EIP712Domain is implied. */
function walletTypedData(json: {
  types: TypedData;
  primaryType: string;
  domain: Record<string, unknown>;
  message: Record<string, unknown>;
}): TypedDataDefinition<TypedData, string> {
  const { EIP712Domain: _domainType, ...types } = json.types;
  const fields = types[json.primaryType] ?? [];
  const message = Object.fromEntries(
    Object.entries(json.message).map(([name, value]) => {
      const type = fields.find((f) => f.name === name)?.type ?? '';
      return [name, type.startsWith('uint') ? BigInt(String(value)) : value];
    }),
  );
  const { name, version, verifyingContract } = json.domain;
  assert.ok(typeof name === 'string' && typeof version === 'string' && typeof verifyingContract === 'string');
  return {
    domain: {
      name,
      version,
      chainId: Number(json.domain.chainId),
      verifyingContract: verifyingContract as Hex,
    },
    types,
    primaryType: json.primaryType,
    message,
  };
}

/** Waits until the page reports an outcome (content shown, or an error), then fails with its message on error. */
export async function settled(page: Page, timeout = 60_000): Promise<void> {
  // a function (the page's CSP forbids evaluating strings); no named inner functions, so tsx adds no helpers
  await page.waitForFunction(
    () =>
      !document.getElementById('x402-result')?.hidden ||
      document.getElementById('x402-status')?.dataset.kind === 'error',
    undefined,
    { timeout },
  );
  const status = page.locator('#x402-status');
  if ((await status.count()) > 0) {
    assert.notEqual(await status.getAttribute('data-kind'), 'error', (await status.textContent()) ?? '');
  }
}
