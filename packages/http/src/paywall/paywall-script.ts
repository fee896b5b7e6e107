/**
 * The paywall page's script, as plain modern JavaScript with no dependencies: the page embeds it
 * inline (under a per-response CSP nonce), so no bundler, CDN or asset route is involved. It
 * assembles JSON only; hashing and signing are the wallet's (`eth_signTypedData_v4`).
 *
 * What it does on "Pay": `eth_requestAccounts`, `eth_chainId` (and `wallet_switchEthereumChain`
 * when the wallet is on another chain), signs the EIP-3009 `TransferWithAuthorization` exactly as
 * `signExactEvmAuthorization` of `@x402kit/evm` builds it (domain `{name, version}` from the
 * offer's `extra`, the token as `verifyingContract`, lower-cased addresses in the signed message,
 * `validAfter` = now - 600, `validBefore` = now + `maxTimeoutSeconds`, a random 32-byte nonce),
 * then repeats the request with `PAYMENT-SIGNATURE` = base64(JSON v2 PaymentPayload), echoing the
 * 402's `resource`, the chosen offer and its extensions (with a fresh `payment-identifier` id when
 * the route declares one). A 202 (settlement pending) is presented again after `Retry-After`.
 * An HTML answer replaces the page; anything else is shown as text, with the receipt's transaction.
 */
import { TRANSFER_WITH_AUTHORIZATION_TYPES } from '@x402kit/core/internal';

export const PAYWALL_SCRIPT = `(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('x402-paywall-data').textContent);
  const paymentRequired = data.paymentRequired;
  const status = document.getElementById('x402-status');
  const result = document.getElementById('x402-result');
  const receiptLine = document.getElementById('x402-receipt');
  const content = document.getElementById('x402-content');
  const buttons = Array.from(document.querySelectorAll('button[data-offer]'));
  const EIP712_DOMAIN = [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ];
  const TRANSFER_WITH_AUTHORIZATION = ${JSON.stringify(TRANSFER_WITH_AUTHORIZATION_TYPES.TransferWithAuthorization)};
  const MAX_PENDING_RETRIES = 10;

  const say = (text, kind) => {
    status.textContent = text;
    status.dataset.kind = kind || 'info';
  };
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const randomHex = (size) => hex(crypto.getRandomValues(new Uint8Array(size)));
  const toBase64 = (text) => {
    let binary = '';
    for (const b of new TextEncoder().encode(text)) binary += String.fromCharCode(b);
    return btoa(binary);
  };
  const fromBase64Json = (value) => {
    try {
      const bytes = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return undefined;
    }
  };
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const messageOf = (error) => {
    if (error && error.code === 4001) return 'You declined the request in your wallet; nothing was paid.';
    if (error && error.code === 4902) return 'Your wallet does not know this network; add it to your wallet and try again.';
    return (error && error.message) || String(error);
  };

  function withPaymentId(extensions) {
    const declared = extensions && extensions['payment-identifier'];
    if (!declared || typeof declared !== 'object') return extensions;
    const info = declared.info && typeof declared.info === 'object' ? declared.info : {};
    const id = 'pay_' + randomHex(16);
    return { ...extensions, 'payment-identifier': { ...declared, info: { ...info, required: info.required === true, id } } };
  }

  async function signExactEvm(offer, accepted) {
    const wallet = window.ethereum;
    if (!wallet || typeof wallet.request !== 'function') {
      throw new Error('No browser wallet found. Install an Ethereum wallet (for example MetaMask) and reload this page.');
    }
    say('Connecting to your wallet…');
    const accounts = await wallet.request({ method: 'eth_requestAccounts' });
    const from = Array.isArray(accounts) ? accounts[0] : undefined;
    if (typeof from !== 'string') throw new Error('Your wallet shared no account.');
    const chainId = offer.chainId;
    const current = Number(await wallet.request({ method: 'eth_chainId' }));
    if (current !== chainId) {
      say('Switching your wallet to ' + offer.networkName + '…');
      await wallet.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: '0x' + chainId.toString(16) }] });
    }
    const now = Math.floor(Date.now() / 1000);
    const authorization = {
      from,
      to: accepted.payTo,
      value: accepted.amount,
      validAfter: String(now - 600),
      validBefore: String(now + accepted.maxTimeoutSeconds),
      nonce: '0x' + randomHex(32),
    };
    const typedData = {
      types: { EIP712Domain: EIP712_DOMAIN, TransferWithAuthorization: TRANSFER_WITH_AUTHORIZATION },
      primaryType: 'TransferWithAuthorization',
      domain: {
        name: accepted.extra.name,
        version: accepted.extra.version,
        chainId,
        verifyingContract: accepted.asset.toLowerCase(),
      },
      message: { ...authorization, from: from.toLowerCase(), to: accepted.payTo.toLowerCase() },
    };
    say('Confirm the payment of ' + offer.price + ' in your wallet…');
    const signature = await wallet.request({ method: 'eth_signTypedData_v4', params: [from, JSON.stringify(typedData)] });
    return { signature, authorization };
  }

  async function present(header) {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(location.href, {
        method: data.method,
        headers: { 'PAYMENT-SIGNATURE': header, Accept: 'text/html, application/json;q=0.9, */*;q=0.8' },
        cache: 'no-store',
        credentials: 'same-origin',
      });
      if (response.status !== 202 || attempt >= MAX_PENDING_RETRIES) return response;
      const seconds = Number(response.headers.get('Retry-After')) || 2;
      say('The payment is being confirmed on chain; checking again in ' + seconds + ' s…');
      await sleep(seconds * 1000);
    }
  }

  async function show(response, offer) {
    const receipt = fromBase64Json(response.headers.get('PAYMENT-RESPONSE') || '');
    const required = fromBase64Json(response.headers.get('PAYMENT-REQUIRED') || '');
    if (response.status === 402 || response.status === 412 || response.status === 409) {
      const reason = (receipt && receipt.errorReason) || (required && required.error) || 'HTTP ' + response.status;
      say('The payment was not accepted (' + reason + '). Nothing was charged unless a transaction is shown.', 'error');
      return;
    }
    if (response.status === 202) {
      say('The payment is still being confirmed; reload this page later.', 'error');
      return;
    }
    const type = response.headers.get('Content-Type') || '';
    const text = await response.text();
    if (response.ok && type.includes('text/html')) {
      document.open();
      document.write(text);
      document.close();
      return;
    }
    if (receipt && receipt.transaction) {
      const hash = document.createElement('code');
      hash.textContent = receipt.transaction;
      receiptLine.replaceChildren('Paid ' + offer.price + ' on ' + offer.networkName + '. Transaction ', hash);
      receiptLine.dataset.transaction = receipt.transaction;
    }
    if (response.ok) {
      document.getElementById('x402-title').textContent = receipt && receipt.success ? 'Paid' : 'Your content';
      document.getElementById('x402-offers').hidden = true;
    }
    let shown = text;
    if (type.includes('json')) {
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {}
    }
    content.textContent = shown;
    result.hidden = false;
    if (response.ok) say(receipt && receipt.success ? 'Paid: here is your content.' : 'Here is your content.', 'success');
    else say('The server answered ' + response.status + '; nothing was charged.', 'error');
    result.focus();
  }

  async function pay(index) {
    const offer = data.offers[index];
    const accepted = paymentRequired.accepts[index];
    for (const b of buttons) b.disabled = true;
    try {
      const signed = await signExactEvm(offer, accepted);
      const payload = { x402Version: 2, resource: paymentRequired.resource, accepted, payload: signed };
      const extensions = withPaymentId(paymentRequired.extensions);
      if (extensions) payload.extensions = extensions;
      say('Paying…');
      await show(await present(toBase64(JSON.stringify(payload))), offer);
    } catch (error) {
      say(messageOf(error), 'error');
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }

  for (const button of buttons) {
    button.addEventListener('click', () => void pay(Number(button.dataset.offer)));
  }
  if (buttons.length > 0 && !window.ethereum) {
    say('No browser wallet detected: install an Ethereum wallet to pay here, or use an x402 client.', 'info');
  }
})();
`;
