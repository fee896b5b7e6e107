import { Reasons, X402Error } from '@x402kit/core';
import { AnvilRpc } from './anvil-rpc.js';
import { tronAddressToHex } from './tron-address.js';
import { WEI_PER_SUN } from './tron-nile.js';

/**
 * Reads an account's TRX (in SUN: anvil balance / 10^12) or a TRC-20 balance (`balanceOf`) straight from the
 * devnet's anvil, without TronWeb. Addresses in any TRON form.
 *
 * @example
 * ```ts
 * const sun = await readTronBalance(devnet.rpcUrl, 'TRX', 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz');
 * const usdt = await readTronBalance(devnet.rpcUrl, devnet.assets.USDT, 'TE2H9hWjzYdwzDFRJfx9BFhr4MmjH1CHaz');
 * ```
 */
export async function readTronBalance(
  rpcUrl: string,
  token: 'TRX' | string,
  address: string,
): Promise<bigint> {
  const rpc = new AnvilRpc(rpcUrl);
  const owner = tronAddressToHex(address).slice(2);
  if (token === 'TRX') return (await rpc.getBalance(`0x${owner}`)) / WEI_PER_SUN;
  const result = await rpc.call({
    from: `0x${'0'.repeat(40)}`,
    to: `0x${tronAddressToHex(token).slice(2)}`,
    data: `0x70a08231${owner.padStart(64, '0')}`,
  });
  if (result.reverted || result.data.length < 66)
    throw new X402Error(Reasons.invalidArgument, `balanceOf reverted at ${token}`);
  return BigInt(result.data.slice(0, 66));
}
