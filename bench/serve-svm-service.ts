/**
 * Child-process entry for bench/svm-bench.ts: our facilitator service as `x402kit facilitator`
 * builds it (the EVM, TRON and Solana chain modules given, a `solana` section configured, a SQLite
 * ledger file, the reconciler and the balance monitor running), every `/verify` and `/settle`
 * through the settlement ledger. Prints `{"url": "..."}` when ready.
 *
 * Usage: `node --conditions=source --import tsx bench/serve-svm-service.ts '{"rpcUrl":…,"feePayers":[…]}'`
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFacilitatorApp, parseServiceConfig, startFacilitatorServer } from '@x402kit/facilitator';
import { SERVICE_CHAINS } from '@x402kit/testing/solana-service';

const { rpcUrl, network, feePayers } = JSON.parse(process.argv[2] ?? '{}') as {
  rpcUrl: string;
  network: string;
  feePayers: string[];
};
const config = parseServiceConfig(
  {
    port: 0,
    instanceId: 'bench-svm-service',
    ledger: { sqlite: { path: join(mkdtempSync(join(tmpdir(), 'x402kit-bench-svm-')), 'ledger.db') } },
    solana: { networks: { [network]: { rpc: [rpcUrl] } }, feePayerKeys: feePayers },
  },
  { chains: SERVICE_CHAINS },
);
const app = await createFacilitatorApp(config, { log: () => {} });
const server = await startFacilitatorServer({ service: app.service, port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
const stop = async () => {
  await server.close();
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
