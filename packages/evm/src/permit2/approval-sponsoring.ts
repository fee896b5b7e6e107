/**
 * What the facilitator pays for under `erc20ApprovalGasSponsoring`: the native gas of the payer's
 * own signed `approve(Permit2, amount)`. Before a wei moves, the signed transaction must be one the
 * facilitator would have priced itself: an EIP-1559 or legacy transaction for this chain, no value,
 * the payer's pending nonce, a gas limit no higher than an approval needs, and fees within a small
 * factor of the facilitator's own estimate (and high enough to land now, so the top-up cannot sit
 * in the payer's account while the approval waits). The top-up is then the shortfall of
 * `gas x fee cap` over the payer's balance, which those checks bound by
 * `maxGasLimit x maxFeeFactor x the facilitator's max fee`.
 */
import { type Address, decodeFunctionData, type Hex, type PublicClient, type parseTransaction } from 'viem';
import type { GasFees } from '../relayer/fee-oracle.js';
import { permit2Erc20Abi } from './constants.js';
import { PARSE_FAILED, parseApprovalTransaction } from './extensions.js';
import { Permit2Reasons } from './reasons.js';

/** How far a sponsored approval may go. */
export type ApprovalSponsoringLimits = {
  /** Highest gas limit accepted on the approval; the reference client signs 70 000. */
  maxGasLimit: bigint;
  /**
   * The approval's fees may be at most this many times the facilitator's own estimate (its max fee,
   * or gas price), and its tip at least the estimated tip divided by it.
   */
  maxFeeFactor: number;
};

/** 100 000 gas (the reference signs 70 000; an ERC-20 approve uses about 46 000), fees within 3x. */
export const DEFAULT_APPROVAL_SPONSORING_LIMITS: ApprovalSponsoringLimits = {
  maxGasLimit: 100_000n,
  maxFeeFactor: 3,
};

/** A signed approval the facilitator agreed to fund: its gas limit and fee cap. */
export type PricedApproval = { gas: bigint; feeCap: bigint };

/** Whether the facilitator will fund a signed approval: its gas and fee cap, or the reason it will not. */
export type ApprovalPricing =
  | { ok: true; approval: PricedApproval }
  | { ok: false; reason: string; message: string };

/**
 * Check the economics of a signed approval (its target, selector, spender and signer are checked by
 * `readPermit2Extension`). `fees` is the facilitator's current estimate; the nonce is read from the
 * chain (`pending`). Never throws for bad input; an RPC failure reading the nonce rejects.
 *
 * @example
 * const priced = await priceSponsoredApproval(signedTransaction, { client, chainId: 84532, payer, amount: 1000n, fees, limits: DEFAULT_APPROVAL_SPONSORING_LIMITS })
 * if (!priced.ok) return refuse(priced.reason, priced.message)
 */
export async function priceSponsoredApproval(
  serialized: Hex,
  input: {
    client: Pick<PublicClient, 'getTransactionCount'>;
    chainId: number;
    payer: Address;
    /** The payment's amount: the approval must cover it. */
    amount: bigint;
    fees: GasFees;
    limits: ApprovalSponsoringLimits;
  },
): Promise<ApprovalPricing> {
  const tx = parseApprovalTransaction(serialized);
  if (!tx) return refuse(Permit2Reasons.erc20ApprovalTxParseFailed, PARSE_FAILED);
  const { limits, fees } = input;
  if (tx.type !== 'eip1559' && tx.type !== 'legacy' && tx.type !== 'eip2930')
    return refuse(
      Permit2Reasons.erc20ApprovalSponsoringTxType,
      `the approval is a ${tx.type ?? 'unknown'} transaction; sign an EIP-1559 (or legacy) transaction`,
    );
  if (tx.chainId !== input.chainId)
    return refuse(
      Permit2Reasons.erc20ApprovalSponsoringChainId,
      `the approval is signed for chain ${tx.chainId ?? '(none: no EIP-155 protection)'}, expected ${input.chainId}`,
    );
  if ((tx.value ?? 0n) !== 0n)
    return refuse(
      Permit2Reasons.erc20ApprovalSponsoringValue,
      `the approval sends ${tx.value} wei; it must send 0`,
    );
  const approved = approvedAmount(tx.data);
  if (approved === undefined || approved < input.amount)
    return refuse(
      Permit2Reasons.erc20ApprovalSponsoringAmount,
      `the approval allows ${approved ?? 'nothing'}; it must allow at least the payment's ${input.amount}`,
    );
  const gas = tx.gas ?? 0n;
  if (gas > limits.maxGasLimit || gas < 21_000n)
    return refuse(
      Permit2Reasons.erc20ApprovalSponsoringGasLimit,
      `the approval's gas limit is ${gas}; it must be between 21000 and ${limits.maxGasLimit} (an approve needs about 46000; 70000 is usual)`,
    );
  const fee = judgeFees(tx, fees, limits.maxFeeFactor);
  if (!fee.ok) return fee;
  const pending = await input.client.getTransactionCount({ address: input.payer, blockTag: 'pending' });
  if (tx.nonce !== pending)
    return refuse(
      Permit2Reasons.erc20ApprovalSponsoringNonce,
      `the approval's nonce is ${tx.nonce ?? '(none)'}; it must be the payer's pending nonce ${pending}`,
    );
  return { ok: true, approval: { gas, feeCap: fee.feeCap } };
}

/**
 * The native coin to send so the payer can afford the approval: the shortfall of `gas x feeCap`
 * (what a node demands for admission) over `balance`; 0 when none is needed.
 *
 * @example approvalTopUpWei({ gas: 70_000n, feeCap: 2_000_000_000n }, 0n) // 140_000_000_000_000n
 */
export function approvalTopUpWei(approval: PricedApproval, balance: bigint): bigint {
  const needed = approval.gas * approval.feeCap;
  return needed > balance ? needed - balance : 0n;
}

type Parsed = ReturnType<typeof parseTransaction>;

/**
 * Upper bound: fee cap ≤ factor x the facilitator's cap. Lower bound (land now): tip ≥ estimated
 * tip / factor and fee cap ≥ base fee + that tip.
 */
function judgeFees(
  tx: Parsed,
  fees: GasFees,
  factor: number,
): { ok: true; feeCap: bigint } | { ok: false; reason: string; message: string } {
  const times = (value: bigint) => (value * scaled(factor)) / 100n;
  const over = (value: bigint) => (value * 100n) / scaled(factor);
  const ourCap = fees.type === 'eip1559' ? fees.maxFeePerGas : fees.gasPrice;
  const ourTip = fees.type === 'eip1559' ? fees.maxPriorityFeePerGas : 0n;
  // the oracle's cap is 2 x base fee + tip
  const baseFee = fees.type === 'eip1559' ? (fees.maxFeePerGas - fees.maxPriorityFeePerGas) / 2n : 0n;
  const minTip = over(ourTip);
  const ceiling = times(ourCap);
  const floor = fees.type === 'eip1559' ? baseFee + minTip : over(ourCap);
  const feeCap = tx.type === 'eip1559' ? (tx.maxFeePerGas ?? 0n) : (tx.gasPrice ?? 0n);
  const tip = tx.type === 'eip1559' ? (tx.maxPriorityFeePerGas ?? 0n) : feeCap - baseFee;
  const name = tx.type === 'eip1559' ? 'maxFeePerGas' : 'gasPrice';
  if (feeCap > ceiling)
    return refuse(
      Permit2Reasons.erc20ApprovalSponsoringFee,
      `the approval's ${name} is ${feeCap} wei; the facilitator funds at most ${ceiling} (${factor}x its estimate ${ourCap})`,
    );
  if (tx.type === 'eip1559' && tip < minTip)
    return refuse(
      Permit2Reasons.erc20ApprovalSponsoringFee,
      `the approval's maxPriorityFeePerGas is ${tip} wei; it must be at least ${minTip} so the approval lands at once`,
    );
  if (feeCap < floor)
    return refuse(
      Permit2Reasons.erc20ApprovalSponsoringFee,
      `the approval's ${name} is ${feeCap} wei; it must be at least ${floor} (base fee ${baseFee} + tip) so the approval lands at once`,
    );
  return { ok: true, feeCap };
}

/** The factor in hundredths, at least 1x. */
function scaled(factor: number): bigint {
  return BigInt(Math.max(100, Math.round(factor * 100)));
}

function approvedAmount(data: Hex | undefined): bigint | undefined {
  if (!data) return undefined;
  try {
    const decoded = decodeFunctionData({ abi: permit2Erc20Abi, data });
    return decoded.functionName === 'approve' ? decoded.args[1] : undefined;
  } catch {
    return undefined;
  }
}

function refuse(reason: string, message: string): { ok: false; reason: string; message: string } {
  return { ok: false, reason, message };
}
