/**
 * Buy from a paid API with x402kit's paying `fetch`: request the URL, pay its 402 once (exact on
 * an EVM network, never more than MAX_AMOUNT), print the answer and the settlement.
 *
 *   PRIVATE_KEY=0x... node --conditions=source --import tsx examples/buyer-fetch/buy.ts http://127.0.0.1:4021/weather
 *
 * Prints one JSON line: {"status","body","paid","transaction","network","payer"}. Says `paid: true`
 * only when the server's PAYMENT-RESPONSE reports a settlement; exits 1 otherwise.
 */
import { createX402Client, maxAmountPolicy } from '@x402kit/core';
import { createExactEvmClient } from '@x402kit/evm';
import { getPaymentResponse, wrapFetchWithPayment } from '@x402kit/http';
import { privateKeyToAccount } from 'viem/accounts';

const url = process.argv[2] ?? process.env.URL ?? 'http://127.0.0.1:4021/weather';
const key = process.env.PRIVATE_KEY;
if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) {
  console.error(
    'buyer: set PRIVATE_KEY to the payer key (0x + 64 hex digits; `npx x402kit devnet` prints some)',
  );
  process.exit(2);
}
const account = privateKeyToAccount(key as `0x${string}`);

const client = createX402Client({
  schemes: [{ network: 'eip155:*', client: createExactEvmClient({ signer: account }) }],
  policies: [maxAmountPolicy(process.env.MAX_AMOUNT ?? '0.01')], // never more than 0.01 USDC per request
});
const pay = wrapFetchWithPayment(fetch, client);

const response = await pay(url);
const text = await response.text();
let body: unknown = text;
try {
  body = JSON.parse(text);
} catch {
  // not JSON: keep the text
}
const settlement = getPaymentResponse(response);
console.log(
  JSON.stringify({
    status: response.status,
    body,
    paid: settlement?.success === true,
    transaction: settlement?.transaction || null,
    network: settlement?.network ?? null,
    payer: account.address,
  }),
);
process.exitCode = response.ok && settlement?.success === true ? 0 : 1;
