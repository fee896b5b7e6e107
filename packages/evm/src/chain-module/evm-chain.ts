/**
 * The EVM chain, as the facilitator service sees it: its config sections (`networks`, `evm`,
 * `fees`), its schemes (`exact` with EIP-3009 and Permit2, `exact_permit` where fees are priced),
 * the ledger identity of its payments, the reconciliation of its pending settlements, its nodes'
 * health and its settlement keys' gas money.
 */
import { type ChainModule, type ChainRuntime, type ChainStartContext, firstReconciler } from '@x402kit/core';
import { perNetworkHealth } from '@x402kit/core/internal';
import { privateKeyToAccount } from 'viem/accounts';
import { addressKey, isEvmAddress } from '../address.js';
import { createBatchSettlementReconciler } from '../batch-settlement/facilitator-reconcile.js';
import { EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING } from '../permit2/index.js';
import { batchSettlementMetrics } from './batch-settlement-metrics.js';
import { createEvmSchemes } from './create-evm-schemes.js';
import { EVM_SECTIONS, type EvmSections, EvmSettingsSchema, evmEnvOverrides } from './evm-sections.js';
import { identifyEvmPayment } from './identify-evm-payment.js';
import { probeEvmNetwork } from './probe-evm-network.js';
import { readEvmRelayers } from './read-evm-relayers.js';
import { createEvmReceiptReconciler } from './reconcile-evm-receipt.js';
import { createExactEvmReconciler } from './reconcile-exact-evm.js';
import { createExactPermitEvmReconciler } from './reconcile-exact-permit-evm.js';
import { createPermit2Reconciler } from './reconcile-permit2.js';

/** A 0x 20-byte address in lower case, or `undefined` for anything else. */
function evmAddressKey(address: string): string | undefined {
  return isEvmAddress(address) ? addressKey(address) : undefined;
}

/**
 * The EVM chain module, for the facilitator service.
 *
 * @example
 * const config = await loadServiceConfig({ file: 'facilitator.yaml', env: process.env, chains: [evmChain] })
 * const app = await createFacilitatorApp(config)
 */
export const evmChain: ChainModule<EvmSections> = {
  family: 'evm',
  sections: EVM_SECTIONS,
  balanceUnit: 'Wei',
  needsPrivateKeys: true,
  configured: (sections) => Object.keys(sections.networks ?? {}).length > 0,
  envOverrides: evmEnvOverrides,
  identify: identifyEvmPayment,
  addressKey: evmAddressKey,
  ledgerAddress: evmAddressKey,
  start: startEvmChain,
};

/**
 * Start the EVM chain: its schemes with the deployment's keys, gas cap, clocks and sponsor budget.
 *
 * @example const runtime = await startEvmChain({ sections, privateKeys, settlement: {}, openSponsorBudget, log })
 */
export async function startEvmChain(context: ChainStartContext<EvmSections>): Promise<ChainRuntime> {
  const rpc = Object.fromEntries(
    Object.entries(context.sections.networks ?? {}).map(([network, { rpc }]) => [network, rpc]),
  );
  const firstRpc = Object.fromEntries(
    Object.entries(rpc).flatMap(([network, urls]) => (urls[0] ? [[network, urls[0]]] : [])),
  );
  const settings = context.sections.evm ?? EvmSettingsSchema.parse({});
  const fees = context.sections.fees;
  const gas = context.settlement.maxGasPerSettlement;
  const { receiptTimeoutMs, rpcTimeoutMs } = context.settlement;
  const { batching, stuckAfterMs, erc6492Factories } = settings;
  // the budget of gas spent on payers' behalf, in the deployment's database so instances share it
  const { maxTopUpWei, perPayerPerDayWei, perKeyPerDayWei, ...sponsoring } = settings.gasSponsoring;
  const budget = await context.openSponsorBudget({ maxTopUpWei, perPayerPerDayWei, perKeyPerDayWei });
  const schemes = createEvmSchemes({
    rpc,
    privateKeys: context.privateKeys,
    ...(fees === undefined ? {} : { fees }),
    ...(gas === undefined ? {} : { exactPermit: { gasLimit: BigInt(Math.min(gas, 300_000)) } }),
    batchSettlement: {
      ...(receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs }),
      ...(rpcTimeoutMs === undefined ? {} : { rpcTimeoutMs }),
      ...(stuckAfterMs === undefined ? {} : { stuckAfterMs }),
      ...(settings.batchSettlement?.authorizerKey
        ? { authorizerKey: settings.batchSettlement.authorizerKey }
        : {}),
      ...(context.record ? { onSettled: batchSettlementMetrics(context.record) } : {}),
    },
    exact: {
      // the cap bounds every EVM settlement: EIP-3009 (both overloads) and Permit2 (exact via the proxy)
      ...(gas === undefined
        ? {}
        : {
            gasLimit: BigInt(Math.min(gas, 120_000)),
            bytesGasLimit: BigInt(Math.min(gas, 300_000)),
            permit2GasLimit: BigInt(Math.min(gas, 300_000)),
          }),
      ...(receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs }),
      ...(rpcTimeoutMs === undefined ? {} : { rpcTimeoutMs }),
      ...(batching === false ? {} : { batching }),
      ...(stuckAfterMs === undefined ? {} : { stuckAfterMs }),
      ...(erc6492Factories === undefined ? {} : { erc6492Factories }),
      gasSponsoring: {
        budget,
        maxApprovalGas: BigInt(sponsoring.maxApprovalGas),
        maxFeeFactor: sponsoring.maxFeeFactor,
        maxDeploymentGas: BigInt(sponsoring.maxDeploymentGas),
      },
    },
  });
  const settlementAddresses = addressesOf(context.privateKeys);
  return {
    registrations: schemes.registrations,
    // Permit2 payments may carry both gas-sponsoring extensions (honoured by default): say so
    ...(Object.keys(rpc).length > 0
      ? { extensions: [EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING] }
      : {}),
    ...(schemes.quoteFee ? { quoteFee: schemes.quoteFee } : {}),
    settlementAddresses,
    reconcile: firstReconciler(
      createExactEvmReconciler({ rpc: firstRpc }),
      createPermit2Reconciler({ rpc: firstRpc }),
      createExactPermitEvmReconciler({ rpc: firstRpc }),
      createBatchSettlementReconciler({ rpc: firstRpc }),
      createEvmReceiptReconciler({ rpc: firstRpc }),
    ),
    ...perNetworkHealth(
      Object.entries(rpc),
      {
        probe: probeEvmNetwork,
        read: (network, urls, timeoutMs) => readEvmRelayers(network, urls, settlementAddresses, timeoutMs),
      },
      context.log,
    ),
    close: () => schemes.close(),
  };
}

/** The checksummed address of each key, once. */
function addressesOf(privateKeys: readonly `0x${string}`[]): string[] {
  const byKey = new Map<string, string>();
  for (const key of privateKeys) {
    const { address } = privateKeyToAccount(key);
    byKey.set(addressKey(address), address);
  }
  return [...byKey.values()];
}
