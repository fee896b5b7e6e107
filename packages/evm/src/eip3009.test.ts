import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  domainSeparator,
  encodeFunctionData,
  hashTypedData,
  keccak256,
  recoverTypedDataAddress,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  buildEip3009Domain,
  buildTransferWithAuthorizationTypedData,
  type ExactEvmAuthorization,
  eip3009Abi,
} from './eip3009.js';

const USDC_BASE_SEPOLIA = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';
const payer = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const authorization: ExactEvmAuthorization = {
  from: payer.address,
  to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  value: '1000',
  validAfter: '1700000000',
  validBefore: '1700000300',
  nonce: `0x${'ab'.repeat(32)}`,
};

describe('EIP-3009 typed data', () => {
  it('builds the Base Sepolia USDC domain separator of Appendix A', () => {
    const domain = buildEip3009Domain({
      name: 'USDC',
      version: '2',
      chainId: 84532,
      verifyingContract: USDC_BASE_SEPOLIA,
    });
    assert.equal(
      domainSeparator({ domain }),
      '0x71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818',
    );
    const base = buildEip3009Domain({
      name: 'USD Coin',
      version: '2',
      chainId: 8453,
      verifyingContract: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    });
    assert.equal(
      domainSeparator({ domain: base }),
      '0x02fa7265e7c5d81118673727957699e4d68f74cd74b7db77da710fe8a2c7834f',
    );
  });

  it('uses the TransferWithAuthorization type hash', () => {
    const typeString =
      'TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)';
    assert.equal(
      keccak256(toHex(typeString)),
      '0x7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267',
    );
  });

  it('digest = keccak256(0x1901 || domainSeparator || structHash), independent of address letter case', () => {
    const domain = {
      name: 'USDC',
      version: '2',
      chainId: 84532,
      verifyingContract: USDC_BASE_SEPOLIA,
    } as const;
    const typedData = buildTransferWithAuthorizationTypedData(domain, authorization);
    const lower = buildTransferWithAuthorizationTypedData(
      { ...domain, verifyingContract: `0x${USDC_BASE_SEPOLIA.slice(2).toLowerCase()}` },
      { ...authorization, to: `0x${authorization.to.slice(2).toLowerCase()}` },
    );
    assert.equal(hashTypedData(typedData), hashTypedData(lower));
    const structHash = keccak256(
      `0x${[
        '7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267',
        authorization.from.slice(2).toLowerCase().padStart(64, '0'),
        authorization.to.slice(2).toLowerCase().padStart(64, '0'),
        (1000).toString(16).padStart(64, '0'),
        (1700000000).toString(16).padStart(64, '0'),
        (1700000300).toString(16).padStart(64, '0'),
        'ab'.repeat(32),
      ].join('')}`,
    );
    const expected = keccak256(
      `0x1901${'71f17a3b2ff373b803d70a5a07c046c1a2bc8e89c09ef722fcb047abe94c9818'}${structHash.slice(2)}`,
    );
    assert.equal(hashTypedData(typedData), expected);
  });

  it('a signature over the typed data recovers to the payer', async () => {
    const typedData = buildTransferWithAuthorizationTypedData(
      { name: 'USDC', version: '2', chainId: 84532, verifyingContract: USDC_BASE_SEPOLIA },
      authorization,
    );
    const signature = await payer.signTypedData(typedData);
    assert.equal(await recoverTypedDataAddress({ ...typedData, signature }), payer.address);
  });

  it('ABI selectors match Appendix A', () => {
    const base = [authorization.from, authorization.to, 1n, 2n, 3n, authorization.nonce] as const;
    const vrs = encodeFunctionData({
      abi: eip3009Abi,
      functionName: 'transferWithAuthorization',
      args: [...base, 27, `0x${'11'.repeat(32)}`, `0x${'22'.repeat(32)}`],
    });
    const bytes = encodeFunctionData({
      abi: eip3009Abi,
      functionName: 'transferWithAuthorization',
      args: [...base, '0x1234'],
    });
    assert.equal(vrs.slice(0, 10), '0xe3ee160e');
    assert.equal(bytes.slice(0, 10), '0xcf092995');
    const selector = (data: string) => data.slice(0, 10);
    assert.equal(
      selector(
        encodeFunctionData({
          abi: eip3009Abi,
          functionName: 'authorizationState',
          args: [authorization.from, authorization.nonce],
        }),
      ),
      '0xe94a0102',
    );
    assert.equal(
      selector(
        encodeFunctionData({ abi: eip3009Abi, functionName: 'balanceOf', args: [authorization.from] }),
      ),
      '0x70a08231',
    );
    assert.equal(selector(encodeFunctionData({ abi: eip3009Abi, functionName: 'name' })), '0x06fdde03');
    assert.equal(selector(encodeFunctionData({ abi: eip3009Abi, functionName: 'version' })), '0x54fd4d50');
  });
});
