/**
 * Bench of the `exact_permit` path (BofAI's PaymentPermit scheme) on a BSC-testnet devnet (chain
 * 97, USDT at its BSC-testnet address): our facilitator service (flat fee) and our Express server,
 * paid sequentially by our client and by `@bankofai/x402`'s `ExactPermitEvmClientMechanism`.
 * Reports paid requests per second and p50/p99 latency for each client, in `bench/run.ts`'s row
 * shape (ratio above 1 means our client is ahead).
 */
import { EvmSigner } from '@bankofai/agent-wallet';
import {
  EVM_RPC_URLS,
  EvmClientSigner,
  ExactPermitEvmClientMechanism,
  X402Client,
  X402FetchClient,
} from '@bankofai/x402';
import { createX402Client, decodePaymentRequiredHeader } from '@x402kit/core';
import { startDevnets } from '@x402kit/devnet';
import { createExactPermitEvmClient } from '@x402kit/evm';
import { wrapFetchWithPayment } from '@x402kit/http';
import { approvePaymentPermit, startOurExactPermitStack } from '@x402kit/testing/exact-permit-evm';
import { getAddress, type Hex, hexToBytes } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { percentile } from './load.js';

/** One row of the bench table (same shape as `bench/run.ts`'s). */
export type ExactPermitBenchRow = {
  metric: string;
  ours: string;
  theirs: string;
  ratio: string;
  target: string;
};

export type ExactPermitBenchOptions = {
  /** Progress lines; default stderr. */
  log?: (line: string) => void;
  /** Paid requests per client (after a warm-up of a tenth of it); default 100. */
  count?: number;
};

/** Figures of one client: paid requests per second (sequential) and latency percentiles in ms. */
export type PaidFigures = { rps: number; p50: number; p99: number; seconds: number };

const FEE_TO = getAddress('0x000000000000000000000000000000000000fee3');

/**
 * Run the `exact_permit` bench on its own devnet and return its rows (ours = our client, theirs =
 * BofAI's client; both pay our server + facilitator).
 *
 * @example
 * rows.push(...(await runExactPermitBench({ log })))
 */
export async function runExactPermitBench(
  options: ExactPermitBenchOptions = {},
): Promise<ExactPermitBenchRow[]> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const count = options.count ?? 100;
  log('exact_permit (BSC devnet chain 97): paid requests, our client vs @bankofai/x402 client');
  const devnet = await startDevnets({ chains: [{ chainId: 97 }], extraPayers: 1 });
  const stops: Array<() => Promise<void> | void> = [() => devnet.stop()];
  const previousRpc = EVM_RPC_URLS['eip155:97'];
  try {
    const rpcUrl = devnet.getChain(97).rpcUrl;
    // BofAI's signer reads allowances and sends its approve through its built-in RPC map
    EVM_RPC_URLS['eip155:97'] = rpcUrl;
    const stack = await startOurExactPermitStack(devnet, { feeTo: FEE_TO, fee: 100n });
    stops.push(() => stack.close());
    const url = stack.serverUrl;

    const ourPayer = devnet.accounts.payer;
    // once, with room for every payment of the run
    await approvePaymentPermit(devnet, ourPayer.privateKey as Hex, await offer(url), 10n ** 24n);
    const ourPay = wrapFetchWithPayment(
      fetch,
      createX402Client({
        schemes: [
          {
            network: 'eip155:*',
            client: createExactPermitEvmClient({ signer: privateKeyToAccount(ourPayer.privateKey as Hex) }),
          },
        ],
      }),
    );
    const theirPayer = devnet.extraPayers[0];
    if (!theirPayer) throw new Error('the devnet has no extra payer');
    const signer = new EvmClientSigner(new EvmSigner(hexToBytes(theirPayer.privateKey as Hex)));
    signer.setAddress(theirPayer.address);
    const theirClient = new X402FetchClient(
      new X402Client().register('eip155:*', new ExactPermitEvmClientMechanism(signer)),
    );
    const theirPay = (target: string) => theirClient.get(target);

    const warm = Math.max(1, Math.round(count / 10));
    await measure(ourPay, `${url}/weather`, warm);
    await measure(theirPay, `${url}/weather`, warm); // its first payment also sends its approve
    // alternate rounds, so machine noise falls on both clients alike
    const ourRounds: Round[] = [];
    const theirRounds: Round[] = [];
    const rounds = 4;
    for (let i = 0; i < rounds; i++) {
      ourRounds.push(await measure(ourPay, `${url}/weather`, Math.ceil(count / rounds)));
      theirRounds.push(await measure(theirPay, `${url}/weather`, Math.ceil(count / rounds)));
    }
    const ours = combine(ourRounds);
    const theirs = combine(theirRounds);
    const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
    const row = (metric: string, a: number, b: number, higherIsBetter: boolean): ExactPermitBenchRow => {
      const ratio = higherIsBetter ? a / b : b / a;
      log(`  ${metric}: ours ${fmt(a)}, theirs ${fmt(b)} (${fmt(ratio, 2)}x)`);
      return { metric, ours: fmt(a), theirs: fmt(b), ratio: `${fmt(ratio, 2)}x`, target: '' };
    };
    return [
      row(
        `exact_permit paid requests, sequential (req/s; theirs = BofAI client)`,
        ours.rps,
        theirs.rps,
        true,
      ),
      row('exact_permit paid request p50 (ms; theirs = BofAI client)', ours.p50, theirs.p50, false),
      row('exact_permit paid request p99 (ms; theirs = BofAI client)', ours.p99, theirs.p99, false),
    ];
  } finally {
    if (previousRpc === undefined) delete EVM_RPC_URLS['eip155:97'];
    else EVM_RPC_URLS['eip155:97'] = previousRpc;
    for (const stop of stops.reverse()) await stop();
  }
}

/** The latencies (ms) of one round of paid requests and how long it took. */
type Round = { latencies: number[]; seconds: number };

/** `count` paid requests one after the other; every one must answer 200. */
async function measure(pay: (url: string) => Promise<Response>, url: string, count: number): Promise<Round> {
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const s = performance.now();
    const res = await pay(url);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`exact_permit paid request answered ${res.status}`);
    latencies.push(performance.now() - s);
  }
  return { latencies, seconds: (performance.now() - t0) / 1000 };
}

/** The figures of all `rounds` together. */
function combine(rounds: Round[]): PaidFigures {
  const sorted = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  return {
    rps: sorted.length / seconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    seconds,
  };
}

/** The `exact_permit` offer of `${serverUrl}/weather` (its 402 answer). */
async function offer(serverUrl: string) {
  const res = await fetch(`${serverUrl}/weather`);
  const header = res.headers.get('payment-required');
  if (res.status !== 402 || !header) throw new Error(`expected a 402 offer, got ${res.status}`);
  const required = decodePaymentRequiredHeader(header);
  const accepted = required.x402Version === 2 ? required.accepts[0] : undefined;
  if (!accepted) throw new Error('no exact_permit offer');
  return accepted;
}
