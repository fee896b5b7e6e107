import type { Address, Hex } from 'viem';
import { concat, domainSeparator, getAddress, getContractAddress, isAddressEqual, parseAbi } from 'viem';
import { confirmTransaction } from './confirm-transaction.js';
import type { DevnetClient } from './devnet-client.js';
import { DevnetSetupError } from './errors.js';
import { permit2CreationCode } from './generated/contracts.js';

/** Canonical Permit2 address, the same on every EVM chain. */
export const PERMIT2_ADDRESS: Address = '0x000000000022D473030F116dDEE9F6B43aC78BA3';

/** The deterministic CREATE2 deployer anvil predeploys (and most chains have). */
export const DETERMINISTIC_DEPLOYER_ADDRESS: Address = '0x4e59b44847b379578588920cA78FbF26c0B4956C';

/** The CREATE2 salt Permit2 was deployed with through {@link DETERMINISTIC_DEPLOYER_ADDRESS}. */
export const PERMIT2_CREATE2_SALT: Hex = '0x0000000000000000000000000000000000000000d3af2663da51c10215000000';

const domainSeparatorAbi = parseAbi(['function DOMAIN_SEPARATOR() view returns (bytes32)']);

/** Parameters of {@link placePermit2}. */
export interface PlacePermit2Parameters {
  /** Unlocked anvil account that sends the CREATE2 transaction. */
  from: Address;
  /** Mine the transaction right away (for chains started with interval mining). */
  mineNow?: boolean;
}

/**
 * Deploys Permit2 at {@link PERMIT2_ADDRESS} the way it was deployed on real chains: its canonical creation
 * code (read from `@uniswap/uniswapx-sdk` at build time, keccak-checked) through the deterministic deployer
 * with {@link PERMIT2_CREATE2_SALT}. Checks the code landed there and that `DOMAIN_SEPARATOR()` is
 * `{name: "Permit2", chainId, verifyingContract: PERMIT2_ADDRESS}`. Does nothing if Permit2 is already there.
 *
 * @example
 * ```ts
 * await placePermit2(client, { from: DEVNET_ACCOUNTS.deployer.address });
 * ```
 */
export async function placePermit2(client: DevnetClient, parameters: PlacePermit2Parameters): Promise<void> {
  const predicted = getContractAddress({
    opcode: 'CREATE2',
    from: DETERMINISTIC_DEPLOYER_ADDRESS,
    salt: PERMIT2_CREATE2_SALT,
    bytecode: permit2CreationCode,
  });
  if (!isAddressEqual(predicted, PERMIT2_ADDRESS)) {
    throw new DevnetSetupError(
      'permit2.create2',
      `CREATE2 would place Permit2 at ${predicted}, not ${PERMIT2_ADDRESS}`,
    );
  }
  const existing = await client.getCode({ address: PERMIT2_ADDRESS });
  if (existing === undefined || existing === '0x') {
    const hash = await client.sendTransaction({
      account: parameters.from,
      to: DETERMINISTIC_DEPLOYER_ADDRESS,
      data: concat([PERMIT2_CREATE2_SALT, permit2CreationCode]),
      chain: client.chain,
    });
    await confirmTransaction(client, hash, { mineNow: parameters.mineNow, step: 'permit2.deploy' });
  }
  const separator = await client
    .readContract({ address: PERMIT2_ADDRESS, abi: domainSeparatorAbi, functionName: 'DOMAIN_SEPARATOR' })
    .catch((error: unknown) => {
      throw new DevnetSetupError('permit2.verify', `Permit2 at ${PERMIT2_ADDRESS} does not answer`, {
        cause: error,
      });
    });
  const expected = permit2DomainSeparator(client.chain.id);
  if (separator !== expected) {
    throw new DevnetSetupError(
      'permit2.verify',
      `Permit2 DOMAIN_SEPARATOR() is ${separator}, expected ${expected} for chain ${client.chain.id}`,
    );
  }
}

/**
 * Permit2's EIP-712 domain separator on a chain: `{name: "Permit2", chainId, verifyingContract}` (no version).
 *
 * @example
 * ```ts
 * permit2DomainSeparator(84532); // '0x010f27a92fb9a32622f44f001dc4d15706a85b33499cfc2ce9033113ab26592c'
 * ```
 */
export function permit2DomainSeparator(chainId: number): Hex {
  return domainSeparator({
    domain: { name: 'Permit2', chainId, verifyingContract: getAddress(PERMIT2_ADDRESS) },
  });
}
