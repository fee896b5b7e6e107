// Every EIP-712 type table built with eip712Types, hashed by viem: the struct hash of an all-zero
// message starts from keccak256(encodeType), so viem must encode each table back to the canonical
// string (primary type, then the structs it references sorted by name) written out here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GASFREE_PERMIT_TRANSFER_TYPES } from '@x402kit/core';
import { EIP712_DOMAIN_TYPES, TRANSFER_WITH_AUTHORIZATION_TYPES } from '@x402kit/core/internal';
import { paymentPermitTypes } from '@x402kit/payment-permit';
import { concat, type Hex, hashStruct, keccak256, toHex, zeroAddress } from 'viem';
import {
  channelConfigTypes,
  claimBatchTypes,
  depositPermit2Types,
  refundTypes,
  voucherTypes,
} from './batch-settlement/constants.js';
import { eip2612PermitTypes } from './permit2/sponsoring-client.js';
import { exactPermit2WitnessTypes, uptoPermit2WitnessTypes } from './permit2/typed-data.js';

type Types = Record<string, readonly { name: string; type: string }[]>;

/** 32 zero bytes: the encoding of a zero address, number, bool or fixed-size bytes. */
const Z: Hex = `0x${'00'.repeat(32)}`;
/** keccak256 of nothing: the encoding of an empty string, empty bytes or an empty array. */
const EMPTY = keccak256('0x');

/** hashStruct by hand: keccak256(typehash ‖ encoded members), the typehash from the encodeType string. */
const structHash = (encodeType: string, members: Hex[]) =>
  keccak256(concat([keccak256(toHex(encodeType)), ...members]));

/** The all-zero message of `primaryType`: zero numbers and addresses, empty strings, bytes and arrays. */
function zeroMessage(types: Types, primaryType: string): Record<string, unknown> {
  const fields = types[primaryType] ?? [];
  return Object.fromEntries(
    fields.map(({ name, type }) => {
      if (type.endsWith(']')) return [name, []];
      if (type in types) return [name, zeroMessage(types, type)];
      if (type === 'address') return [name, zeroAddress];
      if (type === 'bool') return [name, false];
      if (type === 'string') return [name, ''];
      if (type === 'bytes') return [name, '0x'];
      if (type.startsWith('bytes')) return [name, `0x${'00'.repeat(Number(type.slice(5)))}`];
      return [name, 0n];
    }),
  );
}

const TOKEN_PERMISSIONS = structHash('TokenPermissions(address token,uint256 amount)', [Z, Z]);

const tables: Array<[string, Types, string, Hex]> = [
  [
    'TransferWithAuthorization',
    TRANSFER_WITH_AUTHORIZATION_TYPES,
    'TransferWithAuthorization',
    structHash(
      'TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)',
      [Z, Z, Z, Z, Z, Z],
    ),
  ],
  [
    'EIP712Domain',
    EIP712_DOMAIN_TYPES,
    'EIP712Domain',
    structHash('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)', [
      EMPTY,
      EMPTY,
      Z,
      Z,
    ]),
  ],
  [
    'GasFree PermitTransfer',
    GASFREE_PERMIT_TRANSFER_TYPES,
    'PermitTransfer',
    structHash(
      'PermitTransfer(address token,address serviceProvider,address user,address receiver,uint256 value,uint256 maxFee,uint256 deadline,uint256 version,uint256 nonce)',
      [Z, Z, Z, Z, Z, Z, Z, Z, Z],
    ),
  ],
  [
    'EIP-2612 Permit',
    eip2612PermitTypes,
    'Permit',
    structHash('Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)', [
      Z,
      Z,
      Z,
      Z,
      Z,
    ]),
  ],
  [
    'ChannelConfig',
    channelConfigTypes,
    'ChannelConfig',
    structHash(
      'ChannelConfig(address payer,address payerAuthorizer,address receiver,address receiverAuthorizer,address token,uint40 withdrawDelay,bytes32 salt)',
      [Z, Z, Z, Z, Z, Z, Z],
    ),
  ],
  [
    'Voucher',
    voucherTypes,
    'Voucher',
    structHash('Voucher(bytes32 channelId,uint128 maxClaimableAmount)', [Z, Z]),
  ],
  [
    'Refund',
    refundTypes,
    'Refund',
    structHash('Refund(bytes32 channelId,uint256 nonce,uint128 amount)', [Z, Z, Z]),
  ],
  [
    'ClaimBatch',
    claimBatchTypes,
    'ClaimBatch',
    structHash(
      'ClaimBatch(ClaimEntry[] claims)ClaimEntry(bytes32 channelId,uint128 maxClaimableAmount,uint128 totalClaimed)',
      [EMPTY],
    ),
  ],
  [
    'batch-settlement Permit2 deposit',
    depositPermit2Types,
    'PermitWitnessTransferFrom',
    structHash(
      'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,DepositWitness witness)DepositWitness(bytes32 channelId)TokenPermissions(address token,uint256 amount)',
      [TOKEN_PERMISSIONS, Z, Z, Z, structHash('DepositWitness(bytes32 channelId)', [Z])],
    ),
  ],
  [
    'Permit2 exact witness',
    exactPermit2WitnessTypes,
    'PermitWitnessTransferFrom',
    structHash(
      'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,uint256 validAfter)',
      [TOKEN_PERMISSIONS, Z, Z, Z, structHash('Witness(address to,uint256 validAfter)', [Z, Z])],
    ),
  ],
  [
    'Permit2 upto witness',
    uptoPermit2WitnessTypes,
    'PermitWitnessTransferFrom',
    structHash(
      'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,address facilitator,uint256 validAfter)',
      [
        TOKEN_PERMISSIONS,
        Z,
        Z,
        Z,
        structHash('Witness(address to,address facilitator,uint256 validAfter)', [Z, Z, Z]),
      ],
    ),
  ],
  [
    'PaymentPermit',
    paymentPermitTypes,
    'PaymentPermitDetails',
    structHash(
      'PaymentPermitDetails(PermitMeta meta,address buyer,address caller,Payment payment,Fee fee)Fee(address feeTo,uint256 feeAmount)Payment(address payToken,uint256 payAmount,address payTo)PermitMeta(uint8 kind,bytes16 paymentId,uint256 nonce,uint256 validAfter,uint256 validBefore)',
      [
        structHash(
          'PermitMeta(uint8 kind,bytes16 paymentId,uint256 nonce,uint256 validAfter,uint256 validBefore)',
          [Z, Z, Z, Z, Z],
        ),
        Z,
        Z,
        structHash('Payment(address payToken,uint256 payAmount,address payTo)', [Z, Z, Z]),
        structHash('Fee(address feeTo,uint256 feeAmount)', [Z, Z]),
      ],
    ),
  ],
];

describe('EIP-712 type tables built from their encodeType strings', () => {
  for (const [label, types, primaryType, expected] of tables) {
    it(`viem encodes ${label} back to its canonical type string`, () => {
      const data = zeroMessage(types, primaryType);
      assert.equal(hashStruct({ data, primaryType, types }), expected);
    });
  }
});
