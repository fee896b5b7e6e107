/**
 * `x402kit demo --network solana:devnet`: one paid API call on a local Solana devnet (litesvm behind a
 * Solana JSON-RPC server, devnet USDC at its real mint), narrated: the 402 with the facilitator's fee
 * payer, the payer's partially signed transaction, the settlement's signature, the balances.
 */
import {
  createHttpFacilitatorClient,
  createResourceServer,
  formatUnits,
  type PaymentPayload,
  type SettleResponse,
} from '@x402kit/core';
import { type SolanaDevnet, solanaDevnetSigner, startSolanaDevnet } from '@x402kit/devnet';
import { createFacilitatorApp, parseServiceConfig, startFacilitatorServer } from '@x402kit/facilitator';
import type { Served } from '@x402kit/http/node';
import { createExactSvmClient, createExactSvmServer } from '@x402kit/svm';
import { svmChain } from '@x402kit/svm/chain-module';
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

/** What the demo shows: the payer's and payee's USDC, the payer's and fee payer's SOL. */
type SolanaBalances = { payer: bigint; payTo: bigint; payerSol: bigint; feePayerSol: bigint };

/**
 * Run the Solana demo at `price` dollars (devnet USDC, 6 decimals); returns the exit code.
 *
 * @example await runSolanaDemo('0.01', (text) => process.stdout.write(text))
 */
export function runSolanaDemo(price: string, out: (text: string) => void): Promise<number> {
  return narrate(
    out,
    'x402kit demo: one paid API call on a local Solana devnet, exact (SPL TransferChecked)',
    async (say, stops) => {
      const devnet = await startSolanaChain(say, stops);
      const usdc = devnet.usdc;
      const units = (atomic: bigint) => `${formatUnits(atomic, usdc.decimals)} USDC`;
      const facilitatorUrl = await startSolanaFacilitator(devnet, say, stops);
      const api = await startSolanaPaidApi(devnet, facilitatorUrl, price, say, stops);

      const before = await readBalances(devnet);
      say();
      say(`Balances before: payer ${units(before.payer)}, payee ${units(before.payTo)}`);
      say();

      await showOffers(say, 4, `${api.url}/weather`, (r) => describeOffer(r, usdc.decimals));

      say('5. Client: paying and retrying ...');
      const receipt = await paySolana(devnet, `${api.url}/weather`, say, units);
      if (!receipt) return ExitCode.failure;
      say(
        `   PAYMENT-RESPONSE: success, signature ${receipt.transaction} on ${receipt.network}, payer ${receipt.payer}`,
      );

      const after = await readBalances(devnet);
      say();
      say(
        `Balances after:  payer ${units(after.payer)} (${formatUnits(after.payer - before.payer, usdc.decimals)}),` +
          ` payee ${units(after.payTo)} (+${formatUnits(after.payTo - before.payTo, usdc.decimals)})`,
      );
      say(
        `   SOL spent on fees: fee payer ${formatUnits(before.feePayerSol - after.feePayerSol, 9)} SOL, payer ${formatUnits(before.payerSol - after.payerSol, 9)} SOL`,
      );
      say();
      say('Done: stopping the API, the facilitator and the chain.');
      return ExitCode.ok;
    },
  );
}

/** Step 1: the local Solana devnet, said and pushed onto `stops`. */
async function startSolanaChain(say: Say, stops: Stops): Promise<SolanaDevnet> {
  say('1. Starting a local Solana devnet (litesvm behind a Solana JSON-RPC server) ...');
  const devnet = await startSolanaDevnet();
  stops.push(() => devnet.stop());
  const { payer, payTo, feePayer } = devnet.accounts;
  say(`   ${devnet.network} at ${devnet.rpcUrl}, devnet USDC (SPL Token) mint ${devnet.usdc.address}`);
  say(`   payer ${payer.address}, payee ${payTo.address}, fee payer ${feePayer.address}`);
  return devnet;
}

/** Step 2: the production facilitator service with the solana section of its config, said; its URL. */
async function startSolanaFacilitator(devnet: SolanaDevnet, say: Say, stops: Stops): Promise<string> {
  say(
    "2. Starting the facilitator (the production service, solana section of its config; it co-signs as fee payer and pays the network's fee) ...",
  );
  const config = parseServiceConfig(
    {
      port: 0,
      ledger: { sqlite: { path: ':memory:' } },
      solana: {
        networks: { [devnet.network]: { rpc: [devnet.rpcUrl] } },
        feePayerKeys: [devnet.accounts.feePayer.secretKey],
      },
    },
    { chains: [svmChain] },
  );
  const facilitator = await createFacilitatorApp(config, { autoStart: false, log: () => {} });
  stops.push(() => facilitator.close());
  const facilitatorServer = await startFacilitatorServer({ service: facilitator.service, port: 0 });
  stops.push(() => facilitatorServer.close());
  say(`   POST ${facilitatorServer.url}/verify, POST /settle, GET /supported`);
  return facilitatorServer.url;
}

/** Step 3: the paid weather API at `price` dollars, behind the facilitator at `facilitatorUrl`, said. */
async function startSolanaPaidApi(
  devnet: SolanaDevnet,
  facilitatorUrl: string,
  price: string,
  say: Say,
  stops: Stops,
): Promise<Served> {
  const { payTo } = devnet.accounts;
  say('3. Starting a paid API ...');
  const resourceServer = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
    schemes: [{ network: 'solana:*', server: createExactSvmServer() }],
    hooks: narrateFacilitator(say, {
      settled: (signature) => `co-signed, sent and confirmed; signature ${signature}`,
    }),
  });
  const api = await serveWeatherApi(
    resourceServer,
    { scheme: 'exact', network: devnet.network, payTo: payTo.address, price: `$${price}` },
    stops,
  );
  say(`   GET ${api.url}/weather costs $${price} in USDC, paid to ${payTo.address}`);
  return api;
}

/** The payer's and the payee's USDC, and the payer's and the fee payer's SOL. */
async function readBalances(devnet: SolanaDevnet): Promise<SolanaBalances> {
  const { payer, payTo, feePayer } = devnet.accounts;
  const [p, t, f] = await Promise.all([
    devnet.balances(payer.address),
    devnet.balances(payTo.address),
    devnet.balances(feePayer.address),
  ]);
  return { payer: p.USDC, payTo: t.USDC, payerSol: p.SOL, feePayerSol: f.SOL };
}

/** Step 5: pay `url` as the devnet payer, saying what was signed; the receipt when it settled. */
async function paySolana(
  devnet: SolanaDevnet,
  url: string,
  say: Say,
  units: (atomic: bigint) => string,
): Promise<SettleResponse | undefined> {
  const signer = await solanaDevnetSigner('payer');
  const clients = [createExactSvmClient({ signer, rpc: devnet.rpcUrl })];
  return payAndShow(say, url, {
    network: 'solana:*',
    clients: clients,
    afterPayment: (offer, payload) => {
      const transaction = String((payload as PaymentPayload).payload.transaction ?? '');
      say(
        `   client: signed a v0 transaction moving ${units(BigInt(offer.requirements.amount))} (TransferChecked to the payee's token account),` +
          ` fee payer ${String(offer.requirements.extra?.feePayer)}, ${Buffer.from(transaction, 'base64').length} bytes`,
      );
      say("   client: it carries only the payer's signature; sending it in the PAYMENT-SIGNATURE header");
    },
  });
}
