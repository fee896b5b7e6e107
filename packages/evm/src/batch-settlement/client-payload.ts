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
  type TypedDataDefinition,
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

type Erc3009Auth = Extract<DepositAuthorization, { erc3009Authorization: unknown }>['erc3009Authorization'];
type Permit2Auth = Extract<DepositAuthorization, { permit2Authorization: unknown }>['permit2Authorization'];

/**
 * The `ReceiveWithAuthorization(payer -> ERC-3009 collector, amount)` a deposit signs: what the client
 * signs and the facilitator verifies.
 */
export function erc3009DepositTypedData(
  terms: Pick<DepositTerms, 'chainId' | 'channelId' | 'token' | 'amount'> & {
    tokenDomain: { name: string; version: string };
    payer: Address;
  },
  auth: Pick<Erc3009Auth, 'validAfter' | 'validBefore' | 'salt'>,
): TypedDataDefinition<typeof receiveWithAuthorizationTypes, 'ReceiveWithAuthorization'> {
  return {
    domain: buildEip3009Domain({
      ...terms.tokenDomain,
      chainId: terms.chainId,
      verifyingContract: terms.token,
    }),
    types: receiveWithAuthorizationTypes,
    primaryType: 'ReceiveWithAuthorization',
    message: {
      from: terms.payer,
      to: ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
      value: terms.amount,
      validAfter: BigInt(auth.validAfter),
      validBefore: BigInt(auth.validBefore),
      nonce: erc3009DepositNonce(terms.channelId, auth.salt),
    },
  };
}

/** Sign `ReceiveWithAuthorization(payer -> ERC-3009 collector, amount)` with a fresh salt. */
export async function signErc3009Deposit(
  signer: BatchSettlementSigner,
  terms: DepositTerms & { tokenDomain: { name: string; version: string } },
): Promise<DepositAuthorization> {
  const auth = {
    validAfter: '0',
    validBefore: String(terms.deadline),
    salt: toHex(crypto.getRandomValues(new Uint8Array(32))),
  };
  const payer = getAddress(signer.address);
  const signature = await signer.signTypedData(erc3009DepositTypedData({ ...terms, payer }, auth));
  return { erc3009Authorization: { ...auth, signature } };
}

/**
 * The Permit2 witness transfer a deposit signs (spender: the Permit2 collector, witness: the channel):
 * what the client signs and the facilitator verifies.
 */
export function permit2DepositTypedData(
  chainId: number,
  auth: Omit<Permit2Auth, 'from' | 'signature'>,
): TypedDataDefinition<typeof depositPermit2Types, 'PermitWitnessTransferFrom'> {
  return {
    domain: { name: 'Permit2', chainId, verifyingContract: PERMIT2_ADDRESS },
    types: depositPermit2Types,
    primaryType: 'PermitWitnessTransferFrom',
    message: {
      permitted: { token: auth.permitted.token, amount: BigInt(auth.permitted.amount) },
      spender: auth.spender,
      nonce: BigInt(auth.nonce),
      deadline: BigInt(auth.deadline),
      witness: { channelId: auth.witness.channelId },
    },
  };
}

/** Sign a Permit2 witness transfer of `amount` to the Permit2 collector, the witness binding the channel. */
export async function signPermit2Deposit(
  signer: BatchSettlementSigner,
  terms: DepositTerms,
): Promise<DepositAuthorization> {
  const unsigned = {
    permitted: { token: getAddress(terms.token), amount: terms.amount.toString() },
    spender: PERMIT2_DEPOSIT_COLLECTOR_ADDRESS,
    nonce: createPermit2Nonce(),
    deadline: String(terms.deadline),
    witness: { channelId: terms.channelId },
  };
  const signature = await signer.signTypedData(permit2DepositTypedData(terms.chainId, unsigned));
  return { permit2Authorization: { from: getAddress(signer.address), ...unsigned, signature } };
}
