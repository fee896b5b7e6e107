import type { Address, Chain, LocalAccount } from 'viem';
import { createPublicClient, createWalletClient, erc20Abi, http } from 'viem';

/** What {@link approveToken} approves: `owner` lets `spender` move `amount` of `token` on `chain`. */
export type ApproveTokenParameters = {
  chain: Chain;
  owner: LocalAccount;
  token: Address;
  spender: Address;
  amount: bigint;
};

/**
 * `owner` sends an ERC-20 `approve(spender, amount)` for `token` on `chain` (its default RPC URL, as a
 * devnet chain has) and waits until it is mined with success.
 *
 * @example await approveToken({ chain: devnet.chain, owner: payer, token, spender: PERMIT2_ADDRESS, amount: maxUint256 })
 */
export async function approveToken({
  chain,
  owner,
  token,
  spender,
  amount,
}: ApproveTokenParameters): Promise<void> {
  const wallet = createWalletClient({ chain, transport: http(), account: owner });
  const hash = await wallet.writeContract({
    address: token,
    abi: erc20Abi,
    functionName: 'approve',
    args: [spender, amount],
  });
  const receipt = await createPublicClient({ chain, transport: http() }).waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`approve of ${token} for ${spender} reverted (${hash})`);
}
