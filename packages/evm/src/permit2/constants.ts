/**
 * Addresses and ABIs of the Permit2 flavour of x402 on EVM: Uniswap's Permit2, the two x402
 * proxies (`exact` and `upto`) and the ERC-20 / EIP-2612 calls around them. The addresses are the
 * same on every chain (CREATE2).
 */
import { type Address, parseAbi } from 'viem';

/** Uniswap Permit2 (canonical CREATE2 address). */
export const PERMIT2_ADDRESS: Address = '0x000000000022D473030F116dDEE9F6B43aC78BA3';
/** `x402ExactPermit2Proxy`: transfers exactly the permitted amount to `witness.to`. */
export const X402_EXACT_PERMIT2_PROXY_ADDRESS: Address = '0x402085c248EeA27D92E8b30b2C58ed07f9E20001';
/** `x402UptoPermit2Proxy`: transfers a facilitator-chosen amount up to the permitted one. */
export const X402_UPTO_PERMIT2_PROXY_ADDRESS: Address = '0x4020A4f3b7b90ccA423B9fabCc0CE57C6C240002';
/** 2^256 - 1: the allowance `approve(Permit2, …)` grants. */
export const MAX_UINT256 = 2n ** 256n - 1n;

/** Custom errors the proxies and Permit2 revert with (so viem names them in error messages). */
const permit2Errors = [
  'error InvalidAmount()',
  'error InvalidOwner()',
  'error InvalidDestination()',
  'error PaymentTooEarly()',
  'error Permit2612AmountMismatch()',
  'error AmountExceedsPermitted()',
  'error UnauthorizedFacilitator()',
  'error InvalidPermit2Address()',
  'error ReentrancyGuardReentrantCall()',
  'error InvalidNonce()',
  'error InvalidSignature()',
  'error InvalidSigner()',
  'error InvalidSignatureLength()',
  'error SignatureExpired(uint256 signatureDeadline)',
  'error InvalidContractSignature()',
] as const;

/**
 * `x402ExactPermit2Proxy`: `settle(permit, owner, witness, signature)` (`0x13cd3b53`) and
 * `settleWithPermit(permit2612, …)` (`0xfa340378`).
 */
export const exactPermit2ProxyAbi = parseAbi([
  'struct TokenPermissions { address token; uint256 amount; }',
  'struct PermitTransferFrom { TokenPermissions permitted; uint256 nonce; uint256 deadline; }',
  'struct Witness { address to; uint256 validAfter; }',
  'struct EIP2612Permit { uint256 value; uint256 deadline; bytes32 r; bytes32 s; uint8 v; }',
  'function PERMIT2() view returns (address)',
  'function settle(PermitTransferFrom permit, address owner, Witness witness, bytes signature)',
  'function settleWithPermit(EIP2612Permit permit2612, PermitTransferFrom permit, address owner, Witness witness, bytes signature)',
  ...permit2Errors,
]);

/**
 * `x402UptoPermit2Proxy`: `settle(permit, amount, owner, witness, signature)` (`0xff11e7b4`) and
 * `settleWithPermit(permit2612, …)` (`0x016c1748`); only `witness.facilitator` may call them.
 */
export const uptoPermit2ProxyAbi = parseAbi([
  'struct TokenPermissions { address token; uint256 amount; }',
  'struct PermitTransferFrom { TokenPermissions permitted; uint256 nonce; uint256 deadline; }',
  'struct Witness { address to; address facilitator; uint256 validAfter; }',
  'struct EIP2612Permit { uint256 value; uint256 deadline; bytes32 r; bytes32 s; uint8 v; }',
  'function PERMIT2() view returns (address)',
  'function settle(PermitTransferFrom permit, uint256 amount, address owner, Witness witness, bytes signature)',
  'function settleWithPermit(EIP2612Permit permit2612, PermitTransferFrom permit, uint256 amount, address owner, Witness witness, bytes signature)',
  ...permit2Errors,
]);

/** The ERC-20 and EIP-2612 calls Permit2 payments need. */
export const permit2Erc20Abi = parseAbi([
  'function balanceOf(address account) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function nonces(address owner) view returns (uint256)',
  'function name() view returns (string)',
  'function version() view returns (string)',
  'function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
]);
