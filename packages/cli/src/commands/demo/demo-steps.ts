/**
 * The steps every demo narrates the same way, whatever the chain: serve the paid weather API; ask for
 * the resource without paying and show the 402's offers; what the facilitator answered to verify and
 * settle; pay and show the API's answer.
 */
import {
  decodePaymentRequiredHeader,
  type PaymentRequirements,
  type ResourceServer,
  type ResourceServerHooks,
  type SettleResponse,
  type X402Client,
} from '@x402kit/core';
import {
  createPaymentHandler,
  getPaymentResponse,
  type RouteConfig,
  wrapFetchWithPayment,
} from '@x402kit/http';
import { type Served, serve } from '@x402kit/http/node';

type Say = (line?: string) => void;

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
  stops: Array<() => Promise<void> | void>,
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
 * `GET url` without paying; prints the 402's offers, each as `describe` spells it, and returns them.
 *
 * @example const accepts = await showOffers(say, `${api.url}/weather`, (r) => describeOffer(r, 6))
 */
export async function showOffers(
  say: Say,
  url: string,
  describe: (offer: PaymentRequirements) => string,
): Promise<PaymentRequirements[]> {
  const unpaid = await fetch(url);
  await unpaid.arrayBuffer();
  const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
  say(`   the API answered ${unpaid.status} Payment Required; its PAYMENT-REQUIRED header offers:`);
  const accepts = required.x402Version === 2 ? required.accepts : [];
  for (const offer of accepts) say(`   - ${describe(offer)}`);
  return accepts;
}

/**
 * `GET url` with a paying fetch; prints the API's answer. The receipt when the payment settled,
 * else `undefined` (after saying so).
 *
 * @example const receipt = await payAndShow(say, `${api.url}/weather`, client)
 */
export async function payAndShow(
  say: Say,
  url: string,
  client: X402Client,
): Promise<SettleResponse | undefined> {
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
