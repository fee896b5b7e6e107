/**
 * The app's x402 set-up, read once from the environment: the facilitator that verifies and
 * settles, the network, who is paid and the price. One resource-server engine serves every paid
 * route of the app.
 */
import { createHttpFacilitatorClient, createResourceServer } from '@x402kit/core';
import { createExactEvmServer } from '@x402kit/evm';

export const facilitatorUrl = process.env.FACILITATOR_URL ?? 'http://127.0.0.1:4020';
export const network = process.env.X402_NETWORK ?? 'eip155:84532';
export const payTo = process.env.PAY_TO ?? '0x0000000000000000000000000000000000000001';
export const price = process.env.PRICE ?? '$0.001';

export const server = createResourceServer({
  facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
  schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
});

/**
 * What one paid request costs: exact, `price` in the network's default stablecoin, to `payTo`.
 * @type {import('@x402kit/http').RouteConfig}
 */
export const paidRoute = {
  accepts: { scheme: 'exact', network, payTo, price },
  description: 'the weather today',
};

/**
 * Count a run of a paid handler (the free /api/runs route shows the counts).
 * @param {string} name
 */
export function countRun(name) {
  const runs = runsByName();
  runs[name] = (runs[name] ?? 0) + 1;
}

/**
 * Handler runs by name in this process, shared across the app's route bundles.
 * @returns {Record<string, number>}
 */
export function runsByName() {
  globalThis.x402ExampleRuns ??= {};
  return globalThis.x402ExampleRuns;
}
