/**
 * Start the chain modules a deployment configures, in order, each with its sections, the signers'
 * keys, the settlement limits and the sponsor budget opener (the budget lives in the ledger's
 * database so instances share it; one chain module may open it).
 */
import { Reasons, type SponsorLimits, X402Error } from '@x402kit/core';
import type { DeploymentParts } from './deployment-parts.js';
import { createPostgresGasSponsorStore, createSqliteGasSponsorStore } from './gas-sponsoring/index.js';
import { withSponsoredGasMetrics } from './gas-sponsoring/sponsored-gas-metrics.js';
import { openStore } from './open-stores.js';
import type { ServiceConfig } from './service-config.js';

/**
 * Start every configured chain into `parts.chains` (a failure leaves the started ones there to close).
 * Sponsored gas and the modules' own figures are counted in `parts.metrics` once it is set.
 *
 * @example
 * await startChains(config, parts)
 */
export async function startChains(config: ServiceConfig, parts: DeploymentParts): Promise<void> {
  const { receiptTimeoutMs, rpcTimeoutMs } = config.settlement;
  const { maxGasPerSettlement } = config.limits;
  const openSponsorBudget = async (limits: SponsorLimits) => {
    if (parts.sponsorships)
      throw new X402Error(
        Reasons.internalError,
        'the sponsor budget is already open (one chain module sponsors fees)',
      );
    parts.sponsorships = await openStore(parts.db, {
      postgres: (db) => createPostgresGasSponsorStore({ ...db, limits }),
      sqlite: (db) => createSqliteGasSponsorStore({ ...db, limits }),
    });
    return withSponsoredGasMetrics(parts.sponsorships, (labels, wei) =>
      parts.metrics?.countSponsoredGas(labels, wei),
    );
  };
  for (const { module, sections } of config.chains) {
    const runtime = await module.start({
      sections,
      privateKeys: config.signers.privateKeys,
      settlement: {
        ...(receiptTimeoutMs === undefined ? {} : { receiptTimeoutMs }),
        ...(rpcTimeoutMs === undefined ? {} : { rpcTimeoutMs }),
        ...(maxGasPerSettlement === undefined ? {} : { maxGasPerSettlement }),
      },
      openSponsorBudget,
      log: parts.log,
      record: (sample) => parts.metrics?.record(sample),
    });
    parts.chains.push({ family: module.family, balanceUnit: module.balanceUnit, runtime });
  }
}
