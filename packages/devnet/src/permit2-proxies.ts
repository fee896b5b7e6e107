import type { Address } from 'viem';
import { encodeDeployData, isAddressEqual } from 'viem';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';
import { x402ExactPermit2ProxyArtifact, x402UptoPermit2ProxyArtifact } from './generated/contracts.js';
import { PERMIT2_ADDRESS } from './permit2.js';
import { placeRuntimeCode } from './runtime-code.js';

/** Canonical `x402ExactPermit2Proxy` address (x402 `exact` scheme over Permit2). */
export const X402_EXACT_PERMIT2_PROXY_ADDRESS: Address = '0x402085c248EeA27D92E8b30b2C58ed07f9E20001';

/** Canonical `x402UptoPermit2Proxy` address (x402 `upto` scheme over Permit2). */
export const X402_UPTO_PERMIT2_PROXY_ADDRESS: Address = '0x4020A4f3b7b90ccA423B9fabCc0CE57C6C240002';

/**
 * Places our `x402ExactPermit2Proxy` and `x402UptoPermit2Proxy` (constructed with `PERMIT2_ADDRESS`) at their
 * canonical addresses and checks `PERMIT2()` answers there. Permit2 need not be placed first.
 *
 * @example
 * ```ts
 * await placePermit2Proxies(client);
 * ```
 */
export async function placePermit2Proxies(client: DevnetClient): Promise<void> {
  const proxies = [
    { artifact: x402ExactPermit2ProxyArtifact, address: X402_EXACT_PERMIT2_PROXY_ADDRESS },
    { artifact: x402UptoPermit2ProxyArtifact, address: X402_UPTO_PERMIT2_PROXY_ADDRESS },
  ] as const;
  await Promise.all(
    proxies.map(async ({ artifact, address }) => {
      const step = `proxy.${artifact.contractName}`;
      await placeRuntimeCode(client, {
        creationCode: encodeDeployData({
          abi: artifact.abi,
          bytecode: artifact.bytecode,
          args: [PERMIT2_ADDRESS],
        }),
        address,
        step,
      });
      const permit2 = await client.readContract({ address, abi: artifact.abi, functionName: 'PERMIT2' });
      if (!isAddressEqual(permit2, PERMIT2_ADDRESS)) {
        throw new DevnetSetupError(
          step,
          `PERMIT2() at ${address} is ${permit2}, expected ${PERMIT2_ADDRESS}`,
        );
      }
    }),
  );
}
