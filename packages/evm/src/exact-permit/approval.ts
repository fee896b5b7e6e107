/**
 * The one-time ERC-20 approval an `exact_permit` payer needs: `PaymentPermit` pulls `payAmount +
 * feeAmount` with `transferFrom`, so it must be allowed that much.
 */
import { type PaymentRequirements, toCaip2, X402Error } from '@x402kit/core';
import { ExactPermitReasons, permitTokenAbi, requiredAllowance } from '@x402kit/payment-permit';
import { type Address, encodeFunctionData, getAddress, type Hex, type PublicClient } from 'viem';
import { paymentPermitAddress } from './payment-permit-address.js';

/** A transaction to send from the payer (any wallet): `approve(PaymentPermit, required)`. */
export type ExactPermitApproval = {
  to: Address;
  data: Hex;
  spender: Address;
  /** `amount + extra.fee.feeAmount`. */
  required: bigint;
  /** The allowance read before. */
  allowance: bigint;
};

/** Options of `prepareExactPermitApproval`. */
export type PrepareExactPermitApprovalParameters = {
  client: Pick<PublicClient, 'readContract'>;
  owner: Address;
  requirements: Pick<PaymentRequirements, 'network' | 'asset' | 'amount' | 'extra'>;
  paymentPermitAddress?: Readonly<Record<string, string>>;
  /** Approve this much instead of exactly what is required (e.g. `maxUint256`). */
  amount?: bigint;
};

/**
 * The approval transaction when `owner`'s allowance to `PaymentPermit` is below amount + fee;
 * `undefined` when it already suffices.
 *
 * @example
 * const tx = await prepareExactPermitApproval({ client, owner: account.address, requirements: accepted })
 * if (tx) await walletClient.sendTransaction({ to: tx.to, data: tx.data })
 */
export async function prepareExactPermitApproval(
  parameters: PrepareExactPermitApprovalParameters,
): Promise<ExactPermitApproval | undefined> {
  const { requirements } = parameters;
  const network = toCaip2(requirements.network) ?? requirements.network;
  const spender = paymentPermitAddress(network, parameters.paymentPermitAddress);
  if (!spender) {
    throw new X402Error(
      ExactPermitReasons.contractNotDeployed,
      `exact_permit: no PaymentPermit contract is known on ${network}`,
    );
  }
  const required = requiredAllowance(requirements);
  const token = getAddress(requirements.asset);
  const allowance = await parameters.client.readContract({
    address: token,
    abi: permitTokenAbi,
    functionName: 'allowance',
    args: [parameters.owner, spender],
  });
  if (allowance >= required) return undefined;
  return {
    to: token,
    data: encodeFunctionData({
      abi: permitTokenAbi,
      functionName: 'approve',
      args: [spender, parameters.amount ?? required],
    }),
    spender,
    required,
    allowance,
  };
}
