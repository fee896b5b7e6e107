/**
 * The paying side of the gas-sponsoring extensions: when the payer's Permit2 allowance is short and
 * the server declared the extension, sign an EIP-2612 permit (token with `extra.name/version`) or
 * an `approve(Permit2, max)` transaction (any ERC-20) for the facilitator to run.
 */
import { X402Error } from '@x402kit/core';
import { eip712Types } from '@x402kit/core/internal';
import {
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  type PublicClient,
  type TransactionSerializable,
  type TypedDataDefinition,
} from 'viem';
import { EvmReasons } from '../evm-reasons.js';
import { chainIdOf } from '../signing-chain-id.js';
import { MAX_UINT256, PERMIT2_ADDRESS, permit2Erc20Abi } from './constants.js';
import { EIP2612_GAS_SPONSORING, ERC20_APPROVAL_GAS_SPONSORING } from './extensions.js';
import type { Permit2SigningRequirements } from './sign.js';
import type { Permit2Payload } from './typed-data.js';

/** Options of `signSponsoringExtension`. */
export type Permit2SponsoringOptions = {
  /** Reads the allowance, the token's EIP-2612 nonce, the account nonce and fees. */
  client: Pick<PublicClient, 'readContract' | 'getTransactionCount' | 'estimateFeesPerGas'>;
  /** Signs the approval transaction (a viem `LocalAccount`'s `signTransaction`); without it only EIP-2612 is used. */
  signTransaction?: (transaction: TransactionSerializable) => Promise<Hex>;
};

type TypedDataSigner = { signTypedData(parameters: TypedDataDefinition): Promise<Hex> };

/** `Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)`. */
export const eip2612PermitTypes = eip712Types(
  'Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)',
);

/** Gas limit of the signed approval (reference: 70 000). */
export const APPROVAL_GAS_LIMIT = 70_000n;

/**
 * The extension to attach to a Permit2 payment, if one is needed and declared by the server.
 *
 * @example
 * const extensions = await signSponsoringExtension({ client, signTransaction: account.signTransaction }, account.address, requirements, payload, declared)
 */
export async function signSponsoringExtension(
  options: Permit2SponsoringOptions,
  owner: Address & string,
  requirements: Permit2SigningRequirements,
  payload: Permit2Payload,
  declared: Record<string, unknown> | undefined,
  signer?: TypedDataSigner,
): Promise<Record<string, unknown> | undefined> {
  const wants2612 = declared?.[EIP2612_GAS_SPONSORING] !== undefined;
  const wantsApproval = declared?.[ERC20_APPROVAL_GAS_SPONSORING] !== undefined;
  if (!wants2612 && !wantsApproval) return undefined;
  const token = getAddress(requirements.asset);
  const amount = BigInt(payload.permit2Authorization.permitted.amount);
  try {
    const allowance = await options.client.readContract({
      address: token,
      abi: permit2Erc20Abi,
      functionName: 'allowance',
      args: [getAddress(owner), PERMIT2_ADDRESS],
    });
    if (allowance >= amount) return undefined;
  } catch {
    // unknown allowance: sponsor anyway
  }
  const chainId = chainIdOf(requirements.network, 'Permit2');
  const { name, version } = requirements.extra ?? {};
  if (wants2612 && signer && typeof name === 'string' && name && typeof version === 'string' && version) {
    const nonce = await options.client.readContract({
      address: token,
      abi: permit2Erc20Abi,
      functionName: 'nonces',
      args: [getAddress(owner)],
    });
    const deadline = payload.permit2Authorization.deadline;
    const signature = await signer.signTypedData({
      domain: { name, version, chainId, verifyingContract: token },
      types: eip2612PermitTypes,
      primaryType: 'Permit',
      message: {
        owner: getAddress(owner),
        spender: PERMIT2_ADDRESS,
        value: amount,
        nonce,
        deadline: BigInt(deadline),
      },
    });
    return sponsoringExtension(declared, EIP2612_GAS_SPONSORING, owner, token, amount, {
      nonce: nonce.toString(),
      deadline,
      signature,
    });
  }
  if (wantsApproval && options.signTransaction) {
    const signedTransaction = await signApprovalTransaction(options, owner, token, chainId);
    return sponsoringExtension(declared, ERC20_APPROVAL_GAS_SPONSORING, owner, token, MAX_UINT256, {
      signedTransaction,
    });
  }
  return undefined;
}

/**
 * The gas-sponsoring extension `key` of a payment: the info the server declared, then the payer's
 * approval of `amount` of `token` to Permit2 and the extension's own `fields`, version 1.
 */
function sponsoringExtension(
  declared: Record<string, unknown> | undefined,
  key: string,
  owner: Address,
  token: Address,
  amount: bigint,
  fields: Record<string, string>,
): Record<string, unknown> {
  const info = {
    ...declaredInfo(declared, key),
    from: getAddress(owner),
    asset: token,
    spender: PERMIT2_ADDRESS,
    amount: amount.toString(),
    ...fields,
    version: '1',
  };
  return { [key]: { info } };
}

/**
 * The server's declared `info` of an extension: echoed under ours, because a reference resource
 * server refuses an echo that drops an advertised field (`extension_echo_mismatch`).
 */
function declaredInfo(declared: Record<string, unknown> | undefined, key: string): Record<string, unknown> {
  const extension = declared?.[key];
  const info: unknown =
    typeof extension === 'object' && extension !== null ? Reflect.get(extension, 'info') : undefined;
  return typeof info === 'object' && info !== null && !Array.isArray(info) ? { ...info } : {};
}

/**
 * Sign (not send) `token.approve(Permit2, 2^256-1)` as an EIP-1559 transaction at the owner's
 * current nonce, gas 70 000, estimated fees (fallback 1 gwei / 0.1 gwei).
 *
 * @example const raw = await signApprovalTransaction({ client, signTransaction }, owner, token, 84532)
 */
export async function signApprovalTransaction(
  options: Permit2SponsoringOptions,
  owner: Address,
  token: Address,
  chainId: number,
): Promise<Hex> {
  if (!options.signTransaction)
    throw new X402Error(EvmReasons.config, 'signApprovalTransaction needs signTransaction');
  const nonce = await options.client.getTransactionCount({ address: getAddress(owner) });
  let maxFeePerGas = 1_000_000_000n;
  let maxPriorityFeePerGas = 100_000_000n;
  try {
    const fees = await options.client.estimateFeesPerGas();
    maxFeePerGas = fees.maxFeePerGas;
    maxPriorityFeePerGas = fees.maxPriorityFeePerGas;
  } catch {
    // keep the fallback fees
  }
  return options.signTransaction({
    type: 'eip1559',
    chainId,
    nonce,
    to: token,
    data: encodeFunctionData({
      abi: permit2Erc20Abi,
      functionName: 'approve',
      args: [PERMIT2_ADDRESS, MAX_UINT256],
    }),
    gas: APPROVAL_GAS_LIMIT,
    maxFeePerGas,
    maxPriorityFeePerGas,
  });
}
