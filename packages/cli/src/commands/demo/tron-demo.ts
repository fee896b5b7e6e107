/**
 * `x402kit demo --network tron:nile [--scheme exact_permit | exact_gasfree]`: one paid API call on
 * the offline TRON Nile (anvil at Nile's chain id behind a local TRON node and a local GasFree
 * API), narrated: the 402, the TIP-712 signature, the settlement's TRON transaction id, balances.
 */
import {
  createHttpFacilitatorClient,
  createResourceServer,
  formatUnits,
  parseUnits,
  Reasons,
  type SchemeClient,
  type SchemeServer,
  X402Error,
} from '@x402kit/core';
import { startTronDevnet, type TronDevnet } from '@x402kit/devnet';
import { createFacilitatorApp, parseServiceConfig, startFacilitatorServer } from '@x402kit/facilitator';
import type { Served } from '@x402kit/http/node';
import { tronChain } from '@x402kit/tron/chain-module';
import { createExactPermitTronClient, createExactPermitTronServer } from '@x402kit/tron/exact-permit';
import { createExactGasFreeClient, createExactGasFreeServer } from '@x402kit/tron/gasfree';
import { privateKeyToAccount } from 'viem/accounts';
import { ExitCode } from '../../command.js';
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

/** The TRON demo: the scheme and the price in dollars (USDT, 6 decimals). */
export type TronDemoMode = { scheme: 'exact_permit' | 'exact_gasfree'; network: string; price: string };

const TITLES: Record<TronDemoMode['scheme'], string> = {
  exact_permit: "exact_permit (BofAI's PaymentPermit, TIP-712) with a facilitator fee",
  exact_gasfree: 'exact_gasfree (GasFree: the payer holds no TRX, a provider pays the energy)',
};
/** A GasFree payer outside the ten well-known accounts, so its GasFree account starts inactive. */
const GASFREE_PAYER_INDEX = 20;

/** What the TRON demo's steps work with: the mode, the offline Nile, and how to narrate and stop. */
type TronDemo = {
  mode: TronDemoMode;
  devnet: TronDevnet;
  gasFree: NonNullable<TronDevnet['gasFree']>;
  say: Say;
  stops: Stops;
  /** An atomic USDT amount, spelled `1.5 USDT`. */
  units: (atomic: bigint) => string;
};

/**
 * Run the TRON demo; returns the exit code.
 *
 * @example await runTronDemo({ scheme: 'exact_permit', network: 'tron:nile', price: '0.01' }, process.stdout.write)
 */
export function runTronDemo(mode: TronDemoMode, out: (text: string) => void): Promise<number> {
  return narrate(
    out,
    `x402kit demo: one paid API call on an offline TRON Nile, ${TITLES[mode.scheme]}`,
    async (say, stops) => {
      const demo = await startTronNile(mode, say, stops);
      const { devnet, units } = demo;
      const usdt = devnet.assets.USDT;
      const facilitatorUrl = await startTronFacilitator(demo);
      const api = await startTronPaidApi(demo, facilitatorUrl);
      const payTo = devnet.accounts.payTo.address;

      const payer = await preparePayer(mode, devnet, say, units);
      const balances = async () => ({
        payer: await payer.balance(),
        payTo: (await devnet.balances(payTo)).USDT,
      });

      say();
      const _accepts = await showOffers(say, 5, `${api.url}/weather`, (r) =>
        describeOffer(r, usdt.decimals, 'USDT'),
      );

      const before = await balances();
      say();
      say(`Balances before: ${payer.label} ${units(before.payer)}, payee ${units(before.payTo)}`);
      say();
      say('6. Client: signing (TIP-712) and retrying ...');
      const receipt = await payAndShow(say, `${api.url}/weather`, {
        network: 'tron:*',
        clients: [payer.client],
        afterPayment: (picked) =>
          say(
            `   client: signed ${picked.requirements.scheme} for ${units(BigInt(picked.requirements.amount))}; sending it in the PAYMENT-SIGNATURE header`,
          ),
      });
      if (!receipt) return ExitCode.failure;
      say(`   PAYMENT-RESPONSE: success, TRON transaction ${receipt.transaction} on ${receipt.network}`);
      const after = await balances();
      const delta = (a: bigint, b: bigint) => `${a >= b ? '+' : ''}${formatUnits(a - b, usdt.decimals)}`;
      say();
      say(
        `Balances after:  ${payer.label} ${units(after.payer)} (${delta(after.payer, before.payer)}),` +
          ` payee ${units(after.payTo)} (${delta(after.payTo, before.payTo)})`,
      );
      say();
      say(
        'On Nile itself: set tron.networks["tron:nile"].fullHost to https://nile.trongrid.io (TRON_GRID_API_KEY),',
      );
      say(
        'gasFree.baseUrl to https://open-test.gasfree.io/nile (GASFREE_API_KEY/SECRET), and fund the keys from a faucet.',
      );
      say('Done: stopping the API, the facilitator and the chain.');
      return ExitCode.ok;
    },
  );
}

/** Step 1: the offline TRON Nile with its GasFree API, said and pushed onto `stops`. */
async function startTronNile(mode: TronDemoMode, say: Say, stops: Stops): Promise<TronDemo> {
  say(
    '1. Starting TRON Nile offline (anvil at chain id 3448148188, a local TRON node, a local GasFree API) ...',
  );
  const devnet = await startTronDevnet();
  stops.push(() => devnet.stop());
  const gasFree = devnet.gasFree;
  if (!gasFree) throw new X402Error(Reasons.internalError, 'the TRON devnet started without GasFree');
  const usdt = devnet.assets.USDT;
  const units = (atomic: bigint) => `${formatUnits(atomic, usdt.decimals)} USDT`;
  say(`   TRON node (TronWeb fullHost) ${devnet.fullHost}; USDT (no-bool TRC-20) at ${usdt.address}`);
  say(`   PaymentPermit at ${devnet.contracts.paymentPermit}; GasFreeController at ${gasFree.controller}`);
  return { mode, devnet, gasFree, say, stops, units };
}

/**
 * Step 2: the production facilitator service with the TRON section of its config (a flat 1 %
 * PaymentPermit fee, GasFree's transfer fee), said; resolves with its URL.
 */
async function startTronFacilitator({ mode, devnet, gasFree, say, stops, units }: TronDemo): Promise<string> {
  const usdt = devnet.assets.USDT;
  const atomicPrice = parseUnits(mode.price, usdt.decimals);
  const permitFee = atomicPrice / 100n; // a flat 1 % of the demo price
  const gasFreeFee = gasFree.token.transferFee;
  say('2. Starting the facilitator (the production service, TRON section of its config) ...');
  const config = parseServiceConfig(
    {
      port: 0,
      signers: { privateKeys: [`0x${devnet.accounts.facilitator.privateKey}`] },
      ledger: { sqlite: { path: ':memory:' } },
      tron: {
        networks: { 'tron:nile': { fullHost: devnet.fullHost, gasFree: { baseUrl: gasFree.baseUrl } } },
        fees: { 'tron:nile': { [usdt.address]: { amount: permitFee.toString() } } },
        gasFreeFees: { 'tron:nile': { [usdt.address]: gasFreeFee.toString() } },
        receiptTimeoutMs: 20_000,
      },
    },
    { chains: [tronChain] },
  );
  const app = await createFacilitatorApp(config, { autoStart: false, log: () => {} });
  stops.push(() => app.close());
  const facilitatorServer = await startFacilitatorServer({ service: app.service, port: 0 });
  stops.push(() => facilitatorServer.close());
  say(`   POST ${facilitatorServer.url}/verify, POST /settle, GET /supported, POST /fee/quote`);
  say(
    mode.scheme === 'exact_permit'
      ? `   settles from ${devnet.accounts.facilitator.address} (the permit's caller); fee ${units(permitFee)} per payment`
      : `   submits to the GasFree API; provider ${gasFree.providers[0]} pays the energy and takes up to maxFee`,
  );
  return facilitatorServer.url;
}

/** Step 3: the paid weather API for the scheme, behind the facilitator at `facilitatorUrl`, said. */
async function startTronPaidApi(
  { mode, devnet, say, stops }: TronDemo,
  facilitatorUrl: string,
): Promise<Served> {
  say('3. Starting a paid API ...');
  const hooks = narrateFacilitator(say, {
    settled: (tx) => `settled, TRON transaction ${tx}`,
    payer: false,
  });
  const server: SchemeServer =
    mode.scheme === 'exact_permit' ? createExactPermitTronServer() : createExactGasFreeServer();
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
    schemes: [{ network: 'tron:*', server }],
    hooks,
  });
  await resourceServer.initialize();
  const payTo = devnet.accounts.payTo.address;
  const api = await serveWeatherApi(
    resourceServer,
    { scheme: mode.scheme, network: mode.network, payTo, price: `$${mode.price}` },
    stops,
  );
  say(`   GET ${api.url}/weather costs $${mode.price} in USDT on ${mode.network}, paid to ${payTo}`);
  return api;
}

type DemoPayer = { client: SchemeClient; label: string; balance(): Promise<bigint> };

/** Step 4: the payer's one-time setup (an approval for exact_permit, a funded GasFree account for exact_gasfree). */
async function preparePayer(
  mode: TronDemoMode,
  devnet: TronDevnet,
  say: Say,
  units: (atomic: bigint) => string,
): Promise<DemoPayer> {
  if (mode.scheme === 'exact_permit') {
    const payer = devnet.accounts.payer;
    say(
      `4. Client: payer ${payer.address}; the first payment approves PaymentPermit once (a TRON transaction)`,
    );
    return {
      client: createExactPermitTronClient({
        signer: payer.privateKey,
        node: { fullHost: devnet.fullHost },
        onApproval: (txid) => say(`   payer: approve(PaymentPermit, unlimited) in TRON transaction ${txid}`),
      }),
      label: 'payer',
      balance: async () => (await devnet.balances(payer.address)).USDT,
    };
  }
  const gasFree = devnet.gasFree;
  if (!gasFree) throw new X402Error(Reasons.internalError, 'the TRON devnet started without GasFree');
  const { tronDevnetAccount } = await import('@x402kit/devnet');
  const account = tronDevnetAccount(GASFREE_PAYER_INDEX);
  const gasFreeAddress = await gasFree.gasFreeAddressOf(account.address);
  await gasFree.fund(account.address, 5_000_000n);
  say(
    `4. Client: payer ${account.address} holds no TRX; its GasFree account ${gasFreeAddress} holds ${units(5_000_000n)}`,
  );
  say(
    `   (not yet activated: the first transfer also pays the activation fee ${units(gasFree.token.activateFee)})`,
  );
  return {
    client: createExactGasFreeClient({
      signer: privateKeyToAccount(`0x${account.privateKey}`),
      apis: { 'tron:nile': { baseUrl: gasFree.baseUrl } },
      node: { 'tron:nile': { url: devnet.fullHost } },
    }),
    label: 'payer GasFree account',
    balance: async () => (await devnet.balances(gasFreeAddress)).USDT,
  };
}
