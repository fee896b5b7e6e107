import type { Address } from 'viem';
import { encodeDeployData, isAddressEqual } from 'viem';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';
import {
  erc3009DepositCollectorArtifact,
  permit2DepositCollectorArtifact,
  x402BatchSettlementArtifact,
} from './generated/contracts.js';
import { PERMIT2_ADDRESS } from './permit2.js';
import { placeRuntimeCode } from './runtime-code.js';

/** Canonical `x402BatchSettlement` address (escrow of the x402 `batch-settlement` scheme). */
export const X402_BATCH_SETTLEMENT_ADDRESS: Address = '0x4020074e9dF2ce1deE5A9C1b5c3f541D02a10003';

/** Canonical `ERC3009DepositCollector` address (`batch-settlement` deposits by ERC-3009 `receiveWithAuthorization`). */
export const X402_ERC3009_DEPOSIT_COLLECTOR_ADDRESS: Address = '0x4020806089470a89826cB9fB1f4059150b550004';

/** Canonical `Permit2DepositCollector` address (`batch-settlement` deposits by a Permit2 witness transfer). */
export const X402_PERMIT2_DEPOSIT_COLLECTOR_ADDRESS: Address = '0x4020425FAf3B746C082C2f942b4E5159887B0005';

/**
 * Places our `x402BatchSettlement` escrow and its two deposit collectors (the ERC-3009 one constructed with the
 * settlement address, the Permit2 one with the settlement and `PERMIT2_ADDRESS`) at their canonical addresses,
 * then checks each collector answers `x402BatchSettlement()` with the settlement address. Permit2 need not be
 * placed first.
 *
 * @example
 * ```ts
 * await placeBatchSettlement(client);
 * const [balance] = await client.readContract({
 *   address: X402_BATCH_SETTLEMENT_ADDRESS,
 *   abi: x402BatchSettlementArtifact.abi,
 *   functionName: 'channels',
 *   args: [channelId],
 * });
 * ```
 */
export async function placeBatchSettlement(client: DevnetClient): Promise<void> {
  const settlement = X402_BATCH_SETTLEMENT_ADDRESS;
  await placeRuntimeCode(client, {
    creationCode: x402BatchSettlementArtifact.bytecode,
    address: settlement,
    step: 'batchSettlement.x402BatchSettlement',
  });
  const collectors = [
    {
      abi: erc3009DepositCollectorArtifact.abi,
      creationCode: encodeDeployData({
        abi: erc3009DepositCollectorArtifact.abi,
        bytecode: erc3009DepositCollectorArtifact.bytecode,
        args: [settlement],
      }),
      address: X402_ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
      step: 'batchSettlement.ERC3009DepositCollector',
    },
    {
      abi: permit2DepositCollectorArtifact.abi,
      creationCode: encodeDeployData({
        abi: permit2DepositCollectorArtifact.abi,
        bytecode: permit2DepositCollectorArtifact.bytecode,
        args: [settlement, PERMIT2_ADDRESS],
      }),
      address: X402_PERMIT2_DEPOSIT_COLLECTOR_ADDRESS,
      step: 'batchSettlement.Permit2DepositCollector',
    },
  ] as const;
  await Promise.all(
    collectors.map(async ({ abi, creationCode, address, step }) => {
      await placeRuntimeCode(client, { creationCode, address, step });
      const served = await client.readContract({ address, abi, functionName: 'x402BatchSettlement' });
      if (!isAddressEqual(served, settlement)) {
        throw new DevnetSetupError(
          step,
          `x402BatchSettlement() at ${address} is ${served}, expected ${settlement}`,
        );
      }
    }),
  );
}
