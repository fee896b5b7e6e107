/** `x402kit demo` (default): exact via EIP-3009 on Base Sepolia's USDC. */
import {
  createHttpFacilitatorClient,
  createResourceServer,
  formatUnits,
  type PaymentPayload,
  type PaymentRequirements,
} from '@x402kit/core';
import { readTokenBalance } from '@x402kit/devnet';
import { createExactEvmClient, createExactEvmServer } from '@x402kit/evm';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ExitCode } from '../../command.js';
import { narrate, narrateFacilitator, payAndShow, serveWeatherApi, showOffers } from './demo-steps.js';
import { startEvmDemoStack } from './evm-demo-stack.js';

export function runDemo(price: string, out: (text: string) => void): Promise<number> {
  return narrate(out, 'x402kit demo: one paid API call on a local chain', async (say, stops) => {
    const { devnet, facilitatorUrl } = await startEvmDemoStack(say, stops);
    const { payer, payTo } = devnet.accounts;
    const usdc = devnet.token;

    say('3. Starting a paid API ...');
    const resourceServer = createResourceServer({
      facilitators: createHttpFacilitatorClient({ url: facilitatorUrl }),
      schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
      hooks: narrateFacilitator(say),
    });
    const api = await serveWeatherApi(
      resourceServer,
      { scheme: 'exact', network: devnet.network, payTo: payTo.address, price: `$${price}` },
      stops,
    );
    say(`   GET ${api.url}/weather costs $${price} in USDC, paid to ${payTo.address}`);

    const balances = async () => ({
      payer: await readTokenBalance(devnet.rpcUrl, usdc.address, payer.address as Hex),
      payTo: await readTokenBalance(devnet.rpcUrl, usdc.address, payTo.address as Hex),
    });
    const before = await balances();
    say();
    say(
      `Balances before: payer ${formatUnits(before.payer, usdc.decimals)} USDC, payee ${formatUnits(before.payTo, usdc.decimals)} USDC`,
    );
    say();

    await showOffers(say, 4, `${api.url}/weather`, (r) => describeOffer(r, usdc.decimals));

    say('5. Client: paying and retrying ...');
    const signer = privateKeyToAccount(payer.privateKey as Hex);
    const receipt = await payAndShow(say, `${api.url}/weather`, {
      network: 'eip155:*',
      clients: [createExactEvmClient({ signer })],
      afterPayment: (offer, payload) => {
        const auth = (payload as PaymentPayload).payload.authorization as Record<string, string>;
        say(
          `   client: signed an EIP-3009 authorization for ${formatUnits(BigInt(offer.requirements.amount), usdc.decimals)} USDC` +
            ` (value ${auth.value}) from ${auth.from} to ${auth.to}, valid until ${new Date(Number(auth.validBefore) * 1000).toISOString()}`,
        );
        say(`   client: nonce ${auth.nonce}; sending it in the PAYMENT-SIGNATURE header`);
      },
    });
    if (!receipt) return ExitCode.failure;
    say(
      `   PAYMENT-RESPONSE: success, transaction ${receipt.transaction} on ${receipt.network}, payer ${receipt.payer}`,
    );

    const after = await balances();
    say();
    say(
      `Balances after:  payer ${formatUnits(after.payer, usdc.decimals)} USDC (${formatUnits(after.payer - before.payer, usdc.decimals)}),` +
        ` payee ${formatUnits(after.payTo, usdc.decimals)} USDC (+${formatUnits(after.payTo - before.payTo, usdc.decimals)})`,
    );
    say();
    say('Done: stopping the API, the facilitator and the chain.');
    return ExitCode.ok;
  });
}

export function describeOffer(r: PaymentRequirements, decimals: number, symbol = 'USDC'): string {
  const extra = r.extra ? ` extra ${JSON.stringify(r.extra)}` : '';
  return `${r.scheme} on ${r.network}: ${r.amount} atomic units (${formatUnits(BigInt(r.amount), decimals)} ${symbol}) of ${r.asset} to ${r.payTo}, within ${r.maxTimeoutSeconds} s;${extra}`;
}
