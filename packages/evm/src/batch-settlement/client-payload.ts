/**
 * The signatures a `batch-settlement` client makes: the cumulative voucher (EIP-712 under the escrow's
 * domain), the ERC-3009 `ReceiveWithAuthorization` to the ERC-3009 collector (nonce bound to the channel),
 * and the Permit2 witness transfer to the Permit2 collector. Internal to the client.
 */
import {
  type Address,
  encodeAbiParameters,
  getAddress,
  type Hex,
  keccak256,
  recoverTypedDataAddress,
  toHex,
} from 'viem';
import { buildEip3009Domain, transferWithAuthorizationTypes } from '../eip3009.js';
import type { ExactEvmSigner } from '../exact/client.js';
import { PERMIT2_ADDRESS } from '../permit2/constants.js';
import { createPermit2Nonce } from '../permit2/sign.js';
import { batchSettlementDomain } from './channel.js';
import {
  depositPermit2Types,
  ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
  PERMIT2_DEPOSIT_COLLECTOR_ADDRESS,
  voucherTypes,
} from './constants.js';
import type { DepositPayload } from './payload.js';

/** The signer of deposits and vouchers: `exact`'s EVM signer (a viem `LocalAccount`, a wallet, a KMS). */
export type BatchSettlementSigner = ExactEvmSigner;

/** ERC-3009 `ReceiveWithAuthorization`: the fields of `TransferWithAuthorization` under its own type name. */
export const receiveWithAuthorizationTypes = {
  ReceiveWithAuthorization: transferWithAuthorizationTypes.TransferWithAuthorization,
} as const;

/** A signed cumulative voucher. */
export type SignedVoucher = { channelId: Hex; maxClaimableAmount: string; signature: Hex };

/** Sign the voucher `(channelId, maxClaimableAmount)` under the escrow's domain on `chainId`. */
export async function signVoucher(
  signer: BatchSettlementSigner,
  channelId: Hex,
  maxClaimableAmount: bigint,
  chainId: number,
): Promise<SignedVoucher> {
  const signature = await signer.signTypedData({
    domain: batchSettlementDomain(chainId),
    types: voucherTypes,
    primaryType: 'Voucher',
    message: { channelId, maxClaimableAmount },
  });
  return { channelId, maxClaimableAmount: maxClaimableAmount.toString(), signature };
}

/** Who signed the voucher `(channelId, maxClaimableAmount)`, or undefined when the signature is unreadable. */
export async function voucherSignerOf(
  channelId: Hex,
  maxClaimableAmount: bigint,
  signature: Hex,
  chainId: number,
): Promise<Address | undefined> {
  try {
    return await recoverTypedDataAddress({
      domain: batchSettlementDomain(chainId),
      types: voucherTypes,
      primaryType: 'Voucher',
      message: { channelId, maxClaimableAmount },
      signature,
    });
  } catch {
    return undefined;
  }
}

/** The ERC-3009 nonce of a deposit: `keccak256(abi.encode(channelId, uint256(salt)))`. */
export function erc3009DepositNonce(channelId: Hex, salt: Hex): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'bytes32' }, { type: 'uint256' }], [channelId, BigInt(salt)]),
  );
}

/** What a deposit authorization is signed for. */
export type DepositTerms = {
  chainId: number;
  channelId: Hex;
  token: Address;
  amount: bigint;
  /** Unix seconds the authorization stays valid until. */
  deadline: number;
  /** The token's EIP-712 domain (`extra.name`, `extra.version`), for ERC-3009. */
  tokenDomain?: { name: string; version: string };
};

type DepositAuthorization = DepositPayload['deposit']['authorization'];

/** Sign `ReceiveWithAuthorization(payer -> ERC-3009 collector, amount)` with a fresh salt. */
export async function signErc3009Deposit(
  signer: BatchSettlementSigner,
  terms: DepositTerms & { tokenDomain: { name: string; version: string } },
): Promise<DepositAuthorization> {
  const salt = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const signature = await signer.signTypedData({
    domain: buildEip3009Domain({
      ...terms.tokenDomain,
      chainId: terms.chainId,
      verifyingContract: terms.token,
    }),
    types: receiveWithAuthorizationTypes,
    primaryType: 'ReceiveWithAuthorization',
    message: {
      from: getAddress(signer.address),
      to: ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
      value: terms.amount,
      validAfter: 0n,
      validBefore: BigInt(terms.deadline),
      nonce: erc3009DepositNonce(terms.channelId, salt),
    },
  });
  return {
    erc3009Authorization: { validAfter: '0', validBefore: String(terms.deadline), salt, signature },
  };
}

/** Sign a Permit2 witness transfer of `amount` to the Permit2 collector, the witness binding the channel. */
export async function signPermit2Deposit(
  signer: BatchSettlementSigner,
  terms: DepositTerms,
): Promise<DepositAuthorization> {
  const nonce = createPermit2Nonce();
  const permitted = { token: getAddress(terms.token), amount: terms.amount.toString() };
  const signature = await signer.signTypedData({
    domain: { name: 'Permit2', chainId: terms.chainId, verifyingContract: PERMIT2_ADDRESS },
    types: depositPermit2Types,
    primaryType: 'PermitWitnessTransferFrom',
    message: {
      permitted: { token: permitted.token, amount: terms.amount },
      spender: PERMIT2_DEPOSIT_COLLECTOR_ADDRESS,
      nonce: BigInt(nonce),
      deadline: BigInt(terms.deadline),
      witness: { channelId: terms.channelId },
    },
  });
  return {
    permit2Authorization: {
      from: getAddress(signer.address),
      permitted,
      spender: PERMIT2_DEPOSIT_COLLECTOR_ADDRESS,
      nonce,
      deadline: String(terms.deadline),
      witness: { channelId: terms.channelId },
      signature,
    },
  };
}
