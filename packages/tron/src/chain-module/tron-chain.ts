/**
 * TRON as the facilitator service sees it: the `tron` config section, `exact_permit` and
 * `exact_gasfree` settled from the deployment's secp256k1 keys, payment identities for the ledger,
 * reconciliation of pending settlements, node probes and the keys' TRX balances.
 */
import {
  type ChainModule,
  type ChainRuntime,
  type ChainStartContext,
  firstReconciler,
  Reasons,
  X402Error,
} from '@x402kit/core';
import { perNetworkHealth } from '@x402kit/core/internal';
import { identifyTronPayment } from './identify-tron-payment.js';
import { probeTronNode } from './probe-tron-node.js';
import { readTronBalances } from './read-tron-balances.js';
import { createExactPermitTronReconciler } from './reconcile-exact-permit-tron.js';
import { createTronReceiptReconciler } from './reconcile-tron-receipt.js';
import { tronAddressKey, tronLedgerAddress } from './tron-address-key.js';
import { type TronConfig, TronConfigSchema, tronEnvDefaults } from './tron-config.js';
import { createTronSchemes } from './tron-schemes.js';

/**
 * The config sections the TRON module owns.
 *
 * @example
 * const sections: Partial<TronSections> = { tron: TronConfigSchema.parse(yaml.tron) }
 */
export type TronSections = { tron: TronConfig };

/**
 * The TRON chain module.
 *
 * @example
 * const config = await loadServiceConfig({ file: 'facilitator.yaml', env: process.env, chains: [evmChain, tronChain] })
 */
export const tronChain: ChainModule<TronSections> = {
  family: 'tron',
  sections: { tron: TronConfigSchema },
  balanceUnit: 'Sun',
  needsPrivateKeys: true,
  configured: (sections) => sections.tron !== undefined,
  envDefaults: tronEnvDefaults,
  identify: identifyTronPayment,
  addressKey: tronAddressKey,
  ledgerAddress: tronLedgerAddress,
  start: startTron,
};

/**
 * Start the TRON schemes of the `tron` section with the deployment's keys.
 *
 * @example
 * const runtime = await tronChain.start({ sections: { tron }, privateKeys: [key], settlement: {}, openSponsorBudget, log })
 */
async function startTron(context: ChainStartContext<TronSections>): Promise<ChainRuntime> {
  const config = context.sections.tron;
  if (config === undefined)
    throw new X402Error(Reasons.internalError, 'tron: the module was started without a tron section');
  const schemes = createTronSchemes(config, context.privateKeys);
  const nodes = Object.entries(schemes.nodes);
  return {
    registrations: schemes.registrations,
    quoteFee: schemes.quoteFee,
    settlementAddresses: schemes.settlementAddresses,
    reconcile: firstReconciler(
      createExactPermitTronReconciler(config.networks),
      createTronReceiptReconciler(schemes.nodes),
    ),
    ...perNetworkHealth(
      nodes,
      {
        probe: (_network, node, timeoutMs) => probeTronNode(node, timeoutMs),
        read: (network, node, timeoutMs) =>
          readTronBalances(network, node, schemes.settlementAddresses, timeoutMs),
      },
      context.log,
    ),
    ready: schemes.ready,
    close: schemes.close,
  };
}
