/**
 * EIP-712 of Permit2 witness transfers: the domain (name "Permit2", chain id, Permit2 address; no
 * `version` field) and the `PermitWitnessTransferFrom` types of the `exact` and `upto` witnesses.
 */
import { eip712Types } from '@x402kit/core/internal';
import { type Address, getAddress, type TypedDataDefinition } from 'viem';
import { PERMIT2_ADDRESS } from './constants.js';

/** The Permit2 witness transfer's primary type, whatever the witness (its `Witness` struct differs). */
const PERMIT_WITNESS_TRANSFER_FROM =
  'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,Witness witness)';
/** The token and amount a Permit2 transfer moves. */
const TOKEN_PERMISSIONS = 'TokenPermissions(address token,uint256 amount)';

/** `Witness(address to,uint256 validAfter)`: the `exact` proxy's witness. */
export const exactPermit2WitnessTypes = eip712Types(
  PERMIT_WITNESS_TRANSFER_FROM,
  TOKEN_PERMISSIONS,
  'Witness(address to,uint256 validAfter)',
);

/** `Witness(address to,address facilitator,uint256 validAfter)`: the `upto` proxy's witness. */
export const uptoPermit2WitnessTypes = eip712Types(
  PERMIT_WITNESS_TRANSFER_FROM,
  TOKEN_PERMISSIONS,
  'Witness(address to,address facilitator,uint256 validAfter)',
);

/** A Permit2 witness authorization as it travels on the wire (numbers as decimal strings). */
export type Permit2Authorization = {
  from: Address;
  permitted: { token: Address; amount: string };
  spender: Address;
  /** uint256 as a decimal string (the reference emits decimal; 0x-hex is accepted when read). */
  nonce: string;
  deadline: string;
  /** `exact`: `{ to, validAfter }`; `upto`: `{ to, facilitator, validAfter }`. */
  witness: { to: Address; validAfter: string; facilitator?: Address };
};

/** `paymentPayload.payload` of a Permit2 payment. */
export type Permit2Payload = { signature: `0x${string}`; permit2Authorization: Permit2Authorization };

/** What `buildExactPermit2TypedData` returns. */
export type ExactPermit2TypedData = TypedDataDefinition<
  typeof exactPermit2WitnessTypes,
  'PermitWitnessTransferFrom'
>;
/** What `buildUptoPermit2TypedData` returns. */
export type UptoPermit2TypedData = TypedDataDefinition<
  typeof uptoPermit2WitnessTypes,
  'PermitWitnessTransferFrom'
>;

/**
 * The Permit2 EIP-712 domain for `chainId` (no `version`).
 *
 * @example buildPermit2Domain(84532) // { name: 'Permit2', chainId: 84532, verifyingContract: '0x0000…8BA3' }
 */
export function buildPermit2Domain(chainId: number) {
  return { name: 'Permit2', chainId, verifyingContract: PERMIT2_ADDRESS } as const;
}

/**
 * Typed data of an authorization: `upto` types when the witness names a facilitator, else `exact`.
 *
 * @example
 * const typedData = buildPermit2TypedData(84532, authorization)
 * const signature = await account.signTypedData(typedData)
 */
export function buildPermit2TypedData(
  chainId: number,
  authorization: Permit2Authorization,
): TypedDataDefinition {
  const { witness } = authorization;
  return witness.facilitator !== undefined
    ? buildUptoPermit2TypedData(chainId, authorization, witness.facilitator)
    : buildExactPermit2TypedData(chainId, authorization);
}

/** The typed data of `authorization` under `types`, with `witness` as signed. */
function witnessTypedData<Types, Witness>(
  chainId: number,
  types: Types,
  authorization: Permit2Authorization,
  witness: Witness,
) {
  return {
    domain: buildPermit2Domain(chainId),
    types,
    primaryType: 'PermitWitnessTransferFrom' as const,
    message: {
      permitted: {
        token: getAddress(authorization.permitted.token),
        amount: BigInt(authorization.permitted.amount),
      },
      spender: getAddress(authorization.spender),
      nonce: BigInt(authorization.nonce),
      deadline: BigInt(authorization.deadline),
      witness,
    },
  };
}

/**
 * Typed data of an `exact` authorization (`Witness(address to,uint256 validAfter)`).
 *
 * @example const typedData = buildExactPermit2TypedData(84532, authorization)
 */
export function buildExactPermit2TypedData(
  chainId: number,
  authorization: Permit2Authorization,
): ExactPermit2TypedData {
  const { witness } = authorization;
  return witnessTypedData(chainId, exactPermit2WitnessTypes, authorization, {
    to: getAddress(witness.to),
    validAfter: BigInt(witness.validAfter),
  });
}

/**
 * Typed data of an `upto` authorization (`Witness(address to,address facilitator,uint256 validAfter)`).
 *
 * @example const typedData = buildUptoPermit2TypedData(84532, authorization, facilitator)
 */
export function buildUptoPermit2TypedData(
  chainId: number,
  authorization: Permit2Authorization,
  facilitator: Address,
): UptoPermit2TypedData {
  const { witness } = authorization;
  return witnessTypedData(chainId, uptoPermit2WitnessTypes, authorization, {
    to: getAddress(witness.to),
    facilitator: getAddress(facilitator),
    validAfter: BigInt(witness.validAfter),
  });
}
