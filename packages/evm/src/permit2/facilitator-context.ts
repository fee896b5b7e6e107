/**
 * The options and state the Permit2 facilitator paths (`exact` via Permit2, `upto`) share.
 */
import { toCaip2 } from '@x402kit/core';
import type { Address, LocalAccount } from 'viem';
import { addressKey } from '../address.js';
import { EvmConfigError } from '../config-error.js';
import type { EvmNetwork } from '../evm-network.js';
import {
  ERC6492_DEPLOY_GAS_LIMIT,
  type Erc6492FactoriesOption,
  parseErc6492Factories,
} from '../exact/erc6492-deployment.js';
import { type EvmReceiptWaitOptions, readReceiptWait } from '../exact/facilitator-options.js';
import {
  createMemoryGasSponsorBudget,
  type GasSponsorBudget,
  type GasSponsorLimits,
} from '../gas-sponsor-budget.js';
import { type ApprovalSponsoringLimits, DEFAULT_APPROVAL_SPONSORING_LIMITS } from './approval-sponsoring.js';
import type { Permit2SettleContext } from './settle.js';

/** Options of the Permit2 (`exact` permit2 and `upto`) facilitators: gas limit, preflight, receipt wait, gas sponsoring. */
export type Permit2FacilitatorOptions = EvmReceiptWaitOptions & {
  /** Gas limit of the proxy's `settle`/`settleWithPermit`; default 300 000. */
  permit2GasLimit?: bigint;
  /** Simulate the proxy call right before sending it in `settle`; default true. */
  preflight?: boolean;
  /**
   * Gas-sponsoring extensions honoured in Permit2 payloads; default both on. Advertise the same keys
   * in `createFacilitator({ extensions })`.
   */
  gasSponsoring?: GasSponsoringOptions;
};

/**
 * The gas-sponsoring extensions, and what the facilitator may spend on a payer's behalf.
 *
 * @example
 * { erc20Approval: true, maxApprovalGas: 100_000n, maxFeeFactor: 3, limits: { maxTopUpWei: 10n ** 15n } }
 */
export type GasSponsoringOptions = {
  eip2612?: boolean;
  erc20Approval?: boolean;
  /** Highest gas limit of a sponsored approval; default 100 000 (the reference client signs 70 000). */
  maxApprovalGas?: bigint;
  /** A sponsored approval's fees may be at most this many times our estimate; default 3. */
  maxFeeFactor?: number;
  /** Cap per payment and daily budgets (used when `budget` is not given); defaults in `DEFAULT_GAS_SPONSOR_LIMITS`. */
  limits?: Partial<GasSponsorLimits>;
  /** Where spends are reserved; default an in-memory budget over `limits` (the service passes its database's). */
  budget?: GasSponsorBudget;
  /** Highest gas an ERC-6492 wallet deployment may take; default 1 000 000. */
  maxDeploymentGas?: bigint;
};

/**
 * The approval limits and the budget `options` give (defaults filled in). Throws
 * {@link EvmConfigError} for a bad value.
 *
 * @example const { approvalSponsoring, gasSponsorBudget } = parseGasSponsoring({ maxFeeFactor: 2 })
 */
export function parseGasSponsoring(options: GasSponsoringOptions | undefined): {
  approvalSponsoring: ApprovalSponsoringLimits;
  gasSponsorBudget: GasSponsorBudget;
  maxDeploymentGas: bigint;
} {
  const maxGasLimit = options?.maxApprovalGas ?? DEFAULT_APPROVAL_SPONSORING_LIMITS.maxGasLimit;
  if (typeof maxGasLimit !== 'bigint' || maxGasLimit < 21_000n)
    throw new EvmConfigError('gasSponsoring.maxApprovalGas', 'must be a bigint of at least 21000');
  const maxFeeFactor = options?.maxFeeFactor ?? DEFAULT_APPROVAL_SPONSORING_LIMITS.maxFeeFactor;
  if (!Number.isFinite(maxFeeFactor) || maxFeeFactor < 1 || maxFeeFactor > 100)
    throw new EvmConfigError('gasSponsoring.maxFeeFactor', 'must be a number from 1 to 100');
  const maxDeploymentGas = options?.maxDeploymentGas ?? ERC6492_DEPLOY_GAS_LIMIT;
  if (typeof maxDeploymentGas !== 'bigint' || maxDeploymentGas < 21_000n)
    throw new EvmConfigError('gasSponsoring.maxDeploymentGas', 'must be a bigint of at least 21000');
  let budget = options?.budget;
  if (!budget) {
    try {
      budget = createMemoryGasSponsorBudget(options?.limits);
    } catch (error) {
      throw new EvmConfigError(
        'gasSponsoring.limits',
        error instanceof Error ? error.message : String(error),
      );
    }
  }
  return { approvalSponsoring: { maxGasLimit, maxFeeFactor }, gasSponsorBudget: budget, maxDeploymentGas };
}

/**
 * Build the Permit2 settle context over already-built networks and keys. `erc6492Factories` (the
 * `exact` facilitator's option) lets `exact` Permit2 payments of counterfactual wallets deploy them
 * through those factories; `upto` never passes it (its proxy call cannot be bundled behind a
 * deployment in a simulation, so it fails closed).
 *
 * @example
 * const permit2 = createPermit2SettleContext(networks, accounts, { permit2GasLimit: 300_000n })
 */
export function createPermit2SettleContext(
  networks: ReadonlyMap<string, EvmNetwork>,
  accounts: readonly LocalAccount[],
  options: Permit2FacilitatorOptions & { erc6492Factories?: Erc6492FactoriesOption },
  sponsoring: ReturnType<typeof parseGasSponsoring> = parseGasSponsoring(options.gasSponsoring),
): Permit2SettleContext {
  const byAddress = new Map(accounts.map((a) => [addressKey(a.address), a]));
  const gasLimit = options.permit2GasLimit ?? 300_000n;
  if (typeof gasLimit !== 'bigint' || gasLimit < 21_000n)
    throw new EvmConfigError('permit2GasLimit', 'must be a bigint of at least 21000');
  return {
    networkFor: (network) => networks.get(network),
    facilitatorAddresses: accounts.map((a): Address => a.address),
    eip2612Sponsoring: options.gasSponsoring?.eip2612 ?? true,
    erc20ApprovalSponsoring: options.gasSponsoring?.erc20Approval ?? true,
    ...sponsoring,
    gasLimit,
    preflight: options.preflight ?? true,
    ...readReceiptWait(options),
    accountFor: (address) => byAddress.get(addressKey(address)),
    erc6492Factories: parseErc6492Factories(options.erc6492Factories, (key) => toCaip2(key) ?? key),
  };
}
