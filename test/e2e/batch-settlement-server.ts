/**
 * One resource-server instance of the batch-settlement end-to-end tests, run as its own process with
 * `spawnScript`: our Express or Hono middleware + createBatchSettlementEvmServer over the SHARED
 * PostgreSQL channel store, backed by an `x402kit facilitator` process. `GET /weather` costs the price (the route's
 * maxTimeoutSeconds from the spec), `GET /slow-weather` the same with a 120 s window. Each handler run
 * appends one JSON line (instance, channelId, maxClaimableAmount of the voucher it was paid by) to the
 * executions file before answering. When the hold file exists, the first request to take it (it is
 * deleted) appends `held: true` and never answers: the test kills this process meanwhile.
 *
 * Argument: the JSON of a {@link BatchServerSpec}. Prints `Batch server listening on <url>` when ready.
 */
import { appendFileSync, unlinkSync } from 'node:fs';
import { serve } from '@hono/node-server';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  decodePaymentSignatureHeader,
} from '@x402kit/core';
import { createBatchSettlementEvmServer } from '@x402kit/evm/batch-settlement';
import { createPostgresChannelStore } from '@x402kit/evm/batch-settlement/postgres';
import type { RoutesConfig } from '@x402kit/http';
import { paymentMiddleware as expressPayments } from '@x402kit/http/express';
import { paymentMiddleware as honoPayments } from '@x402kit/http/hono';
import express from 'express';
import { Hono } from 'hono';

/** What one server instance serves, and where it records. */
export type BatchServerSpec = {
  name: string;
  framework: 'express' | 'hono';
  facilitatorUrl: string;
  network: string;
  payTo: string;
  price: string;
  maxTimeoutSeconds: number;
  postgres: { url: string; schema: string };
  executionsFile: string;
  holdFile: string;
};

/** One line of the executions file. */
export type HandlerExecution = { instance: string; channelId: string; max: string; held?: true };

function voucherOf(header: string | undefined): { channelId: string; max: string } {
  if (!header) return { channelId: '', max: '' };
  const payload = decodePaymentSignatureHeader(header).payload as {
    voucher?: { channelId?: string; maxClaimableAmount?: string };
  };
  return {
    channelId: String(payload.voucher?.channelId ?? '').toLowerCase(),
    max: String(payload.voucher?.maxClaimableAmount ?? ''),
  };
}

/** True for exactly one caller while the hold file exists. */
function takeHold(file: string): boolean {
  try {
    unlinkSync(file);
    return true;
  } catch {
    return false;
  }
}

async function main(spec: BatchServerSpec): Promise<void> {
  const store = createPostgresChannelStore({ url: spec.postgres.url, schema: spec.postgres.schema });
  await store.list(); // the table exists before the first request
  const scheme = createBatchSettlementEvmServer({ store });
  const server = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: spec.facilitatorUrl }),
    schemes: [{ network: 'eip155:*', server: scheme }],
  });
  await server.initialize();
  const accepts = (maxTimeoutSeconds: number) => ({
    scheme: 'batch-settlement',
    network: spec.network,
    payTo: spec.payTo,
    price: spec.price,
    maxTimeoutSeconds,
  });
  const routes: RoutesConfig = {
    'GET /weather': { accepts: accepts(spec.maxTimeoutSeconds), description: 'weather' },
    'GET /slow-weather': { accepts: accepts(120), description: 'weather, 120 s window' },
  };
  /** The handler's run: recorded, then the body, or never (held). */
  const run = (header: string | undefined): Promise<unknown> => {
    const execution: HandlerExecution = { instance: spec.name, ...voucherOf(header) };
    if (takeHold(spec.holdFile)) {
      appendFileSync(spec.executionsFile, `${JSON.stringify({ ...execution, held: true })}\n`);
      return new Promise(() => {}); // never answered: the process is killed while this request holds its channel
    }
    appendFileSync(spec.executionsFile, `${JSON.stringify(execution)}\n`);
    return Promise.resolve({ report: { weather: 'sunny' }, instance: spec.name });
  };
  const ready = (port: number) => console.log(`Batch server listening on http://127.0.0.1:${port}`);
  if (spec.framework === 'hono') {
    const app = new Hono();
    app.use(honoPayments(routes, server));
    for (const path of ['/weather', '/slow-weather'])
      app.get(path, async (c) => c.json(await run(c.req.header('payment-signature'))));
    serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => ready(info.port));
  } else {
    const app = express();
    app.use(expressPayments(routes, server));
    for (const path of ['/weather', '/slow-weather'])
      app.get(path, (req, res) => {
        void run(req.header('payment-signature')).then((body) => res.json(body));
      });
    const listening = app.listen(0, '127.0.0.1', () => {
      const address = listening.address();
      ready(typeof address === 'object' && address ? address.port : 0);
    });
  }
}

main(JSON.parse(process.argv[2] ?? '{}') as BatchServerSpec).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
