// The start-up check of the local GasFree service: the controller it is pointed at is set up as its options say.
import type { Address, PublicClient } from 'viem';
import { DevnetSetupError } from '../errors.js';
import { gasFreeControllerArtifact } from '../generated/contracts.js';
import type { GasFreeControllerToken } from './gasfree-controller.js';

/**
 * Checks that `controller` has code, every provider registered and every token supported with the given fees
 * (the service reports fees from its options; the contract charges its own).
 *
 * @example
 * ```ts
 * await checkGasFreeControllerSetup(publicClient, controller, [provider], [usdt]);
 * ```
 */
export async function checkGasFreeControllerSetup(
  client: PublicClient,
  controller: Address,
  providers: readonly Address[],
  tokens: readonly GasFreeControllerToken[],
): Promise<void> {
  const abi = gasFreeControllerArtifact.abi;
  const step = 'gasfree.service';
  const code = await client.getCode({ address: controller });
  if (!code || code === '0x') throw new DevnetSetupError(step, `no contract at controller ${controller}`);
  for (const provider of providers) {
    const registered = await client.readContract({
      address: controller,
      abi,
      functionName: 'providers',
      args: [provider],
    });
    if (!registered)
      throw new DevnetSetupError(step, `provider ${provider} is not registered on ${controller}`);
  }
  for (const token of tokens) {
    const [supported, activateFee, transferFee] = await client.readContract({
      address: controller,
      abi,
      functionName: 'tokenConfig',
      args: [token.address],
    });
    if (!supported || activateFee !== token.activateFee || transferFee !== token.transferFee) {
      throw new DevnetSetupError(
        step,
        `token ${token.address} on ${controller} is supported=${supported} with fees ` +
          `${activateFee}/${transferFee}, the service was given ${token.activateFee}/${token.transferFee}`,
      );
    }
  }
}
