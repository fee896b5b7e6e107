import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eip712Types } from './eip712-types.js';

/** `true` only when A and B are the same type (readonly-ness and literal types included). */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

const permit2Witness = eip712Types(
  'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,Witness witness)',
  'TokenPermissions(address token,uint256 amount)',
  'Witness(address to,uint256 validAfter)',
);
const permit2WitnessByHand = {
  PermitWitnessTransferFrom: [
    { name: 'permitted', type: 'TokenPermissions' },
    { name: 'spender', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
    { name: 'witness', type: 'Witness' },
  ],
  TokenPermissions: [
    { name: 'token', type: 'address' },
    { name: 'amount', type: 'uint256' },
  ],
  Witness: [
    { name: 'to', type: 'address' },
    { name: 'validAfter', type: 'uint256' },
  ],
} as const;

const claimBatch = eip712Types(
  'ClaimBatch(ClaimEntry[] claims)',
  'ClaimEntry(bytes32 channelId,uint128 maxClaimableAmount,uint128 totalClaimed)',
);
const claimBatchByHand = {
  ClaimBatch: [{ name: 'claims', type: 'ClaimEntry[]' }],
  ClaimEntry: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'maxClaimableAmount', type: 'uint128' },
    { name: 'totalClaimed', type: 'uint128' },
  ],
} as const;

// type-level: each fails to compile when the inferred type is not exactly the `as const` literal's
const permit2WitnessTypeIsExact: Equals<typeof permit2Witness, typeof permit2WitnessByHand> = true;
const claimBatchTypeIsExact: Equals<typeof claimBatch, typeof claimBatchByHand> = true;
const empty = eip712Types('Empty()');
const emptyStructTypeIsExact: Equals<typeof empty, { readonly Empty: readonly [] }> = true;

describe('eip712Types', () => {
  it('builds the types of several structs, referenced ones and arrays of structs included', () => {
    assert.deepStrictEqual(permit2Witness, permit2WitnessByHand);
    assert.deepStrictEqual(claimBatch, claimBatchByHand);
    assert.deepStrictEqual(empty, { Empty: [] });
    assert.deepStrictEqual(eip712Types('Grid(uint8[2][] cells,Grid[] children,bytes data)'), {
      Grid: [
        { name: 'cells', type: 'uint8[2][]' },
        { name: 'children', type: 'Grid[]' },
        { name: 'data', type: 'bytes' },
      ],
    });
    assert.ok(permit2WitnessTypeIsExact && claimBatchTypeIsExact && emptyStructTypeIsExact);
  });

  it('gives back the encodeType strings it was built from', () => {
    const encode = (types: Record<string, readonly { name: string; type: string }[]>) =>
      Object.entries(types).map(
        ([name, fields]) => `${name}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`,
      );
    assert.deepStrictEqual(encode(claimBatch), [
      'ClaimBatch(ClaimEntry[] claims)',
      'ClaimEntry(bytes32 channelId,uint128 maxClaimableAmount,uint128 totalClaimed)',
    ]);
  });

  it('throws on a malformed string, naming it', () => {
    const malformed: Array<[string[], RegExp]> = [
      [['Transfer(address from, address to)'], /" address to", not "type name"/],
      [['Transfer(address from,address to'], /is not Name\(type name,...\)/],
      [['Transfer (address from)'], /is not Name\(type name,...\)/],
      [['Transfer(address from,)'], /has "", not "type name"/],
      [['Transfer(address)'], /has "address", not "type name"/],
      [['Transfer(address from)Other(uint256 x)'], /is not Name\(type name,...\)/],
      [['1Transfer(address from)'], /is not Name\(type name,...\)/],
      [['Batch(Entry[] entries)'], /references Entry, not given/],
      [['Transfer(adress from)'], /references adress, not given/],
      [['Transfer(uint7 value)'], /references uint7, not given/],
      [['Transfer(address from)', 'Transfer(address to)'], /declares Transfer twice/],
    ];
    for (const [structs, message] of malformed) {
      assert.throws(() => eip712Types(...structs), { message }, structs.join(' '));
      assert.throws(() => eip712Types(...structs), {
        name: 'X402Error',
        reason: 'invalid_argument',
        message: /^eip712Types: "/,
      });
    }
  });
});
