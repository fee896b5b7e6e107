import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Address, Hex } from 'viem';
import { parseAbi } from 'viem';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';

/** Canonical Multicall3 address, the same on every EVM chain. */
export const MULTICALL3_ADDRESS: Address = '0xcA11bde05977b3631167028862bE2a173976CA11';

const getBlockNumberAbi = parseAbi(['function getBlockNumber() view returns (uint256 blockNumber)']);

/**
 * Multicall3's creation code as shipped inside viem (`viem/_cjs/constants/contracts.js`, which is not in
 * viem's exports map, so the file is loaded by path).
 *
 * @example
 * ```ts
 * const creationCode = multicall3CreationCode(); // '0x6080...'
 * ```
 */
export function multicall3CreationCode(): Hex {
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('viem/package.json')), '_cjs', 'constants', 'contracts.js');
  const loaded: unknown = require(file);
  if (typeof loaded === 'object' && loaded !== null && 'multicall3Bytecode' in loaded) {
    const code = loaded.multicall3Bytecode;
    if (typeof code === 'string' && /^0x[0-9a-fA-F]+$/.test(code)) return code as Hex;
  }
  throw new DevnetSetupError(
    'multicall3.load',
    `multicall3Bytecode not found in ${file} (viem layout changed?)`,
  );
}

/**
 * Puts Multicall3 at {@link MULTICALL3_ADDRESS}: runs its creation code in an `eth_call` (no transaction, no
 * nonce used), sets the returned runtime code at the canonical address and checks `aggregate3` answers.
 *
 * @example
 * ```ts
 * await placeMulticall3(createDevnetClient(devnet.chain));
 * ```
 */
export async function placeMulticall3(client: DevnetClient): Promise<void> {
  // An eth_call without `to` runs creation code and returns the runtime code it would deploy.
  const { data: runtime } = await client.call({ data: multicall3CreationCode() });
  if (runtime === undefined || runtime.length <= 2) {
    throw new DevnetSetupError('multicall3.create', 'running the creation code returned no runtime code');
  }
  await client.setCode({ address: MULTICALL3_ADDRESS, bytecode: runtime });
  const [result] = await client.multicall({
    multicallAddress: MULTICALL3_ADDRESS,
    contracts: [{ address: MULTICALL3_ADDRESS, abi: getBlockNumberAbi, functionName: 'getBlockNumber' }],
    allowFailure: true,
  });
  if (result?.status !== 'success') {
    throw new DevnetSetupError(
      'multicall3.verify',
      `aggregate3(getBlockNumber) failed at ${MULTICALL3_ADDRESS}`,
      {
        cause: result?.error,
      },
    );
  }
}
