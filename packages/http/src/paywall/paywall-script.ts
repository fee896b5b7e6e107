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
 * the route declares one). A 202 (settlement pending: the money may have moved) hides the offers,
 * says "Payment sent, waiting for confirmation (tx <hash>)" and presents the SAME header again
 * after `Retry-After` (bounded, then a "Check again" button); it never signs a second payment.
 * An HTML answer replaces the page; anything else is shown as text, with the receipt's transaction.
 */
import { EIP712_DOMAIN_TYPES, TRANSFER_WITH_AUTHORIZATION_TYPES } from '@x402kit/core/internal';

export const PAYWALL_SCRIPT = `(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('x402-paywall-data').textContent);
  const paymentRequired = data.paymentRequired;
  const status = document.getElementById('x402-status');
  const result = document.getElementById('x402-result');
  const receiptLine = document.getElementById('x402-receipt');
  const content = document.getElementById('x402-content');
  const offersList = document.getElementById('x402-offers');
  const buttons = Array.from(document.querySelectorAll('button[data-offer]'));
  const EIP712_DOMAIN = ${JSON.stringify(EIP712_DOMAIN_TYPES.EIP712Domain)};
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

  const pendingHash = (response) => {
    const receipt = fromBase64Json(response.headers.get('PAYMENT-RESPONSE') || '');
    return receipt && typeof receipt.transaction === 'string' ? receipt.transaction : '';
  };
  const sentLine = (hash) => 'Payment sent, waiting for confirmation' + (hash ? ' (tx ' + hash + ')' : '') + '.';

  // A 202 means the money may have moved: never offer to pay again; re-send the same header
  async function present(header) {
    for (let attempt = 0; ; attempt++) {
      const response = await fetch(location.href, {
        method: data.method,
        headers: { 'PAYMENT-SIGNATURE': header, Accept: 'text/html, application/json;q=0.9, */*;q=0.8' },
        cache: 'no-store',
        credentials: 'same-origin',
      });
      if (response.status !== 202) return response;
      const hash = pendingHash(response);
      offersList.hidden = true;
      if (hash) status.dataset.transaction = hash;
      if (attempt >= MAX_PENDING_RETRIES) return response;
      const seconds = Math.min(Math.max(Number(response.headers.get('Retry-After')) || 2, 1), 60);
      say(sentLine(hash) + ' Checking again in ' + seconds + ' s…', 'pending');
      await sleep(seconds * 1000);
    }
  }

  function offerCheckAgain(header, offer, hash) {
    say(sentLine(hash) + ' It is taking longer than usual; do not pay again.', 'pending');
    const again = document.createElement('button');
    again.type = 'button';
    again.textContent = 'Check again';
    again.addEventListener('click', async () => {
      again.remove();
      say(sentLine(hash) + ' Checking…', 'pending');
      try {
        await show(await present(header), offer, header);
      } catch (error) {
        say(sentLine(hash) + ' ' + messageOf(error), 'pending');
        offerCheckAgain(header, offer, hash);
      }
    });
    status.after(again);
  }

  async function show(response, offer, header) {
    const receipt = fromBase64Json(response.headers.get('PAYMENT-RESPONSE') || '');
    const required = fromBase64Json(response.headers.get('PAYMENT-REQUIRED') || '');
    if (response.status === 202) {
      offerCheckAgain(header, offer, pendingHash(response));
      return;
    }
    if (response.status === 402 || response.status === 412 || response.status === 409) {
      const reason = (receipt && receipt.errorReason) || (required && required.error) || 'HTTP ' + response.status;
      const paid = (receipt && receipt.transaction) || status.dataset.transaction;
      say(
        paid
          ? 'The payment was sent (tx ' + paid + ') but the server did not serve the content (' + reason + '). Do not pay again; contact the seller with the transaction.'
          : 'The payment was not accepted (' + reason + '). Nothing was charged.',
        'error',
      );
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
      offersList.hidden = true;
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
    let header;
    for (const b of buttons) b.disabled = true;
    try {
      const signed = await signExactEvm(offer, accepted);
      const payload = { x402Version: 2, resource: paymentRequired.resource, accepted, payload: signed };
      const extensions = withPaymentId(paymentRequired.extensions);
      if (extensions) payload.extensions = extensions;
      say('Paying…');
      header = toBase64(JSON.stringify(payload));
      await show(await present(header), offer, header);
    } catch (error) {
      const hash = status.dataset.transaction;
      if (hash && header) offerCheckAgain(header, offer, hash);
      else say(messageOf(error), 'error');
    } finally {
      for (const b of buttons) b.disabled = offersList.hidden;
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
