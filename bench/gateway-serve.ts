/**
 * Child-process entry of the gateway bench: starts one component and prints `{"url": "..."}`.
 * - `upstream`: a plain node:http API (`GET /data`, a small JSON body; `GET /free`), knowing nothing of x402;
 * - `gateway`: `@x402kit/http/gateway` in front of it (`GET /data` paid, the rest proxied free);
 * - `official`: Express with the official `@x402/express` `paymentMiddleware` (an `@x402/evm` exact
 *   server scheme) and a node:http forwarder to the same upstream, the way one would put the
 *   official middleware in front of an API it does not own.
 */
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';

type Config = { upstream: string; facilitatorUrl: string; payTo: string; network: string };

const [kind, json] = process.argv.slice(2);
const config = JSON.parse(json ?? '{}') as Config;
const BODY = JSON.stringify({ report: { weather: 'sunny', temperature: 70, city: 'Paris' } });

async function start(): Promise<string> {
  switch (kind) {
    case 'upstream':
      return startUpstream();
    case 'gateway':
      return startGateway();
    case 'official':
      return startOfficial();
    default:
      throw new Error(`unknown component ${kind}`);
  }
}

async function startUpstream(): Promise<string> {
  const { createServer } = await import('node:http');
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(BODY);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function route() {
  return { scheme: 'exact', network: config.network, payTo: config.payTo, price: '$0.001' };
}

async function startGateway(): Promise<string> {
  const { createExactEvmServer } = await import('@x402kit/evm');
  const { createGateway } = await import('@x402kit/http/gateway');
  const { listen } = await import('@x402kit/http/node');
  const gateway = createGateway({
    config: {
      upstream: config.upstream,
      facilitator: { url: config.facilitatorUrl },
      routes: { 'GET /data': { accepts: route(), description: 'data' } },
    },
    schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
  });
  return (await listen(gateway.listener)).url;
}

async function startOfficial(): Promise<string> {
  const { HTTPFacilitatorClient, x402ResourceServer } = await import('@x402/core/server');
  const { ExactEvmScheme } = await import('@x402/evm/exact/server');
  const { paymentMiddleware } = await import('@x402/express');
  const { default: express } = await import('express');
  const { listenLocal } = await import('@x402kit/testing/listen');
  const network = config.network as `${string}:${string}`;
  const server = new x402ResourceServer(new HTTPFacilitatorClient({ url: config.facilitatorUrl })).register(
    network,
    new ExactEvmScheme(),
  );
  const target = new URL(config.upstream);
  const agent = new Agent({ keepAlive: true });
  const app = express();
  app.use(
    paymentMiddleware({ 'GET /data': { accepts: { ...route(), network }, description: 'data' } }, server),
  );
  app.use((req, res) => {
    const headers = { ...req.headers, host: target.host };
    const upstream = request(
      { agent, host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.statusCode = 502;
      res.end();
    });
    req.pipe(upstream);
  });
  return (await listenLocal(app)).url;
}

process.stdout.write(`${JSON.stringify({ url: await start() })}\n`);
