/**
 * Solana as the facilitator service sees it: the `solana` config section, `exact` on every
 * configured network settled by the deployment's own fee payers (not `signers.privateKeys`: Solana
 * keys are Ed25519), ledger identity by the payer's signature, reconciliation from signature
 * statuses, `/health` from each node's genesis hash and health, and the fee payers' lamports.
 */
import { createSolanaRpc, type Lamports } from '@solana/kit';
import { type ChainModule, type ChainRuntime, type RelayerReading, X402Error } from '@x402kit/core';
import { perNetworkHealth } from '@x402kit/core/internal';
import { solanaAddresses } from '../address.js';
import { createExactSvmFacilitator } from '../exact/facilitator.js';
import { createFeePayers } from '../fee-payers.js';
import { SvmReasons } from '../reasons.js';
import { createFailoverRpc, type FailoverRpc } from './failover-rpc.js';
import { identifyExactSvm } from './identify-exact-svm.js';
import { createExactSvmReconciler } from './reconcile-exact-svm.js';
import { SolanaConfigSchema, type SvmSections, solanaEnvOverrides } from './solana-config.js';

/**
 * The Solana chain module, for the facilitator service.
 *
 * @example
 * const config = await loadServiceConfig({ file: 'facilitator.yaml', env: process.env, chains: [evmChain, tronChain, svmChain] })
 * // facilitator.yaml: solana: { networks: { 'solana:devnet': { rpc: [https://api.devnet.solana.com] } } }
 * // env: SOLANA_FEE_PAYER_KEYS=<base58 64-byte secret key>,…
 */
export const svmChain: ChainModule<SvmSections> = {
  family: 'solana',
  sections: { solana: SolanaConfigSchema },
  balanceUnit: 'Lamports',
  needsPrivateKeys: false,
  configured: (sections) => Object.keys(sections.solana?.networks ?? {}).length > 0,
  envOverrides: solanaEnvOverrides,
  identify: identifyExactSvm,
  addressKey: solanaAddresses.canonical,
  ledgerAddress: solanaAddresses.canonical,
  async start(context): Promise<ChainRuntime> {
    const config = context.sections.solana;
    if (!config || Object.keys(config.networks).length === 0) return idleRuntime();
    const { receiptTimeoutMs, rpcTimeoutMs } = context.settlement;
    const rpcs = new Map<string, FailoverRpc>(
      Object.entries(config.networks).map(([network, { rpc }]) => [
        network,
        createFailoverRpc(rpc, rpcTimeoutMs === undefined ? {} : { timeoutMs: rpcTimeoutMs }),
      ]),
    );
    // one RPC per URL too: /health names the first URL's problem only when none answers
    const nodes = Object.entries(config.networks).map(
      ([network, { rpc }]) => [network, rpc.map((url) => createSolanaRpc(url))] as const,
    );
    const feePayers = createFeePayers(config.feePayerKeys);
    const exact = createExactSvmFacilitator({
      networks: Object.fromEntries([...rpcs].map(([network, rpc]) => [network, { rpc }])),
      feePayers: config.feePayerKeys,
      ...(config.maxComputeUnitPrice === undefined
        ? {}
        : { maxComputeUnitPriceMicroLamports: config.maxComputeUnitPrice }),
      ...(receiptTimeoutMs === undefined ? {} : { confirmTimeoutMs: receiptTimeoutMs }),
    });
    return {
      registrations: [{ networks: exact.networks, facilitator: exact }],
      settlementAddresses: exact.feePayers,
      // no account nonce: every instance behind one URL holds (and sends from) every fee payer it advertises
      sharedSettlementAddresses: true,
      reconcile: createExactSvmReconciler({ rpcFor: (network) => rpcs.get(network), feePayers }),
      ...perNetworkHealth(
        nodes,
        {
          probe: probeNetwork,
          read: (network, urls, timeoutMs) => readNetwork(network, urls, exact.feePayers, timeoutMs),
        },
        context.log,
      ),
      close() {
        // nothing runs between settlements: confirmation waits end with their requests
      },
    };
  },
};

type NodeRpc = ReturnType<typeof createSolanaRpc>;

/** `'ok'` when one of the network's nodes is on its chain (genesis hash) and healthy, else the last problem. */
async function probeNetwork(network: string, urls: readonly NodeRpc[], timeoutMs: number): Promise<string> {
  let last = 'error: no RPC URL';
  for (const rpc of urls) {
    try {
      const abortSignal = AbortSignal.timeout(timeoutMs);
      const [genesis, health] = await Promise.all([
        rpc.getGenesisHash().send({ abortSignal }),
        rpc.getHealth().send({ abortSignal }),
      ]);
      const id = `solana:${genesis.slice(0, 32)}`;
      if (id !== network) {
        last = `error: RPC is on ${id}`;
        continue;
      }
      if (health !== 'ok') {
        last = `error: node health ${String(health)}`;
        continue;
      }
      return 'ok';
    } catch (error) {
      last = `error: ${message(error)}`;
    }
  }
  return last;
}

/** The fee payers' lamports on one network, from the first node that answers. */
async function readNetwork(
  network: string,
  urls: readonly NodeRpc[],
  addresses: readonly string[],
  timeoutMs: number,
): Promise<RelayerReading[]> {
  let last: unknown = new X402Error(SvmReasons.config, `no RPC URL for ${network}`);
  for (const rpc of urls) {
    try {
      const abortSignal = AbortSignal.timeout(timeoutMs);
      return await Promise.all(
        addresses.map(async (address) => {
          const { value } = await rpc
            .getBalance(address as Parameters<NodeRpc['getBalance']>[0])
            .send({ abortSignal });
          return { network, address, balance: BigInt(value satisfies Lamports), nonceLag: 0 };
        }),
      );
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

function idleRuntime(): ChainRuntime {
  return {
    registrations: [],
    settlementAddresses: [],
    probe: async () => ({}),
    readBalances: async () => [],
    close() {},
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
