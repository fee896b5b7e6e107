/**
 * A complete paid API: Express, one paid route (`GET /weather`, $0.001 in USDC) and one free one
 * (`GET /health`), paid through an x402 facilitator.
 *
 *   FACILITATOR_URL=http://127.0.0.1:4022 PAY_TO=0xYourAddress NETWORK=eip155:84532 \
 *     node --conditions=source --import tsx examples/seller-express/server.ts
 *
 * Prints `Seller listening on http://127.0.0.1:4021` when ready. See README.md beside it.
 */
import { createHttpFacilitatorClient, createResourceServer, X402Error } from '@x402kit/core';
import { createExactEvmServer } from '@x402kit/evm';
import { paymentMiddleware } from '@x402kit/http/express';
import express from 'express';

const facilitatorUrl = process.env.FACILITATOR_URL ?? 'http://127.0.0.1:4022';
const payTo = process.env.PAY_TO;
const network = process.env.NETWORK ?? 'eip155:84532';
const price = process.env.PRICE ?? '$0.001';
const port = Number(process.env.PORT ?? 4021);
if (!payTo) {
  console.error('seller: set PAY_TO to the address that receives the payments (0x...)');
  process.exit(2);
}

// The resource server: which facilitator verifies and settles, and which schemes build the offers.
const server = createResourceServer({
  facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
  schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
});

// The price list: route -> how it is paid.
const paid = paymentMiddleware(
  {
    'GET /weather': {
      accepts: { scheme: 'exact', network, payTo, price },
      description: "Today's weather",
      mimeType: 'application/json',
    },
  },
  server,
);

// Fail fast: the facilitator must be up and support every route's scheme and network.
try {
  await paid.ready();
} catch (error) {
  const reason = error instanceof X402Error ? ` [${error.reason}]` : '';
  console.error(`seller: ${error instanceof Error ? error.message : String(error)}${reason}`);
  process.exit(1);
}

const app = express();
app.use(paid);
app.get('/weather', (_req, res) => {
  res.json({ city: 'Lisbon', weather: 'sunny', temperatureC: 21 });
});
app.get('/health', (_req, res) => {
  res.json({ status: 'ok' });
});

const listener = app.listen(port, '127.0.0.1', () => {
  const address = listener.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  console.log(`Seller listening on http://127.0.0.1:${bound} (GET /weather costs ${price} on ${network})`);
});
listener.on('error', (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === 'EADDRINUSE'
      ? `seller: port ${port} is already in use: set PORT to another port (PORT=0 picks a free one)`
      : `seller: cannot listen: ${error.message}`,
  );
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => listener.close(() => process.exit(0)));
