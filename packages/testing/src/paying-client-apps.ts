/**
 * The two servers the paying clients of @x402kit/http (`wrapFetchWithPayment`, the axios
 * interceptor) are tested against, both on one test-ledger stack over the test routes: `app`, our
 * payment handler, which records every request it receives in `seen` and answers `/not-x402` with
 * a 402 that is not x402; and `legacy`, a v1-only server (our core answering v1-only clients in the
 * body, with the v2 `PAYMENT-REQUIRED` header removed from its 402s).
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { createPaymentHandler } from '@x402kit/http';
import { type Served, serve } from '@x402kit/http/node';
import { TEST_NETWORK } from './test-ledger.js';
import { createTestStack, type TestStack, testRoutes } from './test-stack.js';
import { createWebApp, newHits } from './web-app.js';

/** What {@link startPayingClientApps} returns. */
export type PayingClientApps = {
  stack: TestStack;
  /** Our payment handler over the test routes. */
  app: Served;
  /** The v1-only server: offers only in the 402's JSON body. */
  legacy: Served;
  /** Every request `app` received, in order (clones, bodies readable). */
  seen: Request[];
  close(): Promise<void>;
};

/**
 * Start `app` and `legacy` on 127.0.0.1. `special` answers some paths of `app` itself (a malformed
 * 402, say) before the payment handler sees them.
 *
 * @example
 * const { stack, app, legacy, seen, close } = await startPayingClientApps({
 *   '/bad-v1': () => Response.json({ x402Version: 1, accepts: [] }, { status: 402 }),
 * });
 */
export async function startPayingClientApps(
  special: Readonly<Record<string, () => Response>> = {},
): Promise<PayingClientApps> {
  const stack = createTestStack();
  const web = createWebApp(newHits());
  const payments = createPaymentHandler({ routes: testRoutes(), server: stack.server });
  const seen: Request[] = [];
  const app = await serve(async (request) => {
    seen.push(request.clone());
    const { pathname } = new URL(request.url);
    if (pathname === '/not-x402') return new Response('upgrade your plan', { status: 402 });
    const answer = Object.hasOwn(special, pathname) ? special[pathname] : undefined;
    if (answer) return answer();
    return payments.handle(request, web);
  });
  const v1Payments = createPaymentHandler({ routes: testRoutes(), server: stack.server, v1UnpaidBody: true });
  const legacy = await serve(async (request) => {
    const response = await v1Payments.handle(request, web);
    if (response.status !== 402) return response;
    const headers = new Headers(response.headers);
    headers.delete('PAYMENT-REQUIRED');
    return new Response(response.body, { status: 402, headers });
  });
  return {
    stack,
    app,
    legacy,
    seen,
    close: async () => {
      await app.close();
      await legacy.close();
    },
  };
}

/**
 * {@link startPayingClientApps} for the tests of one `describe`: started in its `before`, closed in
 * its `after`. Read the fields inside the tests (they throw before the apps started).
 *
 * @example
 * const env = usePayingClientApps();
 * it('pays', async () => assert.equal((await pay(`${env.app.url}/paid`)).status, 200));
 */
export function usePayingClientApps(
  special: Readonly<Record<string, () => Response>> = {},
): Omit<PayingClientApps, 'close'> {
  let apps: PayingClientApps | undefined;
  before(async () => {
    apps = await startPayingClientApps(special);
  });
  after(() => apps?.close());
  const started = (): PayingClientApps => {
    if (!apps) throw new Error('the paying-client apps start in before(): read them inside a test');
    return apps;
  };
  return {
    get stack() {
      return started().stack;
    },
    get app() {
      return started().app;
    },
    get legacy() {
      return started().legacy;
    },
    get seen() {
      return started().seen;
    },
  };
}

/**
 * Assert that `app` saw one paid v2 request: the first try without `PAYMENT-SIGNATURE`, the retry
 * with it, and that the settlement the client exposes succeeded on the test network.
 *
 * @example
 * seen.length = 0;
 * const res = await pay(`${app.url}/paid`);
 * assertPaidOnce(seen, getPaymentResponse(res));
 */
export function assertPaidOnce(
  seen: readonly Request[],
  settlement: { success: boolean; network: string } | undefined,
): void {
  assert.equal(seen.length, 2);
  assert.equal(seen[0]?.headers.get('PAYMENT-SIGNATURE'), null);
  assert.ok(seen[1]?.headers.get('PAYMENT-SIGNATURE'));
  assert.equal(settlement?.success, true);
  assert.equal(settlement?.network, TEST_NETWORK);
}
