/**
 * What the Fastify, Next.js and axios interop tests share: a devnet with our facilitator, the
 * weather route they all charge, the check that a paid answer moved exactly one price from the
 * payer to payTo on chain, and the replay check (one payment header, sent again in sequence and
 * at once, buys exactly one handler run and one transfer).
 */
import assert from 'node:assert/strict';
import {
  createHttpFacilitatorClient,
  createResourceServer,
  decodePaymentResponseHeader,
  type ResourceServer,
} from '@x402kit/core';
import { type Devnet, readTokenBalance, startDevnet } from '@x402kit/devnet';
import { createExactEvmServer } from '@x402kit/evm';
import type { RouteConfig } from '@x402kit/http';
import type { Running } from '@x402kit/testing/listen';
import { startOurFacilitator } from '@x402kit/testing/ours';
import { sendCopies, signPaymentHeader } from '@x402kit/testing/replay';
import { createPublicClient, type Hex, http } from 'viem';

/** The price of every route here, in atomic units of the 6-decimal devnet token ($0.001). */
export const PRICE = 1000n;
/** What the paid weather handlers answer. */
export const WEATHER = { report: { weather: 'sunny', temperature: 70 } };

/** A devnet, our facilitator on it, and how to stop both. */
export type AdapterStack = {
  devnet: Devnet;
  facilitator: Running;
  payerKey: Hex;
  /** Our resource-server engine over the facilitator (exact on EVM). */
  resourceServer(): ResourceServer;
  /** The weather route's config: exact, $0.001 to the devnet's payTo. */
  weatherRoute(): RouteConfig;
  balances(): Promise<{ payer: bigint; payTo: bigint }>;
  close(): Promise<void>;
};

/** Start a devnet and our facilitator on it. */
export async function startAdapterStack(): Promise<AdapterStack> {
  const devnet = await startDevnet({ port: 0 });
  const facilitator = await startOurFacilitator({
    rpcUrl: devnet.rpcUrl,
    network: devnet.network,
    privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
  });
  const balance = (address: string) => readTokenBalance(devnet.rpcUrl, devnet.token.address, address as Hex);
  return {
    devnet,
    facilitator,
    payerKey: devnet.accounts.payer.privateKey as Hex,
    resourceServer: () =>
      createResourceServer({
        facilitators: createHttpFacilitatorClient({ url: facilitator.url }),
        schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
      }),
    weatherRoute: () => ({
      accepts: {
        scheme: 'exact',
        network: devnet.network,
        payTo: devnet.accounts.payTo.address,
        price: '$0.001',
      },
      description: 'weather',
    }),
    balances: async () => ({
      payer: await balance(devnet.accounts.payer.address),
      payTo: await balance(devnet.accounts.payTo.address),
    }),
    close: async () => {
      await facilitator.close();
      await devnet.stop();
    },
  };
}

/** A paid answer, whatever client read it. */
export type PaidAnswer = { status: number; body: unknown; paymentResponse: string | undefined };

/**
 * Run `pay` and check its answer: 200 with the weather, a successful `PAYMENT-RESPONSE` whose
 * transaction succeeded on chain, and exactly {@link PRICE} moved from the payer to payTo.
 */
export async function assertPays(stack: AdapterStack, pay: () => Promise<PaidAnswer>): Promise<void> {
  const before = await stack.balances();
  const answer = await pay();
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body, WEATHER);
  assert.ok(answer.paymentResponse, 'PAYMENT-RESPONSE header');
  const receipt = decodePaymentResponseHeader(answer.paymentResponse);
  assert.equal(receipt.success, true);
  assert.equal(receipt.network, stack.devnet.network);
  const chain = createPublicClient({ transport: http(stack.devnet.rpcUrl) });
  const tx = await chain.getTransactionReceipt({ hash: receipt.transaction as Hex });
  assert.equal(tx.status, 'success');
  const after = await stack.balances();
  assert.equal(after.payer, before.payer - PRICE);
  assert.equal(after.payTo, before.payTo + PRICE);
}

/** A fetch answer as a {@link PaidAnswer} (the body parsed as JSON). */
export async function fetchAnswer(response: Response): Promise<PaidAnswer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the text is the body
  }
  return {
    status: response.status,
    body,
    paymentResponse: response.headers.get('payment-response') ?? undefined,
  };
}

/**
 * One payment header for `url`, sent twice in sequence and then (a second header) `copies`
 * times at once: each header buys exactly one 200, one handler run and one transfer; every other
 * copy is refused with 402.
 */
export async function assertReplayGrantsOnce(
  stack: AdapterStack,
  url: string,
  handlerRuns: () => number | Promise<number>,
  copies = 6,
): Promise<void> {
  const target = [{ name: 'server', url: new URL(url).origin }];
  const path = new URL(url).pathname;
  const before = await stack.balances();
  const runs0 = await handlerRuns();

  const sequential = await signPaymentHeader(stack.devnet, url);
  const first = await sendCopies(target, path, sequential, 1);
  const second = await sendCopies(target, path, sequential, 1);
  assert.equal(first[0]?.status, 200, first[0]?.body);
  assert.equal(second[0]?.status, 402, `a replayed header must be refused: ${second[0]?.body}`);
  assert.equal(await handlerRuns(), runs0 + 1);

  const concurrent = await signPaymentHeader(stack.devnet, url);
  const answers = await sendCopies(target, path, concurrent, copies);
  const statuses = answers.map((a) => a.status).sort();
  assert.deepEqual(statuses, [200, ...Array<number>(copies - 1).fill(402)], JSON.stringify(answers));
  assert.equal(await handlerRuns(), runs0 + 2, 'one handler run per payment');

  const after = await stack.balances();
  assert.equal(after.payer, before.payer - 2n * PRICE);
  assert.equal(after.payTo, before.payTo + 2n * PRICE);
}
