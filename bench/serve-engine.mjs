// Child-process entry for the bench's memory rows: our EVM engine alone behind the facilitator
// service, loaded from the packages' build by plain node (no tsx, whose loader would add its own
// memory to the figure). Prints `{"url": "..."}` when ready. argv: a JSON config as serve.ts takes.
import { createEvmFacilitator } from '@x402kit/evm/chain-module';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';

const config = JSON.parse(process.argv[2] ?? '{}');
const facilitator = createEvmFacilitator({
  rpc: { [config.network]: config.rpcUrl },
  privateKeys: [config.privateKey],
});
const server = await startFacilitatorServer({ service: createFacilitatorService({ facilitator }), port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on('SIGTERM', async () => {
  await server.close();
  process.exit(0);
});
