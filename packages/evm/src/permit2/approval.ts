/**
 * The one-time ERC-20 approval Permit2 payments need, and how to read it.
 */
import { type Address, encodeFunctionData, getAddress, type Hex, type PublicClient } from 'viem';
import { MAX_UINT256, PERMIT2_ADDRESS, permit2Erc20Abi } from './constants.js';

/**
 * The transaction a payer sends once per token so Permit2 may move it: `approve(Permit2, 2^256-1)`.
 *
 * @example
 * const { to, data } = buildPermit2Approval({ token: usdt })
 * await wallet.sendTransaction({ to, data })
 */
export function buildPermit2Approval(params: { token: string; amount?: bigint }): { to: Address; data: Hex } {
  return {
    to: getAddress(params.token),
    data: encodeFunctionData({
      abi: permit2Erc20Abi,
      functionName: 'approve',
      args: [PERMIT2_ADDRESS, params.amount ?? MAX_UINT256],
    }),
  };
}

/**
 * How much of `token` Permit2 may move for `owner` (`allowance(owner, Permit2)`).
 *
 * @example
 * if ((await readPermit2Allowance(client, { token, owner })) < amount) await sendApproval()
 */
export function readPermit2Allowance(
  client: Pick<PublicClient, 'readContract'>,
  params: { token: string; owner: string },
): Promise<bigint> {
  return client.readContract({
    address: getAddress(params.token),
    abi: permit2Erc20Abi,
    functionName: 'allowance',
    args: [getAddress(params.owner), PERMIT2_ADDRESS],
  });
}
