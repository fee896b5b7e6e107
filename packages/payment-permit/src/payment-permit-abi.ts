/**
 * The ABI of BofAI's `PaymentPermit` contract (the 3-argument `permitTransferFrom` of the
 * "remove delivery" revision) and the ERC-20 subset `exact_permit` needs.
 */
import { erc20Abi, parseAbi } from 'viem';

/**
 * `PaymentPermit`: `permitTransferFrom` (selector `0xa4bd65d0`), the nonce views, the domain
 * separator, the `PermitTransfer` event and the custom errors. The structs are the contract's,
 * field for field the EIP-712 types of `paymentPermitTypes` (its typehash is built from them).
 *
 * @example encodeFunctionData({ abi: paymentPermitAbi, functionName: 'permitTransferFrom', args: [permit, owner, signature] })
 */
export const paymentPermitAbi = parseAbi([
  'struct PermitMeta { uint8 kind; bytes16 paymentId; uint256 nonce; uint256 validAfter; uint256 validBefore; }',
  'struct Payment { address payToken; uint256 payAmount; address payTo; }',
  'struct Fee { address feeTo; uint256 feeAmount; }',
  'struct PaymentPermitDetails { PermitMeta meta; address buyer; address caller; Payment payment; Fee fee; }',
  'function permitTransferFrom(PaymentPermitDetails permit, address owner, bytes signature)',
  'function nonceUsed(address owner, uint256 nonce) view returns (bool)',
  'function nonceBitmap(address owner, uint256 wordPos) view returns (uint256)',
  'function DOMAIN_SEPARATOR() view returns (bytes32)',
  'event PermitTransfer(address indexed buyer, bytes16 indexed paymentId, address indexed payToken, address payTo, uint256 amount)',
  'error InvalidTimestamp()',
  'error InvalidCaller()',
  'error InvalidNonce()',
  'error InvalidSignature()',
  'error NonceAlreadyUsed()',
  'error InvalidKind()',
  'error BuyerMismatch()',
]);

/**
 * The ERC-20 calls around a PaymentPermit payment (`allowance`, `approve`, `balanceOf`): the
 * standard ERC-20 ABI, one definition shared with every other token read.
 *
 * @example readContract({ address: token, abi: permitTokenAbi, functionName: 'allowance', args: [owner, permitContract] })
 */
export const permitTokenAbi = erc20Abi;
