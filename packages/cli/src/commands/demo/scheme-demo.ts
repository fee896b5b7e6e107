/** `x402kit demo --scheme permit2 | upto | exact_permit`: the other EVM payment methods, narrated. */
import {
  createFacilitator,
  createHttpFacilitatorClient,
  createResourceServer,
  type Facilitator,
  formatUnits,
  type PaymentPayload,
  type PaymentRequirements,
  parseUnits,
  type SchemeClient,
  type SchemeServer,
  type SettleResponse,
} from '@x402kit/core';
import { confirmTransaction, createDevnetClient, readTokenBalance } from '@x402kit/devnet';
import {
  buildPermit2Approval,
  createExactEvmClient,
  createExactEvmFacilitator,
  createExactEvmServer,
  createExactPermitEvmClient,
  createExactPermitEvmServer,
  createUptoEvmClient,
  createUptoEvmFacilitator,
  createUptoEvmServer,
  EIP2612_GAS_SPONSORING,
  ERC20_APPROVAL_GAS_SPONSORING,
  PERMIT2_ADDRESS,
  prepareExactPermitApproval,
  readExactPermitPayload,
  readPermit2Allowance,
  readPermit2Payload,
} from '@x402kit/evm';
import { createEvmFacilitator } from '@x402kit/evm/chain-module';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import { setSettlementOverrides } from '@x402kit/http';
import type { Served } from '@x402kit/http/node';
import { type Address, createPublicClient, getAddress, http } from 'viem';
import { type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import { ExitCode } from '../../command.js';
import type { DemoMode, DemoScheme } from './demo-mode.js';
import {
  narrate,
  narrateFacilitator,
  payAndShow,
  type Say,
  type Stops,
  serveWeatherApi,
  showOffers,
} from './demo-steps.js';
import { describeOffer } from './exact-demo.js';
import { type DemoChain, startDemoChain } from './scheme-demo-chain.js';

/** The EVM demos other than the default `exact` one. */
export type EvmSchemeMode = Exclude<DemoMode, { scheme: 'exact' } | { tron: true }>;

/** Where `exact_permit` fees go in the demo (an address nobody holds, so its balance is exactly the fees). */
const DEMO_FEE_TO = getAddress('0x000000000000000000000000000000000000fee1');

const SCHEME_TITLES: Record<Exclude<DemoScheme, 'exact' | 'exact_gasfree'>, string> = {
  permit2: 'exact via Permit2',
  upto: 'upto (a maximum, the API charges what was used) via Permit2',
  exact_permit: "exact_permit (BofAI's PaymentPermit) with a facilitator fee",
};

/** What every step of a scheme demo works with: the mode, its chain, and how to narrate and stop. */
type SchemeDemo = {
  mode: EvmSchemeMode;
  chain: DemoChain;
  say: Say;
  stops: Stops;
  /** The demo price in the token's atomic units. */
  atomicPrice: bigint;
  /** An atomic amount of the token, spelled `1.5 USDC`. */
  units: (atomic: bigint) => string;
};

/** The payer's, the payee's and (exact_permit) the fee recipient's token balances. */
type DemoBalances = { payer: bigint; payTo: bigint; feeTo: bigint };

/**
 * `x402kit demo --scheme permit2 | upto | exact_permit`: the same story as the default demo for
 * the other payment methods, with their approval step, the max-versus-charged amount (upto) and
 * the facilitator fee (exact_permit).
 */
export function runSchemeDemo(mode: EvmSchemeMode, out: (text: string) => void): Promise<number> {
  return narrate(
    out,
    `x402kit demo: one paid API call on a local chain, ${SCHEME_TITLES[mode.scheme]}`,
    async (say, stops) => {
      const demo = await startSchemeDemoChain(mode, say, stops);
      const facilitatorUrl = await startSchemeFacilitator(demo);
      const api = await startSchemePaidApi(demo, facilitatorUrl);

      say();
      const { token } = demo.chain;
      const accepts = await showOffers(say, 4, `${api.url}/weather`, (r) =>
        describeOffer(r, token.decimals, token.symbol),
      );
      const offer = accepts[0];
      if (!offer) {
        say('   no x402 v2 offer to pay');
        return ExitCode.failure;
      }

      const account = privateKeyToAccount(demo.chain.payer.privateKey);
      say('5. Client: the one-time approval');
      await approveOnce(demo, offer, account);

      const before = await readBalances(demo);
      sayBalancesBefore(demo, before);

      say('6. Client: paying and retrying ...');
      const receipt = await paySchemeDemo(demo, `${api.url}/weather`, account);
      if (!receipt) return ExitCode.failure;
      sayReceipt(demo, offer, receipt);

      sayBalancesAfter(demo, before, await readBalances(demo));
      say();
      say('Done: stopping the API, the facilitator and the chain.');
      return ExitCode.ok;
    },
  );
}

/** Step 1: the local chain the scheme runs on, said and pushed onto `stops`. */
async function startSchemeDemoChain(mode: EvmSchemeMode, say: Say, stops: Stops): Promise<SchemeDemo> {
  say(`1. Starting a local chain (anvil, ${mode.network}) ...`);
  const chain = await startDemoChain(mode.scheme);
  stops.push(() => chain.stop());
  const { token, payer, payTo, relayer } = chain;
  const units = (atomic: bigint) => `${formatUnits(atomic, token.decimals)} ${token.symbol}`;
  say(
    `   ${chain.network} at ${chain.rpcUrl}, ${token.symbol} (${token.decimals} decimals) at ${token.address}`,
  );
  say(`   payer ${payer.address}, payee ${payTo}, facilitator ${relayer.address}`);
  return { mode, chain, say, stops, atomicPrice: parseUnits(mode.price, token.decimals), units };
}

/** Step 2: the facilitator service for the scheme, said; resolves with its URL. */
async function startSchemeFacilitator(demo: SchemeDemo): Promise<string> {
  const { mode, say, stops, units } = demo;
  say('2. Starting the facilitator ...');
  const fee = demo.atomicPrice / 100n; // exact_permit: a flat 1 % of the demo price
  const { facilitator, feeQuote } = createSchemeFacilitator(demo, fee);
  const facilitatorServer = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator, ...(feeQuote ? { feeQuote } : {}) }),
    port: 0,
  });
  stops.push(() => facilitatorServer.close());
  say(
    `   POST ${facilitatorServer.url}/verify, POST /settle, GET /supported${feeQuote ? ', POST /fee/quote' : ''}`,
  );
  if (mode.scheme === 'exact_permit')
    say(`   fee: a flat ${units(fee)} per payment, paid by the payer to ${DEMO_FEE_TO}`);
  return facilitatorServer.url;
}

/**
 * The facilitator engine: exact_permit's chain module charging `fee`, else the exact and upto
 * facilitators with the gas-sponsoring extensions. Their closing is pushed onto `stops`.
 */
function createSchemeFacilitator(
  { mode, chain, stops }: SchemeDemo,
  fee: bigint,
): { facilitator: Facilitator; feeQuote?: ReturnType<typeof createEvmFacilitator>['quoteFee'] } {
  if (mode.scheme === 'exact_permit') {
    const engine = createEvmFacilitator({
      rpc: { [chain.network]: chain.rpcUrl },
      privateKeys: [chain.relayer.privateKey],
      fees: {
        [chain.network]: { [chain.token.address]: { feeTo: DEMO_FEE_TO, amount: fee.toString() } },
      },
    });
    stops.push(() => engine.close());
    return { facilitator: engine, feeQuote: engine.quoteFee };
  }
  const common = {
    networks: { [chain.network]: { rpcUrl: chain.rpcUrl } },
    signers: [chain.relayer.privateKey],
    pollingIntervalMs: 20,
  };
  const exact = createExactEvmFacilitator(common);
  const upto = createUptoEvmFacilitator(common);
  stops.push(
    () => exact.close(),
    () => upto.close(),
  );
  const facilitator = createFacilitator({
    schemes: [
      { networks: exact.networks, facilitator: exact },
      { networks: upto.networks, facilitator: upto },
    ],
    extensions: [EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING],
  });
  return { facilitator };
}

/** Step 3: the paid weather API behind the facilitator at `facilitatorUrl`, said. */
async function startSchemePaidApi(demo: SchemeDemo, facilitatorUrl: string): Promise<Served> {
  const { mode, chain, say, stops } = demo;
  const { token, payTo } = chain;
  say('3. Starting a paid API ...');
  const hooks = narrateFacilitator(say);
  const servers: SchemeServer[] =
    mode.scheme === 'exact_permit'
      ? [createExactPermitEvmServer()]
      : [createExactEvmServer(), createUptoEvmServer()];
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
    schemes: servers.map((server) => ({ network: 'eip155:*', server })),
    hooks,
  });
  await resourceServer.initialize();
  const price =
    mode.scheme === 'permit2'
      ? {
          amount: demo.atomicPrice.toString(),
          asset: token.address,
          extra: { assetTransferMethod: 'permit2' },
        }
      : `$${mode.price}`;
  const scheme = mode.scheme === 'permit2' ? 'exact' : mode.scheme;
  const api = await serveWeatherApi(
    resourceServer,
    { scheme, network: chain.network, payTo, price },
    stops,
    (response) => {
      if (mode.scheme === 'upto') setSettlementOverrides(response, { amount: `$${mode.charge}` });
    },
  );
  say(
    mode.scheme === 'upto'
      ? `   GET ${api.url}/weather authorizes at most $${mode.price}; the handler charges $${mode.charge} (Settlement-Overrides)`
      : `   GET ${api.url}/weather costs $${mode.price} in ${token.symbol}, paid to ${payTo}`,
  );
  return api;
}

/**
 * Step 5: the payer's one-time approval, said: to PaymentPermit for price + fee (exact_permit,
 * unless the allowance already covers it), else to Permit2 for the maximum.
 */
async function approveOnce(
  { mode, chain, say, units }: SchemeDemo,
  offer: PaymentRequirements,
  account: PrivateKeyAccount,
): Promise<void> {
  const { token, payer } = chain;
  const rpc = createPublicClient({ chain: chain.chain, transport: http(chain.rpcUrl) });
  const wallet = createDevnetClient(chain.chain);
  if (mode.scheme === 'exact_permit') {
    const approval = await prepareExactPermitApproval({
      client: rpc,
      owner: payer.address,
      requirements: offer,
    });
    if (approval) {
      say(
        `   PaymentPermit (${approval.spender}) may move ${units(approval.allowance)} of the payer's ${token.symbol};` +
          ` this payment needs ${units(approval.required)} (price + fee)`,
      );
      const hash = await wallet.sendTransaction({
        account,
        to: approval.to,
        data: approval.data,
        chain: chain.chain,
      });
      await confirmTransaction(wallet, hash);
      say(`   payer: approve(PaymentPermit, ${units(approval.required)}) in transaction ${hash}`);
    } else say('   the allowance to PaymentPermit already covers price + fee');
    return;
  }
  const allowance = await readPermit2Allowance(rpc, { token: token.address, owner: payer.address });
  say(`   Permit2 (${PERMIT2_ADDRESS}) may move ${units(allowance)} of the payer's ${token.symbol}`);
  const { to, data } = buildPermit2Approval({ token: token.address });
  const hash = await wallet.sendTransaction({ account, to, data, chain: chain.chain });
  await confirmTransaction(wallet, hash);
  say(`   payer: approve(Permit2, max) once per token in transaction ${hash}`);
  say(
    `   (a payer without gas can skip this: the ${ERC20_APPROVAL_GAS_SPONSORING} / ${EIP2612_GAS_SPONSORING} extensions let the facilitator send it)`,
  );
}

/** The balances the demo shows, read from the chain (the fee recipient's only for exact_permit). */
async function readBalances({ mode, chain }: SchemeDemo): Promise<DemoBalances> {
  const read = (who: Address) => readTokenBalance(chain.rpcUrl, chain.token.address, who);
  return {
    payer: await read(chain.payer.address),
    payTo: await read(chain.payTo),
    feeTo: mode.scheme === 'exact_permit' ? await read(DEMO_FEE_TO) : 0n,
  };
}

function sayBalancesBefore({ mode, say, units }: SchemeDemo, before: DemoBalances): void {
  say();
  say(
    `Balances before: payer ${units(before.payer)}, payee ${units(before.payTo)}` +
      (mode.scheme === 'exact_permit' ? `, fee recipient ${units(before.feeTo)}` : ''),
  );
  say();
}

/** Step 6: pay `url` as the scheme's client, saying what was signed; the receipt when it settled. */
function paySchemeDemo(
  { mode, chain, say, units }: SchemeDemo,
  url: string,
  account: PrivateKeyAccount,
): Promise<SettleResponse | undefined> {
  const { token } = chain;
  const clients: SchemeClient[] =
    mode.scheme === 'exact_permit'
      ? [createExactPermitEvmClient({ signer: account })]
      : [createExactEvmClient({ signer: account }), createUptoEvmClient({ signer: account })];
  return payAndShow(say, url, {
    network: 'eip155:*',
    clients: clients,
    afterPayment: (picked, payload) => {
      if (payload.x402Version === 2)
        say(`   client: ${describeSignature(payload, token.decimals, token.symbol)}`);
      say(
        `   client: ${picked.requirements.scheme} for ${units(BigInt(picked.requirements.amount))}; sending it in the PAYMENT-SIGNATURE header`,
      );
    },
  });
}

function sayReceipt(
  { mode, say, units }: SchemeDemo,
  offer: PaymentRequirements,
  receipt: SettleResponse,
): void {
  say(
    `   PAYMENT-RESPONSE: success, transaction ${receipt.transaction} on ${receipt.network}, payer ${receipt.payer}` +
      (receipt.amount !== undefined ? `, amount ${receipt.amount}` : ''),
  );
  if (mode.scheme === 'upto')
    say(
      `   upto: authorized at most ${units(BigInt(offer.amount))}, charged ${units(BigInt(receipt.amount ?? offer.amount))}`,
    );
}

function sayBalancesAfter(
  { mode, chain, say, units }: SchemeDemo,
  before: DemoBalances,
  after: DemoBalances,
): void {
  const delta = (a: bigint, b: bigint) => `${a >= b ? '+' : ''}${formatUnits(a - b, chain.token.decimals)}`;
  say();
  say(
    `Balances after:  payer ${units(after.payer)} (${delta(after.payer, before.payer)}),` +
      ` payee ${units(after.payTo)} (${delta(after.payTo, before.payTo)})` +
      (mode.scheme === 'exact_permit'
        ? `, fee recipient ${units(after.feeTo)} (${delta(after.feeTo, before.feeTo)})`
        : ''),
  );
}

/** One line on what the client signed, read back from the payload it sends. */
function describeSignature(payload: PaymentPayload, decimals: number, symbol: string): string {
  const permit2 = readPermit2Payload(payload.payload);
  if (permit2.ok) {
    const auth = permit2.payload.permit2Authorization;
    return (
      `signed a Permit2 PermitWitnessTransferFrom for up to ${formatUnits(BigInt(auth.permitted.amount), decimals)} ${symbol}` +
      ` from ${auth.from} to ${auth.witness.to} via the x402 proxy ${auth.spender}, deadline ${new Date(Number(auth.deadline) * 1000).toISOString()}`
    );
  }
  const permit = readExactPermitPayload(payload.payload);
  if (permit.ok) {
    const p = permit.permit;
    return (
      `signed a PaymentPermit for ${formatUnits(p.payment.payAmount, decimals)} ${symbol} to ${p.payment.payTo}` +
      ` plus a fee of ${formatUnits(p.fee.feeAmount, decimals)} ${symbol} to ${p.fee.feeTo}, caller ${p.caller}`
    );
  }
  return `signed a ${payload.accepted.scheme} payment`;
}
