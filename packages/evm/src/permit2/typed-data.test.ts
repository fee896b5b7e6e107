import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashDomain, hashStruct, hashTypedData, keccak256, recoverTypedDataAddress, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  PERMIT2_ADDRESS,
  X402_EXACT_PERMIT2_PROXY_ADDRESS,
  X402_UPTO_PERMIT2_PROXY_ADDRESS,
} from './constants.js';
import {
  buildPermit2Domain,
  buildPermit2TypedData,
  exactPermit2WitnessTypes,
  type Permit2Authorization,
  uptoPermit2WitnessTypes,
} from './typed-data.js';

const typehash = (s: string) => keccak256(toHex(s));
const EXACT_TYPE =
  'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,uint256 validAfter)';
const UPTO_TYPE =
  'PermitWitnessTransferFrom(TokenPermissions permitted,address spender,uint256 nonce,uint256 deadline,Witness witness)TokenPermissions(address token,uint256 amount)Witness(address to,address facilitator,uint256 validAfter)';

describe('Permit2 typed data (Appendix A)', () => {
  it('has the reference typehashes', () => {
    const expected: Array<[string, string]> = [
      [EXACT_TYPE, '0xebc156cd23678a74c94df13d772ef5478420637f0c94bd10d509e1dc98f521c7'],
      [UPTO_TYPE, '0x51dff6974ad4388c499e7fcfe838d2bd767162553a144098ce20ea661d70c2ee'],
      [
        'TokenPermissions(address token,uint256 amount)',
        '0x618358ac3db8dc274f0cd8829da7e234bd48cd73c4a740aede1adec9846d06a1',
      ],
      [
        'Witness(address to,uint256 validAfter)',
        '0xd97b3239a7f32295517bd14cb074edfdd188dfe5eb42f802bb26d4fd1eb12c37',
      ],
      [
        'Witness(address to,address facilitator,uint256 validAfter)',
        '0xd4171c445a74218b01d4fd8af34ff1106580ea1e36ff837e64484bfaa2253b75',
      ],
    ];
    for (const [type, hash] of expected) assert.equal(typehash(type), hash, type);
  });

  it('viem encodes our type tables to those type strings', () => {
    // hashStruct of an all-zero message starts with the typehash; compare through a manual encoding
    const zeroToken = { token: '0x0000000000000000000000000000000000000000', amount: 0n } as const;
    const h = hashStruct({
      data: zeroToken,
      primaryType: 'TokenPermissions',
      types: exactPermit2WitnessTypes,
    });
    const manual = keccak256(
      `0x618358ac3db8dc274f0cd8829da7e234bd48cd73c4a740aede1adec9846d06a1${'0'.repeat(128)}`,
    );
    assert.equal(h, manual);
    assert.equal(uptoPermit2WitnessTypes.Witness.length, 3);
  });

  it('has the reference Permit2 domain separators (no version field)', () => {
    const sep = (chainId: number) =>
      hashDomain({
        domain: { ...buildPermit2Domain(chainId), chainId: BigInt(chainId) },
        types: {
          EIP712Domain: [
            { name: 'name', type: 'string' },
            { name: 'chainId', type: 'uint256' },
            { name: 'verifyingContract', type: 'address' },
          ],
        },
      });
    assert.equal(sep(84532), '0x010f27a92fb9a32622f44f001dc4d15706a85b33499cfc2ce9033113ab26592c');
    assert.equal(sep(8453), '0x3b6f35e4fce979ef8eac3bcdc8c3fc38fe7911bb0c69c8fe72bf1fd1a17e6f07');
    assert.equal(sep(1), '0x866a5aba21966af95d6c7ab78eb2b2fc913915c28be3b9aa07cc04ff903e3f28');
    assert.equal(buildPermit2Domain(1).verifyingContract, PERMIT2_ADDRESS);
  });

  it('signs and recovers exact and upto authorizations', async () => {
    const account = privateKeyToAccount(`0x${'11'.repeat(32)}`);
    const exact: Permit2Authorization = {
      from: account.address,
      permitted: { token: '0x036CbD53842c5426634e7929541eC2318f3dCF7e', amount: '1000' },
      spender: X402_EXACT_PERMIT2_PROXY_ADDRESS,
      nonce: '12345678901234567890',
      deadline: '2000000000',
      witness: { to: '0x209693Bc6afc0C5328bA36FaF03C514EF312287C', validAfter: '0' },
    };
    const upto: Permit2Authorization = {
      ...exact,
      spender: X402_UPTO_PERMIT2_PROXY_ADDRESS,
      witness: { ...exact.witness, facilitator: account.address },
    };
    for (const auth of [exact, upto]) {
      const typedData = buildPermit2TypedData(84532, auth);
      const signature = await account.signTypedData(typedData);
      assert.equal(await recoverTypedDataAddress({ ...typedData, signature }), account.address);
    }
    assert.notEqual(
      hashTypedData(buildPermit2TypedData(84532, exact)),
      hashTypedData(buildPermit2TypedData(84532, upto)),
    );
  });
});
