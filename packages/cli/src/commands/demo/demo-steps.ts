/**
 * The steps every demo narrates the same way, whatever the chain: serve the paid weather API; ask for
 * the resource without paying and show the 402's offers; what the facilitator answered to verify and
 * settle; pay and show the API's answer.
 */
import {
  type ClientHooks,
  createX402Client,
  decodePaymentRequiredHeader,
  type PaymentRequirements,
  type ResourceServer,
  type ResourceServerHooks,
  type SchemeClient,
  type SettleResponse,
} from '@x402kit/core';
import {
  createPaymentHandler,
  getPaymentResponse,
  type RouteConfig,
  wrapFetchWithPayment,
} from '@x402kit/http';
import { type Served, serve } from '@x402kit/http/node';

/** How a demo says one line of its narration (a blank line without one). */
export type Say = (line?: string) => void;

/** What a demo started, stopped in reverse order when it ends. */
export type Stops = Array<() => Promise<void> | void>;

/**
 * Run one demo: its title and a blank line on `out`, then `body` with `say` (one line on `out`) and
 * `stops`, onto which the body pushes how to stop what it starts; whatever happens, every stop runs, last
 * first. Resolves with the body's exit code.
 *
 * @example return narrate(out, 'x402kit demo: one paid API call', async (say, stops) => ExitCode.ok)
 */
export async function narrate(
  out: (text: string) => void,
  title: string,
  body: (say: Say, stops: Stops) => Promise<number>,
): Promise<number> {
  const say: Say = (line = '') => out(`${line}\n`);
  const stops: Stops = [];
  try {
    say(title);
    say();
    return await body(say, stops);
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/**
 * The demos' paid API on 127.0.0.1: `GET /weather` (Lisbon's weather as JSON) behind `accepts` on
 * `server`, its closing pushed on `stops`. `answer` may touch the response before it is paid for
 * (the upto demo's settlement overrides).
 *
 * @example const api = await serveWeatherApi(resourceServer, { scheme: 'exact', network, payTo, price: '$0.01' }, stops)
 */
export async function serveWeatherApi(
  server: ResourceServer,
  accepts: RouteConfig['accepts'],
  stops: Stops,
  answer: (response: Response) => void = () => {},
): Promise<Served> {
  const payments = createPaymentHandler({
    routes: { 'GET /weather': { accepts, description: 'Weather report', mimeType: 'application/json' } },
    server,
  });
  const app = async () => {
    const response = Response.json({ city: 'Lisbon', weather: 'sunny', temperatureC: 21 });
    answer(response);
    return response;
  };
  const api = await serve((request) => payments.handle(request, app));
  stops.push(() => api.close());
  return api;
}

/**
 * Step `step`: `GET url` without paying; prints the 402's offers, each as `describe` spells it, and
 * returns them.
 *
 * @example const accepts = await showOffers(say, 4, `${api.url}/weather`, (r) => describeOffer(r, 6))
 */
export async function showOffers(
  say: Say,
  step: number,
  url: string,
  describe: (offer: PaymentRequirements) => string,
): Promise<PaymentRequirements[]> {
  say(`${step}. Client: GET ${url} without paying`);
  const unpaid = await fetch(url);
  await unpaid.arrayBuffer();
  const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
  say(`   the API answered ${unpaid.status} Payment Required; its PAYMENT-REQUIRED header offers:`);
  const accepts = required.x402Version === 2 ? required.accepts : [];
  for (const offer of accepts) say(`   - ${describe(offer)}`);
  return accepts;
}

/** Who pays in a demo: `clients` on `network`, `afterPayment` saying what was signed. */
export type DemoPayment = {
  network: string;
  clients: SchemeClient[];
  afterPayment: NonNullable<ClientHooks['afterPayment']>;
};

/**
 * `GET url` with a fetch paying as `payment` says; prints the API's answer. The receipt when the
 * payment settled, else `undefined` (after saying so).
 *
 * @example const receipt = await payAndShow(say, `${api.url}/weather`, { network: 'eip155:*', clients, afterPayment })
 */
export async function payAndShow(
  say: Say,
  url: string,
  { network, clients, afterPayment }: DemoPayment,
): Promise<SettleResponse | undefined> {
  const client = createX402Client({
    schemes: clients.map((schemeClient) => ({ network, client: schemeClient })),
    hooks: { afterPayment },
  });
  const paid = await wrapFetchWithPayment(fetch, client)(url);
  const body = await paid.text();
  const receipt = getPaymentResponse(paid);
  say(`   the API answered ${paid.status}: ${body}`);
  if (receipt?.success) return receipt;
  say(`   no successful settlement: ${JSON.stringify(receipt)}`);
  return undefined;
}

/**
 * Resource-server hooks that narrate the facilitator's verify and settle answers; `settled` words a
 * successful settlement's transaction, `payer: false` leaves the payer out of the verify line.
 *
 * @example createResourceServer({ facilitators, schemes, hooks: narrateFacilitator(say) })
 */
export function narrateFacilitator(
  say: Say,
  options: { settled?: (transaction: string) => string; payer?: boolean } = {},
): ResourceServerHooks {
  const settled = options.settled ?? ((transaction) => `settled on-chain in transaction ${transaction}`);
  return {
    afterVerify: (_call, result) => {
      const reason = result.invalidReason ? ` (${result.invalidReason})` : '';
      const payer = options.payer === false ? '' : `, payer ${result.payer}`;
      say(`   facilitator: verified, isValid=${result.isValid}${reason}${payer}`);
    },
    afterSettle: (_call, result) =>
      say(
        result.success
          ? `   facilitator: ${settled(result.transaction)}`
          : `   facilitator: settlement failed: ${result.errorReason} ${result.errorMessage ?? ''}`,
      ),
  };
}
