/**
 * Steps 1 and 2 of the EVM demos, narrated the same way: a local chain (anvil with USDC at Base
 * Sepolia's address) and our facilitator service on 127.0.0.1. What they start is stopped by the
 * caller, through `stops`.
 */
import { type Devnet, startDevnet } from '@x402kit/devnet';
import { createEvmFacilitator } from '@x402kit/evm/chain-module';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import type { Hex } from 'viem';
import type { Say, Stops } from './demo-steps.js';

/** What {@link startEvmDemoStack} started. */
export type EvmDemoStack = { devnet: Devnet; facilitatorUrl: string };

/**
 * Start the chain and the facilitator, saying so; each stop is pushed onto `stops`.
 *
 * @example
 * const { devnet, facilitatorUrl } = await startEvmDemoStack(say, stops)
 */
export async function startEvmDemoStack(say: Say, stops: Stops): Promise<EvmDemoStack> {
  say('1. Starting a local chain (anvil) ...');
  const devnet = await startDevnet({ port: 0 });
  stops.push(() => devnet.stop());
  const { payer, payTo, facilitator: relayer } = devnet.accounts;
  say(
    `   ${devnet.network} at ${devnet.rpcUrl}, USDC (EIP-3009) at ${devnet.token.address} (Base Sepolia's USDC address)`,
  );
  say(`   payer ${payer.address}, payee ${payTo.address}, facilitator ${relayer.address}`);

  say('2. Starting the facilitator ...');
  const engine = createEvmFacilitator({
    rpc: { [devnet.network]: devnet.rpcUrl },
    privateKeys: [relayer.privateKey as Hex],
  });
  stops.push(() => engine.close());
  const facilitatorServer = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator: engine }),
    port: 0,
  });
  stops.push(() => facilitatorServer.close());
  say(`   POST ${facilitatorServer.url}/verify, POST /settle, GET /supported`);
  return { devnet, facilitatorUrl: facilitatorServer.url };
}
