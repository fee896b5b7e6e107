/**
 * The browser paywall: the HTML page a browser gets instead of the JSON 402 when it opens a paid
 * URL. The price, network, payee and resource are rendered on the server (readable without
 * script); the inline script (`paywall-script.ts`, allowed by a per-response CSP nonce) pays
 * with the injected EIP-1193 wallet and shows the content. No external fonts, scripts or styles.
 */
import { evmChainId, findAsset, formatUnits, getNetwork, type PaymentRequired } from '@x402kit/core';
import { PAYWALL_SCRIPT } from './paywall-script.js';

/** The `paywall` option of `createPaymentHandler`. */
export type PaywallOptions = {
  /** Shown at the top of the page and in its title. */
  appName?: string;
  /** Logo URL (`https:`, `http:`, `data:image/…` or a same-origin path), shown beside the name. */
  appLogo?: string;
  /** Answer browsers with the JSON 402 like every other client (default false). */
  disabled?: boolean;
};

/** One offer as the page shows it. */
type OfferView = {
  price: string;
  networkName: string;
  /** Set when the browser script can pay this offer (EVM `exact` with EIP-3009). */
  chainId?: number;
};

/**
 * Whether a request should get the paywall page: a browser navigation (`Accept` names
 * `text/html`) that carries no payment.
 *
 * @example
 * wantsPaywall('text/html,application/xhtml+xml,*\/*;q=0.8') // true
 * wantsPaywall('application/json') // false
 */
export function wantsPaywall(accept: string | undefined): boolean {
  return accept?.toLowerCase().includes('text/html') === true;
}

/**
 * The paywall page for one unpaid request, and the Content-Security-Policy that goes with it
 * (scripts only with `nonce`, connections only to the page's origin).
 *
 * @example
 * const { html, contentSecurityPolicy } = renderPaywallPage(paymentRequired, { appName: 'Weather' }, 'GET', nonce);
 */
export function renderPaywallPage(
  paymentRequired: PaymentRequired,
  options: PaywallOptions,
  method: string,
  nonce: string,
): { html: string; contentSecurityPolicy: string } {
  const offers = paymentRequired.accepts.map(viewOf);
  const resource = paymentRequired.resource;
  const appName = options.appName?.trim() ? options.appName.trim() : undefined;
  const logo = options.appLogo && safeImageUrl(options.appLogo) ? options.appLogo : undefined;
  const what = resource?.description ? resource.description : 'This content';
  const data = jsonForScript({ paymentRequired, offers, method });
  const items = offers
    .map((offer, index) => {
      const accepted = paymentRequired.accepts[index]!;
      const action =
        offer.chainId === undefined
          ? `<p class="note">This offer (${escapeHtml(accepted.scheme)}) is paid with an x402 client, not from the browser.</p>`
          : `<button type="button" data-offer="${index}">Pay ${escapeHtml(offer.price)} with your wallet</button>`;
      return `<li class="offer">
<dl>
<dt>Price</dt><dd class="price" data-testid="price">${escapeHtml(offer.price)}</dd>
<dt>Network</dt><dd>${escapeHtml(offer.networkName)} <span class="muted">(${escapeHtml(accepted.network)})</span></dd>
<dt>Pay to</dt><dd><code>${escapeHtml(accepted.payTo)}</code></dd>
</dl>
${action}
</li>`;
    })
    .join('\n');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Payment required${appName ? ` · ${escapeHtml(appName)}` : ''}</title>
<style>${PAYWALL_STYLE}</style>
</head>
<body>
<main aria-labelledby="x402-title">
${appName || logo ? `<header class="app">${logo ? `<img src="${escapeHtml(logo)}" alt="" width="32" height="32">` : ''}${appName ? `<span>${escapeHtml(appName)}</span>` : ''}</header>` : ''}
<h1 id="x402-title">Payment required</h1>
<p class="resource">${escapeHtml(what)}${resource?.url ? ` <span class="muted">at</span> <code>${escapeHtml(resource.url)}</code>` : ''}</p>
<ul class="offers" id="x402-offers" aria-label="Ways to pay">
${items}
</ul>
<p id="x402-status" role="status" aria-live="polite"></p>
<section id="x402-result" tabindex="-1" hidden aria-label="Your content">
<p id="x402-receipt"></p>
<pre id="x402-content"></pre>
</section>
<noscript><p>Paying from this page needs JavaScript and a browser wallet. Any x402 client can pay this URL too.</p></noscript>
</main>
<script type="application/json" id="x402-paywall-data">${data}</script>
<script nonce="${nonce}">${PAYWALL_SCRIPT}</script>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'self'`,
    "style-src 'self' 'unsafe-inline'",
    'img-src * data:',
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}

/**
 * A fresh CSP nonce: 16 random bytes, base64 (Web Crypto, so every runtime has it).
 *
 * @example `<script nonce="${createNonce()}">`
 */
export function createNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

function viewOf(accepted: PaymentRequired['accepts'][number]): OfferView {
  const network = getNetwork(accepted.network);
  const networkName = network?.name ?? accepted.network;
  const asset = findAsset(accepted.network, accepted.asset);
  const price = asset
    ? `${formatUnits(BigInt(accepted.amount), asset.decimals)} ${asset.symbol}`
    : `${accepted.amount} atomic units of ${tokenName(accepted)}`;
  const chainId = browserPayable(accepted) ? evmChainId(accepted.network) : undefined;
  return { price, networkName, ...(chainId === undefined ? {} : { chainId }) };
}

function tokenName(accepted: PaymentRequired['accepts'][number]): string {
  const name = accepted.extra?.name;
  return typeof name === 'string' && name !== '' ? `${name} (${accepted.asset})` : accepted.asset;
}

/** EVM `exact` paid with an EIP-3009 authorization whose EIP-712 domain the offer names. */
function browserPayable(accepted: PaymentRequired['accepts'][number]): boolean {
  const extra = accepted.extra ?? {};
  return (
    accepted.scheme === 'exact' &&
    evmChainId(accepted.network) !== undefined &&
    (extra.assetTransferMethod === undefined || extra.assetTransferMethod === 'eip3009') &&
    typeof extra.name === 'string' &&
    typeof extra.version === 'string' &&
    /^0x[0-9a-fA-F]{40}$/.test(accepted.asset) &&
    /^0x[0-9a-fA-F]{40}$/.test(accepted.payTo)
  );
}

function safeImageUrl(url: string): boolean {
  return /^(https?:\/\/|\/(?!\/)|data:image\/(png|gif|jpeg|webp|svg\+xml)[;,])/i.test(url);
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON that cannot close its `<script>` element or start a comment inside it. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const PAYWALL_STYLE = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --bg: #f6f8fa; --card: #fff; --line: #d0d7de; --accent: #0a58ca; --error: #b42318; --ok: #116329; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9da7b3; --bg: #0d1117; --card: #161b22; --line: #30363d; --accent: #4c9aff; --error: #ff7b72; --ok: #3fb950; } }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: var(--bg); color: var(--fg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { width: min(36rem, calc(100% - 2rem)); margin: 2rem 0; padding: 1.5rem 2rem; background: var(--card); border: 1px solid var(--line); border-radius: 12px; }
.app { display: flex; align-items: center; gap: .5rem; font-weight: 600; color: var(--muted); }
.app img { border-radius: 6px; }
h1 { font-size: 1.5rem; margin: .5rem 0; }
.muted { color: var(--muted); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .875rem; overflow-wrap: anywhere; }
.offers { list-style: none; padding: 0; margin: 1rem 0; display: grid; gap: 1rem; }
.offer { border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
dt { color: var(--muted); }
dd { margin: 0; }
.price { font-size: 1.25rem; font-weight: 700; }
button { font: inherit; font-weight: 600; padding: .6rem 1.2rem; border: 0; border-radius: 8px; background: var(--accent); color: #fff; cursor: pointer; }
button:disabled { opacity: .6; cursor: progress; }
button:focus-visible, #x402-result:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.note { color: var(--muted); margin: 0; }
#x402-status:empty { display: none; }
#x402-status[data-kind="error"] { color: var(--error); }
#x402-status[data-kind="success"] { color: var(--ok); }
#x402-status { overflow-wrap: anywhere; }
#x402-status[data-kind="pending"] { font-weight: 600; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; white-space: pre-wrap; }
`;
