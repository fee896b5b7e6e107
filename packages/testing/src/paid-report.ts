/**
 * A paid API on 127.0.0.1 for the CLI's `pay` tests: every route of the given payment handler answers
 * `{ report: { weather: 'sunny' } }` once paid, and the handler's runs are counted (a refused payment must
 * never reach it).
 */
import type { PaymentHandler } from '@x402kit/http';
import { serve } from '@x402kit/http/node';

/** The served API. */
export type PaidReport = {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** How many times the paid handler ran. */
  handlerCalls(): number;
  close(): Promise<void>;
};

/**
 * Serve `payments` in front of the report handler on an ephemeral port.
 *
 * @example
 * const api = await servePaidReport(createPaymentHandler({ server, routes }));
 * const before = api.handlerCalls();
 */
export async function servePaidReport(payments: PaymentHandler): Promise<PaidReport> {
  let calls = 0;
  const served = await serve((request) =>
    payments.handle(request, async () => {
      calls++;
      return Response.json({ report: { weather: 'sunny' } });
    }),
  );
  return { url: served.url, handlerCalls: () => calls, close: async () => served.close() };
}
