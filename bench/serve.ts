/**
 * Child-process entry for the bench: starts one component (ours or the official one) and
 * prints `{"url": "..."}` when ready. Each component gets its own process so the load
 * generator and the server under test do not share an event loop.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';

// Each kind imports only what it serves (dynamic imports below), so a process's memory is that of
// its component, not of every stack this file can start.

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
      return startEngineFacilitator();
    case 'our-facilitator-ledger':
      return startLedgerFacilitator();
    case 'our-facilitator-app':
      return startFacilitatorAppServer();
    case 'official-facilitator':
      return (await import('@x402kit/testing/official')).startOfficialFacilitator(config);
    case 'our-server':
      return (await import('@x402kit/testing/ours')).startOurServer(config);
    case 'official-server':
      return (await import('@x402kit/testing/official')).startOfficialServer(config);
    case 'our-svm-facilitator':
      return startOurSvmFacilitator();
    case 'official-svm-facilitator':
      return startOfficialSvmFacilitator();
    default:
      throw new Error(`unknown component ${kind}`);
  }
}

/** Our facilitator service over HTTP: the EVM engine alone, no ledger. */
async function startEngineFacilitator() {
  const { createEvmFacilitator } = await import('@x402kit/evm/chain-module');
  const { createFacilitatorService, startFacilitatorServer } = await import('@x402kit/facilitator');
  const facilitator = createEvmFacilitator({
    rpc: { [config.network]: config.rpcUrl },
    privateKeys: [config.privateKey],
  });
  const server = await startFacilitatorServer({
    service: createFacilitatorService({ facilitator }),
    port: 0,
  });
  return { url: server.url, close: () => server.close() };
}

/** Our facilitator as deployed: every verify and settle through the settlement ledger (a SQLite file). */
async function startLedgerFacilitator() {
  const { createEvmFacilitator, evmChain } = await import('@x402kit/evm/chain-module');
  const { createFacilitatorService, startFacilitatorServer } = await import('@x402kit/facilitator');
  // loaded here, not at the top: the ledger's internals come from the facilitator's sources (tsx
  // compiles them), which the memory rows' processes, run from the build, should not load
  const { createLedgerHooks, createSqliteLedger } = await import(
    '../packages/facilitator/src/ledger/index.js'
  );
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

/** The whole deployment as `x402kit facilitator` runs it: `createFacilitatorApp` with its SQLite ledger file. */
async function startFacilitatorAppServer() {
  const { evmChain } = await import('@x402kit/evm/chain-module');
  const { createFacilitatorApp, parseServiceConfig, startFacilitatorServer } = await import(
    '@x402kit/facilitator'
  );
  const serviceConfig = parseServiceConfig(
    {
      networks: { [config.network]: { rpc: [config.rpcUrl] } },
      signers: { privateKeys: [config.privateKey] },
      ledger: { sqlite: { path: join(mkdtempSync(join(tmpdir(), 'x402kit-bench-')), 'ledger.db') } },
    },
    { chains: [evmChain] },
  );
  const app = await createFacilitatorApp(serviceConfig);
  const server = await startFacilitatorServer({ service: app.service, port: 0, log: app.log });
  return {
    url: server.url,
    close: async () => {
      await server.close();
      await app.close();
    },
  };
}

/** Our facilitator service with `exact` on SVM only, one or more fee payers (round-robin). */
async function startOurSvmFacilitator() {
  const { createFacilitator } = await import('@x402kit/core');
  const { createFacilitatorService, startFacilitatorServer } = await import('@x402kit/facilitator');
  const { createExactSvmFacilitator } = await import('@x402kit/svm');
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
  const { createKeyPairSignerFromBytes, getBase58Encoder } = await import('@solana/kit');
  const { x402Facilitator } = await import('@x402/core/facilitator');
  const { toFacilitatorSvmSigner } = await import('@x402/svm');
  const { registerExactSvmScheme } = await import('@x402/svm/exact/facilitator');
  const { serveOfficialFacilitator } = await import('@x402kit/testing/official');
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
