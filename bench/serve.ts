/**
 * Child-process entry for the bench: starts one component (ours or the official one) and
 * prints `{"url": "..."}` when ready. Each component gets its own process so the load
 * generator and the server under test do not share an event loop.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvmFacilitator, createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import type { Hex } from 'viem';
import {
  createLedgerHooks,
  createSqliteLedger,
  identifyPayment,
} from '../packages/facilitator/src/ledger/index.js';
import { startOfficialFacilitator, startOfficialServer } from '../test/support/official.js';
import { startOurFacilitator, startOurServer } from '../test/support/ours.js';

type Config = { rpcUrl: string; network: string; privateKey: Hex; facilitatorUrl: string; payTo: string };

const [kind, json] = process.argv.slice(2);
const config = JSON.parse(json ?? '{}') as Config;

async function start() {
  switch (kind) {
    case 'our-facilitator':
      return startOurFacilitator({
        rpcUrl: config.rpcUrl,
        network: config.network,
        privateKeys: [config.privateKey],
      });
    case 'our-facilitator-ledger':
      return startLedgerFacilitator();
    case 'official-facilitator':
      return startOfficialFacilitator(config);
    case 'our-server':
      return startOurServer(config);
    case 'official-server':
      return startOfficialServer(config);
    default:
      throw new Error(`unknown component ${kind}`);
  }
}

/** Our facilitator as deployed: every verify and settle through the settlement ledger (a SQLite file). */
async function startLedgerFacilitator() {
  const ledger = await createSqliteLedger({
    path: join(mkdtempSync(join(tmpdir(), 'x402kit-bench-')), 'ledger.db'),
  });
  const facilitator = createEvmFacilitator({
    rpc: { [config.network]: config.rpcUrl },
    privateKeys: [config.privateKey],
    hooks: createLedgerHooks({ ledger, identify: identifyPayment, instanceId: 'bench' }),
  });
  const server = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator }),
    port: 0,
  });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      facilitator.close();
      await ledger.close();
    },
  };
}

const running = await start();
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
const stop = async () => {
  await running.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
