/**
 * Our `exact_permit` EVM stack (BofAI's PaymentPermit scheme) on a BSC-testnet devnet (chain 97) for
 * end-to-end and interop tests and the bench: the facilitator service with a flat fee in USDT and
 * `/fee/quote`, a paid Express API, and the payer's one-time PaymentPermit approval.
 */
import type { FacilitatorHooks, PaymentRequirements } from '@x402kit/core';
import type { MultiDevnet } from '@x402kit/devnet';
import {
  createExactPermitEvmServer,
  type PaymentPermitContextStore,
  prepareExactPermitApproval,
} from '@x402kit/evm';
import { createEvmFacilitator, type EvmFacilitator } from '@x402kit/evm/chain-module';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import { type Address, createPublicClient, createWalletClient, getAddress, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Running } from './listen.js';
import { startOurPaidApi } from './ours.js';

/** USDT at its BSC-testnet address, where the devnet's chain 97 places it (18 decimals). */
export const BSC_TESTNET_USDT = getAddress('0x337610d27c682E347C9cD60BD4b3b107C9d34dDd');

/** Our running `exact_permit` stack: the facilitator engine, its service and the paid API. */
export type ExactPermitStack = {
  engine: EvmFacilitator;
  facilitatorUrl: string;
  /** `GET /weather` costs $0.01 in `exact_permit` on `eip155:97`, paid to the devnet's `payTo`. */
  serverUrl: string;
  /** How many times the paid `/weather` handler ran. */
  handlerCalls(): number;
  close(): Promise<void>;
};

/** Our paid API of {@link startOurExactPermitApi}, counting the runs of its paid handler. */
export type ExactPermitApi = Running & { handlerCalls(): number };

/**
 * Our Express API whose `GET /weather` costs $0.01 in `exact_permit` on `eip155:97`, paid to the
 * devnet's `payTo` through the facilitator at `facilitatorUrl`. Several of them behind one URL
 * share one `contextStore` (each checks the contexts the others issued); nothing else is shared.
 *
 * @example
 * const store = createMemoryPaymentPermitContextStore()
 * const second = await startOurExactPermitApi(devnet, { facilitatorUrl, contextStore: store })
 */
export async function startOurExactPermitApi(
  devnet: MultiDevnet,
  opts: { facilitatorUrl: string; contextStore?: PaymentPermitContextStore },
): Promise<ExactPermitApi> {
  let calls = 0;
  const api = await startOurPaidApi({
    facilitatorUrl: opts.facilitatorUrl,
    schemes: [
      {
        network: 'eip155:*',
        server: createExactPermitEvmServer(opts.contextStore ? { contextStore: opts.contextStore } : {}),
      },
    ],
    routes: {
      'GET /weather': {
        accepts: {
          scheme: 'exact_permit',
          network: 'eip155:97',
          payTo: devnet.accounts.payTo.address,
          price: '$0.01',
        },
        description: 'weather',
      },
    },
    serve(app) {
      app.get('/weather', (_req, res) => {
        calls++;
        res.json({ weather: 'sunny' });
      });
    },
  });
  return { ...api, handlerCalls: () => calls };
}

/**
 * Our facilitator service on the devnet's chain 97 (flat `fee` of USDT to `feeTo`, `/fee/quote`
 * enabled) and our Express API in front of it. The devnet stays the caller's to stop. `hooks` go to
 * the engine (the ledger's, for the grant rule: `createLedgerHooks`); `contextStore` to the API.
 *
 * @example
 * const stack = await startOurExactPermitStack(devnet, { feeTo, fee: 100n })
 * await fetch(`${stack.serverUrl}/weather`) // 402 with the exact_permit offer
 */
export async function startOurExactPermitStack(
  devnet: MultiDevnet,
  opts: {
    feeTo: Address;
    fee: bigint;
    hooks?: FacilitatorHooks;
    contextStore?: PaymentPermitContextStore;
  },
): Promise<ExactPermitStack> {
  const engine = createEvmFacilitator({
    rpc: { 'eip155:97': devnet.getChain(97).rpcUrl },
    privateKeys: [devnet.accounts.facilitator.privateKey as Hex],
    fees: { 'eip155:97': { [BSC_TESTNET_USDT]: { feeTo: opts.feeTo, amount: opts.fee.toString() } } },
    ...(opts.hooks ? { hooks: opts.hooks } : {}),
  });
  const facilitator = await startFacilitatorServer({
    service: createFacilitatorService({
      facilitator: engine,
      ...(engine.quoteFee ? { feeQuote: engine.quoteFee } : {}),
    }),
    port: 0,
  });
  const api = await startOurExactPermitApi(devnet, {
    facilitatorUrl: facilitator.url,
    ...(opts.contextStore ? { contextStore: opts.contextStore } : {}),
  });
  return {
    engine,
    facilitatorUrl: facilitator.url,
    serverUrl: api.url,
    handlerCalls: api.handlerCalls,
    async close() {
      await api.close();
      await facilitator.close();
      engine.close();
    },
  };
}

/**
 * The owner of `privateKey` approves PaymentPermit for `amount` of the token `requirements` ask
 * (nothing is sent when the allowance already covers it), and waits for the receipt.
 *
 * @example await approvePaymentPermit(devnet, payer.privateKey, offer, 10n ** 20n)
 */
export async function approvePaymentPermit(
  devnet: MultiDevnet,
  privateKey: Hex,
  requirements: PaymentRequirements,
  amount: bigint,
): Promise<void> {
  const { chain, rpcUrl } = devnet.getChain(97);
  const account = privateKeyToAccount(privateKey);
  const client = createPublicClient({ chain, transport: http(rpcUrl) });
  const tx = await prepareExactPermitApproval({ client, owner: account.address, requirements, amount });
  if (!tx) return;
  const wallet = createWalletClient({ account, chain, transport: http(rpcUrl) });
  const hash = await wallet.sendTransaction({ to: tx.to, data: tx.data });
  await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
}
