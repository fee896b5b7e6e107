/**
 * Read-only TRC-20 calls over a {@link TronNodeClient}: `balanceOf` and `allowance`.
 */
import { decodeAbiParameters, encodeAbiParameters, type Hex } from 'viem';
import { toEvmHex } from './address.js';
import type { TronNodeClient } from './node-client.js';
import { TronNodeError } from './node-error.js';
import { TronReasons } from './reasons.js';

const ADDRESS = [{ type: 'address' }] as const;
const TWO_ADDRESSES = [{ type: 'address' }, { type: 'address' }] as const;

async function readUint256(
  node: TronNodeClient,
  token: string,
  owner: string,
  functionSelector: string,
  parameter: Hex,
): Promise<bigint> {
  const result = await node.triggerConstantContract({ contract: token, owner, functionSelector, parameter });
  const data = result.constantResult[0];
  const path = '/wallet/triggerconstantcontract';
  if (result.reverted || data === undefined || data.length < 66) {
    throw new TronNodeError(
      TronReasons.nodeContractFailed,
      `${functionSelector} on ${token} ${result.reverted ? 'reverted' : 'returned no uint256'}: is it a TRC-20 contract?`,
      { path },
    );
  }
  return decodeAbiParameters([{ type: 'uint256' }], `0x${data.slice(2, 66)}`)[0];
}

/**
 * The TRC-20 balance of `owner` in `token` (atomic units). Addresses in any TRON form.
 *
 * @throws {TronNodeError} `tron_node_contract_failed` when the call reverts or returns nothing.
 * @example
 * const balance = await readTrc20Balance(node, { token: 'TXYZopYRdj2D9XRtbG411XZZ3kM5VkAeBf', owner: 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz' });
 */
export function readTrc20Balance(
  node: TronNodeClient,
  args: { token: string; owner: string },
): Promise<bigint> {
  const parameter = encodeAbiParameters(ADDRESS, [toEvmHex(args.owner)]);
  return readUint256(node, args.token, args.owner, 'balanceOf(address)', parameter);
}

/**
 * How much `spender` may pull from `owner` in `token`. Addresses in any TRON form.
 *
 * @throws {TronNodeError} `tron_node_contract_failed` when the call reverts or returns nothing.
 * @example
 * const allowance = await readTrc20Allowance(node, { token, owner, spender: PAYMENT_PERMIT_TRON_ADDRESSES['tron:nile'] });
 */
export function readTrc20Allowance(
  node: TronNodeClient,
  args: { token: string; owner: string; spender: string },
): Promise<bigint> {
  const parameter = encodeAbiParameters(TWO_ADDRESSES, [toEvmHex(args.owner), toEvmHex(args.spender)]);
  return readUint256(node, args.token, args.owner, 'allowance(address,address)', parameter);
}
