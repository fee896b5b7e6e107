/**
 * The ABI of BofAI's `PaymentPermit` contract (the 3-argument `permitTransferFrom` of the
 * "remove delivery" revision) and the ERC-20 subset `exact_permit` needs.
 */
import { erc20Abi } from 'viem';

const permitMeta = {
  name: 'meta',
  type: 'tuple',
  components: [
    { name: 'kind', type: 'uint8' },
    { name: 'paymentId', type: 'bytes16' },
    { name: 'nonce', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
  ],
} as const;

/**
 * `PaymentPermit`: `permitTransferFrom` (selector `0xa4bd65d0`), the nonce views, the domain
 * separator, the `PermitTransfer` event and the custom errors.
 *
 * @example encodeFunctionData({ abi: paymentPermitAbi, functionName: 'permitTransferFrom', args: [permit, owner, signature] })
 */
export const paymentPermitAbi = [
  {
    type: 'function',
    name: 'permitTransferFrom',
    stateMutability: 'nonpayable',
    inputs: [
      {
        name: 'permit',
        type: 'tuple',
        components: [
          permitMeta,
          { name: 'buyer', type: 'address' },
          { name: 'caller', type: 'address' },
          {
            name: 'payment',
            type: 'tuple',
            components: [
              { name: 'payToken', type: 'address' },
              { name: 'payAmount', type: 'uint256' },
              { name: 'payTo', type: 'address' },
            ],
          },
          {
            name: 'fee',
            type: 'tuple',
            components: [
              { name: 'feeTo', type: 'address' },
              { name: 'feeAmount', type: 'uint256' },
            ],
          },
        ],
      },
      { name: 'owner', type: 'address' },
      { name: 'signature', type: 'bytes' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'nonceUsed',
    stateMutability: 'view',
    inputs: [
      { name: 'owner', type: 'address' },
      { name: 'nonce', type: 'uint256' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'nonceBitmap',
    stateMutability: 'view',
    inputs: [
      { name: 'owner', type: 'address' },
      { name: 'wordPos', type: 'uint256' },
    ],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'DOMAIN_SEPARATOR',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'event',
    name: 'PermitTransfer',
    inputs: [
      { name: 'buyer', type: 'address', indexed: true },
      { name: 'paymentId', type: 'bytes16', indexed: true },
      { name: 'payToken', type: 'address', indexed: true },
      { name: 'payTo', type: 'address', indexed: false },
      { name: 'amount', type: 'uint256', indexed: false },
    ],
  },
  { type: 'error', name: 'InvalidTimestamp', inputs: [] },
  { type: 'error', name: 'InvalidCaller', inputs: [] },
  { type: 'error', name: 'InvalidNonce', inputs: [] },
  { type: 'error', name: 'InvalidSignature', inputs: [] },
  { type: 'error', name: 'NonceAlreadyUsed', inputs: [] },
  { type: 'error', name: 'InvalidKind', inputs: [] },
  { type: 'error', name: 'BuyerMismatch', inputs: [] },
] as const;

/**
 * The ERC-20 calls around a PaymentPermit payment (`allowance`, `approve`, `balanceOf`): the
 * standard ERC-20 ABI, one definition shared with every other token read.
 *
 * @example readContract({ address: token, abi: permitTokenAbi, functionName: 'allowance', args: [owner, permitContract] })
 */
export const permitTokenAbi = erc20Abi;
