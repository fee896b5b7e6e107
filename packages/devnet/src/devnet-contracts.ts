import type { Address } from 'viem';
import { placeBatchSettlement } from './batch-settlement.js';
import type { DevnetClient } from './devnet-client.js';
import { MULTICALL3_ADDRESS, placeMulticall3 } from './multicall3.js';
import { PAYMENT_PERMIT_ADDRESS, placePaymentPermit } from './payment-permit.js';
import { PERMIT2_ADDRESS, placePermit2 } from './permit2.js';
import {
  placePermit2Proxies,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
  X402_UPTO_PERMIT2_PROXY_ADDRESS,
} from './permit2-proxies.js';
import { placeSmartWalletFactory, SMART_WALLET_FACTORY_ADDRESS } from './smart-wallet.js';

/** The infrastructure contracts a devnet chain carries, by role. */
export interface DevnetContracts {
  multicall3: Address;
  permit2: Address;
  exactPermit2Proxy: Address;
  uptoPermit2Proxy: Address;
  /** ERC-6492 `SmartWalletFactory` (CREATE2 deployer of ERC-1271 test wallets). */
  smartWalletFactory: Address;
  /** BofAI PaymentPermit (`exact_permit`); only on chains where it was placed (BSC 56 and 97 by default). */
  paymentPermit?: Address;
}

/** Parameters of {@link placeDevnetContracts}. */
export interface PlaceDevnetContractsParameters {
  /** Unlocked anvil account that sends Permit2's CREATE2 transaction. */
  from: Address;
  /** Also place PaymentPermit at {@link PAYMENT_PERMIT_ADDRESS}. */
  paymentPermit: boolean;
  mineNow?: boolean;
}

/**
 * Places Multicall3, Permit2 (CREATE2 at its canonical address), both x402 Permit2 proxies, the x402
 * `batch-settlement` escrow and its deposit collectors (see {@link placeBatchSettlement}), the ERC-6492
 * smart-wallet factory and optionally PaymentPermit, and returns their addresses.
 *
 * @example
 * ```ts
 * const contracts = await placeDevnetContracts(client, { from: deployer, paymentPermit: false });
 * ```
 */
export async function placeDevnetContracts(
  client: DevnetClient,
  parameters: PlaceDevnetContractsParameters,
): Promise<DevnetContracts> {
  await Promise.all([
    placeMulticall3(client),
    placePermit2(client, { from: parameters.from, mineNow: parameters.mineNow }),
    placePermit2Proxies(client),
    placeBatchSettlement(client),
    placeSmartWalletFactory(client),
    ...(parameters.paymentPermit ? [placePaymentPermit(client)] : []),
  ]);
  return {
    multicall3: MULTICALL3_ADDRESS,
    permit2: PERMIT2_ADDRESS,
    exactPermit2Proxy: X402_EXACT_PERMIT2_PROXY_ADDRESS,
    uptoPermit2Proxy: X402_UPTO_PERMIT2_PROXY_ADDRESS,
    smartWalletFactory: SMART_WALLET_FACTORY_ADDRESS,
    ...(parameters.paymentPermit ? { paymentPermit: PAYMENT_PERMIT_ADDRESS } : {}),
  };
}
