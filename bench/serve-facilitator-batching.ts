/**
 * Child-process entry for the settlement bench: our facilitator service with several signer keys
 * and, optionally, batched settlement; prints `{"url": "..."}` when ready (as bench/serve.ts does).
 *
 * @example
 * node --conditions=source --import tsx bench/serve-facilitator-batching.ts '{"rpcUrl":"http://127.0.0.1:8545","network":"eip155:84532","privateKeys":["0x…"],"batching":{"windowMs":250}}'
 */
import type { ExactEvmFacilitatorOptions } from '@x402kit/evm';
import { createEvmFacilitator } from '@x402kit/evm/chain-module';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import type { Hex } from 'viem';

type Config = {
  rpcUrl: string;
  network: string;
  privateKeys: Hex[];
  /** JSON-safe batching options (`maxGas` left out), or false. */
  batching: Omit<Exclude<ExactEvmFacilitatorOptions['batching'], false | undefined>, 'maxGas'> | false;
};

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const facilitator = createEvmFacilitator({
  rpc: { [config.network]: config.rpcUrl },
  privateKeys: config.privateKeys,
  exact: { batching: config.batching },
});
const server = await startFacilitatorServer({ service: createFacilitatorService({ facilitator }), port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
const stop = async () => {
  await server.close();
  facilitator.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
