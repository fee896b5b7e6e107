/**
 * The options and state the Permit2 facilitator paths (`exact` via Permit2, `upto`) share.
 */
import { toCaip2 } from '@x402kit/core';
import type { Address, LocalAccount } from 'viem';
import { addressKey } from '../address.js';
import { EvmConfigError } from '../config-error.js';
import type { EvmNetwork } from '../evm-network.js';
import { type Erc6492FactoriesOption, parseErc6492Factories } from '../exact/erc6492-deployment.js';
import type { Permit2SettleContext } from './settle.js';

export type Permit2FacilitatorOptions = {
  /** Gas limit of the proxy's `settle`/`settleWithPermit`; default 300 000. */
  permit2GasLimit?: bigint;
  /** Simulate the proxy call right before sending it in `settle`; default true. */
  preflight?: boolean;
  /** Longest receipt wait before `settlement_pending`; default 30 000 ms. */
  receiptTimeoutMs?: number;
  /** Receipt polling interval; default 100 ms. */
  pollingIntervalMs?: number;
  /**
   * Gas-sponsoring extensions honoured in Permit2 payloads; default both on. Advertise the same keys
   * in `createFacilitator({ extensions })`.
   */
  gasSponsoring?: { eip2612?: boolean; erc20Approval?: boolean };
};

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
): Permit2SettleContext {
  const byAddress = new Map(accounts.map((a) => [addressKey(a.address), a]));
  const gasLimit = options.permit2GasLimit ?? 300_000n;
  if (typeof gasLimit !== 'bigint' || gasLimit < 21_000n)
    throw new EvmConfigError('permit2GasLimit', 'must be a bigint of at least 21000');
  for (const key of ['receiptTimeoutMs', 'pollingIntervalMs'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isFinite(value) || value <= 0))
      throw new EvmConfigError(key, `must be a positive number of milliseconds (got ${value})`);
  }
  return {
    networkFor: (network) => networks.get(network),
    facilitatorAddresses: accounts.map((a): Address => a.address),
    eip2612Sponsoring: options.gasSponsoring?.eip2612 ?? true,
    erc20ApprovalSponsoring: options.gasSponsoring?.erc20Approval ?? true,
    gasLimit,
    preflight: options.preflight ?? true,
    receiptTimeoutMs: options.receiptTimeoutMs ?? 30_000,
    pollingIntervalMs: options.pollingIntervalMs ?? 100,
    accountFor: (address) => byAddress.get(addressKey(address)),
    erc6492Factories: parseErc6492Factories(options.erc6492Factories, (key) => toCaip2(key) ?? key),
  };
}
