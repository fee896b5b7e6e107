/**
 * Child-process entry for the bench: starts one component (ours or the official one) and
 * prints `{"url": "..."}` when ready. Each component gets its own process so the load
 * generator and the server under test do not share an event loop.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyPairSignerFromBytes, getBase58Encoder } from '@solana/kit';
import { x402Facilitator } from '@x402/core/facilitator';
import { toFacilitatorSvmSigner } from '@x402/svm';
import { registerExactSvmScheme } from '@x402/svm/exact/facilitator';
import { createFacilitator } from '@x402kit/core';
import { createEvmFacilitator, evmChain } from '@x402kit/evm/chain-module';
import { createFacilitatorService, startFacilitatorServer } from '@x402kit/facilitator';
import { createExactSvmFacilitator } from '@x402kit/svm';
import {
  serveOfficialFacilitator,
  startOfficialFacilitator,
  startOfficialServer,
} from '@x402kit/testing/official';
import { startOurFacilitator, startOurServer } from '@x402kit/testing/ours';
import type { Hex } from 'viem';
import { createLedgerHooks, createSqliteLedger } from '../packages/facilitator/src/ledger/index.js';

type Config = {
  rpcUrl: string;
  network: string;
  privateKey: Hex;
  facilitatorUrl: string;
  payTo: string;
  /** Solana fee payers' 64-byte secret keys, base58 (the SVM kinds). */
  feePayers: string[];
};

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
    case 'our-svm-facilitator':
      return startOurSvmFacilitator();
    case 'official-svm-facilitator':
      return startOfficialSvmFacilitator();
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
    hooks: createLedgerHooks({ ledger, identify: evmChain.identify, instanceId: 'bench' }),
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

/** Our facilitator service with `exact` on SVM only, one or more fee payers (round-robin). */
async function startOurSvmFacilitator() {
  const svm = createExactSvmFacilitator({
    networks: { [config.network]: { rpcUrl: config.rpcUrl } },
    feePayers: config.feePayers,
  });
  const server = await startFacilitatorServer({
    service: createFacilitatorService({
      facilitator: createFacilitator({ schemes: [{ networks: svm.networks, facilitator: svm }] }),
    }),
    port: 0,
  });
  return { url: server.url, close: () => server.close() };
}

/** The official engine with `@x402/svm`'s exact registration (its signer holds one fee payer), on Express. */
async function startOfficialSvmFacilitator() {
  const [secret] = config.feePayers;
  if (!secret) throw new Error('official-svm-facilitator needs one fee payer');
  const signer = await createKeyPairSignerFromBytes(getBase58Encoder().encode(secret));
  const facilitator = new x402Facilitator();
  registerExactSvmScheme(facilitator, {
    signer: toFacilitatorSvmSigner(signer, { defaultRpcUrl: config.rpcUrl }),
    networks: config.network as `${string}:${string}`,
  });
  return serveOfficialFacilitator(facilitator);
}

const running = await start();
process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
const stop = async () => {
  await running.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
