/** `x402kit demo --scheme permit2 | upto | exact_permit`: the other EVM payment methods, narrated. */
import {
  createFacilitator,
  createHttpFacilitatorClient,
  createResourceServer,
  type Facilitator,
  formatUnits,
  type PaymentPayload,
  parseUnits,
  Reasons,
  type SchemeClient,
  type SchemeServer,
  X402Error,
} from '@x402kit/core';
import {
  confirmTransaction,
  createDevnetClient,
  readTokenBalance,
  startDevnet,
  startDevnets,
} from '@x402kit/devnet';
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
import { type Address, type Chain, createPublicClient, getAddress, type Hex, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ExitCode } from '../../command.js';
import type { DemoMode, DemoScheme } from './demo-mode.js';
import { narrate, narrateFacilitator, payAndShow, serveWeatherApi, showOffers } from './demo-steps.js';
import { describeOffer } from './exact-demo.js';

/** The EVM demos other than the default `exact` one. */
export type EvmSchemeMode = Exclude<DemoMode, { scheme: 'exact' } | { tron: true }>;

/** The chain a scheme demo runs on, whichever devnet started it. */
type DemoChain = {
  network: string;
  rpcUrl: string;
  chain: Chain;
  token: { address: Address; symbol: string; decimals: number };
  payer: { address: Address; privateKey: Hex };
  payTo: Address;
  relayer: { address: Address; privateKey: Hex };
  stop(): Promise<void>;
};

/** Where `exact_permit` fees go in the demo (an address nobody holds, so its balance is exactly the fees). */
const DEMO_FEE_TO = getAddress('0x000000000000000000000000000000000000fee1');

async function startDemoChain(mode: EvmSchemeMode): Promise<DemoChain> {
  if (mode.scheme === 'exact_permit') {
    const devnets = await startDevnets({ chains: [{ chainId: 97 }] });
    const bsc = devnets.getChain(97);
    const usdt = bsc.assets.USDT;
    if (!usdt) {
      await devnets.stop();
      throw new X402Error(Reasons.internalError, 'the BSC devnet has no USDT');
    }
    const { payer, payTo, facilitator } = devnets.accounts;
    return {
      network: bsc.network,
      rpcUrl: bsc.rpcUrl,
      chain: bsc.chain,
      token: { address: usdt.address, symbol: usdt.symbol, decimals: usdt.decimals },
      payer: { address: payer.address, privateKey: payer.privateKey },
      payTo: payTo.address,
      relayer: { address: facilitator.address, privateKey: facilitator.privateKey },
      stop: () => devnets.stop(),
    };
  }
  const devnet = await startDevnet({ port: 0 });
  const { payer, payTo, facilitator } = devnet.accounts;
  return {
    network: devnet.network,
    rpcUrl: devnet.rpcUrl,
    chain: devnet.chain,
    token: { address: devnet.token.address, symbol: 'USDC', decimals: devnet.token.decimals },
    payer: { address: payer.address, privateKey: payer.privateKey },
    payTo: payTo.address,
    relayer: { address: facilitator.address, privateKey: facilitator.privateKey },
    stop: () => devnet.stop(),
  };
}

const SCHEME_TITLES: Record<Exclude<DemoScheme, 'exact' | 'exact_gasfree'>, string> = {
  permit2: 'exact via Permit2',
  upto: 'upto (a maximum, the API charges what was used) via Permit2',
  exact_permit: "exact_permit (BofAI's PaymentPermit) with a facilitator fee",
};

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
      say(`1. Starting a local chain (anvil, ${mode.network}) ...`);
      const chain = await startDemoChain(mode);
      stops.push(() => chain.stop());
      const { token, payer, payTo, relayer } = chain;
      const units = (atomic: bigint) => `${formatUnits(atomic, token.decimals)} ${token.symbol}`;
      say(
        `   ${chain.network} at ${chain.rpcUrl}, ${token.symbol} (${token.decimals} decimals) at ${token.address}`,
      );
      say(`   payer ${payer.address}, payee ${payTo}, facilitator ${relayer.address}`);

      say('2. Starting the facilitator ...');
      let facilitator: Facilitator;
      let feeQuote: ReturnType<typeof createEvmFacilitator>['quoteFee'];
      const atomicPrice = parseUnits(mode.price, token.decimals);
      const fee = atomicPrice / 100n; // exact_permit: a flat 1 % of the demo price
      if (mode.scheme === 'exact_permit') {
        const engine = createEvmFacilitator({
          rpc: { [chain.network]: chain.rpcUrl },
          privateKeys: [relayer.privateKey],
          fees: { [chain.network]: { [token.address]: { feeTo: DEMO_FEE_TO, amount: fee.toString() } } },
        });
        stops.push(() => engine.close());
        facilitator = engine;
        feeQuote = engine.quoteFee;
      } else {
        const common = {
          networks: { [chain.network]: { rpcUrl: chain.rpcUrl } },
          signers: [relayer.privateKey],
          pollingIntervalMs: 20,
        };
        const exact = createExactEvmFacilitator(common);
        const upto = createUptoEvmFacilitator(common);
        stops.push(
          () => exact.close(),
          () => upto.close(),
        );
        facilitator = createFacilitator({
          schemes: [
            { networks: exact.networks, facilitator: exact },
            { networks: upto.networks, facilitator: upto },
          ],
          extensions: [EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING],
        });
      }
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

      say('3. Starting a paid API ...');
      const hooks = narrateFacilitator(say);
      const servers: SchemeServer[] =
        mode.scheme === 'exact_permit'
          ? [createExactPermitEvmServer()]
          : [createExactEvmServer(), createUptoEvmServer()];
      const resourceServer = createResourceServer({
        facilitators: createHttpFacilitatorClient({ url: facilitatorServer.url }),
        schemes: servers.map((server) => ({ network: 'eip155:*', server })),
        hooks,
      });
      await resourceServer.initialize();
      const price =
        mode.scheme === 'permit2'
          ? {
              amount: atomicPrice.toString(),
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

      const read = (who: Address) => readTokenBalance(chain.rpcUrl, token.address, who);
      const balances = async () => ({
        payer: await read(payer.address),
        payTo: await read(payTo),
        feeTo: mode.scheme === 'exact_permit' ? await read(DEMO_FEE_TO) : 0n,
      });

      say();
      const accepts = await showOffers(say, 4, `${api.url}/weather`, (r) =>
        describeOffer(r, token.decimals, token.symbol),
      );
      const offer = accepts[0];
      if (!offer) {
        say('   no x402 v2 offer to pay');
        return ExitCode.failure;
      }

      const rpc = createPublicClient({ chain: chain.chain, transport: http(chain.rpcUrl) });
      const wallet = createDevnetClient(chain.chain);
      const account = privateKeyToAccount(payer.privateKey);
      say('5. Client: the one-time approval');
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
      } else {
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

      const before = await balances();
      say();
      say(
        `Balances before: payer ${units(before.payer)}, payee ${units(before.payTo)}` +
          (mode.scheme === 'exact_permit' ? `, fee recipient ${units(before.feeTo)}` : ''),
      );
      say();

      say('6. Client: paying and retrying ...');
      const clients: SchemeClient[] =
        mode.scheme === 'exact_permit'
          ? [createExactPermitEvmClient({ signer: account })]
          : [createExactEvmClient({ signer: account }), createUptoEvmClient({ signer: account })];
      const receipt = await payAndShow(say, `${api.url}/weather`, {
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
      if (!receipt) return ExitCode.failure;
      say(
        `   PAYMENT-RESPONSE: success, transaction ${receipt.transaction} on ${receipt.network}, payer ${receipt.payer}` +
          (receipt.amount !== undefined ? `, amount ${receipt.amount}` : ''),
      );
      if (mode.scheme === 'upto')
        say(
          `   upto: authorized at most ${units(BigInt(offer.amount))}, charged ${units(BigInt(receipt.amount ?? offer.amount))}`,
        );

      const after = await balances();
      const delta = (a: bigint, b: bigint) => `${a >= b ? '+' : ''}${formatUnits(a - b, token.decimals)}`;
      say();
      say(
        `Balances after:  payer ${units(after.payer)} (${delta(after.payer, before.payer)}),` +
          ` payee ${units(after.payTo)} (${delta(after.payTo, before.payTo)})` +
          (mode.scheme === 'exact_permit'
            ? `, fee recipient ${units(after.feeTo)} (${delta(after.feeTo, before.feeTo)})`
            : ''),
      );
      say();
      say('Done: stopping the API, the facilitator and the chain.');
      return ExitCode.ok;
    },
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
