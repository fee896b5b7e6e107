/**
 * The one-time TRC-20 approval a TRON `exact_permit` payer needs (PaymentPermit pulls `payAmount +
 * feeAmount` with `transferFrom`), prepared from a node read and sent as a TRON transaction the node
 * builds and we check before signing.
 */
import { type PaymentRequirements, X402Error } from '@x402kit/core';
import { permitTokenAbi, requiredAllowance } from '@x402kit/payment-permit';
import { encodeFunctionData, type Hex, maxUint256 } from 'viem';
import { toEvmHex, toTronAddress } from '../address.js';
import { checkTriggerTransaction } from '../check-trigger-transaction.js';
import { parseTronNetwork } from '../networks.js';
import type { TronNodeClient } from '../node-client.js';
import type { TronTransaction, TronTransactionInfo } from '../node-schemas.js';
import { paymentPermitTronAddress } from '../tokens.js';
import { signTronTransaction } from '../transaction-signature.js';
import { readTrc20Allowance } from '../trc20-reads.js';
import { waitForTransactionInfo } from '../wait-for-transaction-info.js';
import { ExactPermitTronReasons } from './reasons.js';

/** Default `fee_limit` of the approve: 100 TRX, what BofAI's client uses. */
export const APPROVAL_FEE_LIMIT_SUN = 100_000_000;

/**
 * An `approve(PaymentPermit, amount)` call to send from the payer.
 *
 * @example
 * const approval: ExactPermitTronApproval | undefined = await prepareExactPermitTronApproval({ node, owner, requirements });
 */
export type ExactPermitTronApproval = {
  /** The payer, Base58. */
  owner: string;
  /** The token to call, Base58. */
  token: string;
  /** PaymentPermit, Base58. */
  spender: string;
  /** Full calldata of `approve(spender, amount)`. */
  data: Hex;
  amount: bigint;
  /** `amount + extra.fee.feeAmount` of the offer. */
  required: bigint;
  /** The allowance read before. */
  allowance: bigint;
};

/**
 * Parameters of {@link prepareExactPermitTronApproval}.
 *
 * @example
 * const p: PrepareExactPermitTronApprovalParameters = { node, owner: 'T…', requirements: accepted, amount: 'unlimited' };
 */
export type PrepareExactPermitTronApprovalParameters = {
  node: TronNodeClient;
  /** The payer in any TRON address form. */
  owner: string;
  requirements: Pick<PaymentRequirements, 'network' | 'asset' | 'amount' | 'extra'>;
  /** PaymentPermit to approve; default BofAI's deployment on the network. */
  paymentPermitAddress?: string;
  /** How much to approve: exactly what is `required` (default) , `unlimited` (2^256−1) or an amount. */
  amount?: bigint | 'required' | 'unlimited';
};

/**
 * The approval when the payer's allowance to PaymentPermit is below amount + fee; `undefined` when it suffices.
 *
 * @example
 * const approval = await prepareExactPermitTronApproval({ node, owner: payer, requirements: accepted });
 * if (approval) await sendExactPermitTronApproval({ node, approval, privateKey });
 */
export async function prepareExactPermitTronApproval(
  parameters: PrepareExactPermitTronApprovalParameters,
): Promise<ExactPermitTronApproval | undefined> {
  const { requirements, node } = parameters;
  const spender = parameters.paymentPermitAddress ?? paymentPermitTronAddress(requirements.network);
  if (!spender || !parseTronNetwork(requirements.network)) {
    throw new X402Error(
      ExactPermitTronReasons.contractNotDeployed,
      `exact_permit: no PaymentPermit contract is known on ${requirements.network}; pass paymentPermitAddress`,
    );
  }
  const required = requiredAllowance(requirements);
  const owner = toTronAddress(parameters.owner);
  const token = toTronAddress(requirements.asset);
  const allowance = await readTrc20Allowance(node, { token, owner, spender });
  if (allowance >= required) return undefined;
  const wanted = parameters.amount ?? 'required';
  const amount = wanted === 'required' ? required : wanted === 'unlimited' ? maxUint256 : wanted;
  const data = encodeFunctionData({
    abi: permitTokenAbi,
    functionName: 'approve',
    args: [toEvmHex(spender), amount],
  });
  return { owner, token, spender: toTronAddress(spender), data, amount, required, allowance };
}

/**
 * Parameters of {@link sendExactPermitTronApproval}: a private key, or a function that signs a txID.
 *
 * @example
 * const p: SendExactPermitTronApprovalParameters = { node, approval, privateKey: '…' };
 */
export type SendExactPermitTronApprovalParameters = {
  node: TronNodeClient;
  approval: ExactPermitTronApproval;
  /** The payer's key (`0x` optional) … */
  privateKey?: string;
  /** … or a signer of the 32-byte transaction id (65-byte r‖s‖v hex). */
  signTransactionId?: (txId: string) => Promise<string>;
  /** Max TRX (SUN) the approve may burn; default {@link APPROVAL_FEE_LIMIT_SUN}. */
  feeLimit?: number;
  /** How long to wait for the receipt; default 60 000 ms. */
  timeoutMs?: number;
  /** Wait for the solidified block; default false. */
  solidified?: boolean;
};

/**
 * Builds the approve through the node, checks it is exactly our call (so a lying node cannot make the
 * payer sign something else), signs, broadcasts and waits for a SUCCESS receipt.
 *
 * @throws {X402Error} `invalid_exact_permit_tron_approval_failed` when the approve reverts; node and
 *   transaction-check errors (`tron_tx_*`, `tron_broadcast_*`, `tron_tx_wait_timeout`) as they are.
 * @example
 * const { txid } = await sendExactPermitTronApproval({ node, approval, privateKey });
 */
export async function sendExactPermitTronApproval(
  parameters: SendExactPermitTronApprovalParameters,
): Promise<{ txid: string; info: TronTransactionInfo }> {
  const { node, approval } = parameters;
  const feeLimit = parameters.feeLimit ?? APPROVAL_FEE_LIMIT_SUN;
  const call = { owner: approval.owner, contract: approval.token, data: approval.data };
  const tx = await node.triggerSmartContract({ ...call, feeLimit });
  checkTriggerTransaction(tx, { ...call, maxFeeLimit: feeLimit });
  const signed = await signWith(tx, parameters);
  const { txid } = await node.broadcastTransaction(signed);
  const info = await waitForTransactionInfo(node, txid, {
    timeoutMs: parameters.timeoutMs ?? 60_000,
    solidified: parameters.solidified ?? false,
  });
  const result = info.receipt?.result;
  if (result !== 'SUCCESS') {
    throw new X402Error(
      ExactPermitTronReasons.approvalFailed,
      `approve of ${approval.spender} on ${approval.token} ended ${result ?? 'without a result'} (tx ${txid}); does the payer hold TRX for energy?`,
      { details: { txid } },
    );
  }
  return { txid, info };
}

async function signWith(
  tx: TronTransaction,
  p: SendExactPermitTronApprovalParameters,
): Promise<TronTransaction> {
  if (p.privateKey !== undefined) return signTronTransaction(tx, p.privateKey);
  if (p.signTransactionId) {
    const signature = (await p.signTransactionId(tx.txID)).replace(/^0x/, '').toLowerCase();
    return { ...tx, signature: [...(tx.signature ?? []), signature] };
  }
  throw new X402Error(
    ExactPermitTronReasons.approvalRequired,
    'sending the approve needs the payer privateKey or a signTransactionId function',
  );
}
