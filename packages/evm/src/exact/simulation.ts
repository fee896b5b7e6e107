/**
 * The on-chain half of verification: an `eth_call` of the very `transferWithAuthorization` the
 * facilitator would send, and, when it fails, one Multicall3 read to say why.
 */
import { Reasons } from '@x402kit/core';
import { type Address, encodeFunctionData, type Hex, type PublicClient } from 'viem';
import { type ExactEvmAuthorization, eip3009Abi } from '../eip3009.js';
import { errorText } from '../error-text.js';
import { MULTICALL3_ADDRESS } from '../multicall3.js';
import { byteLength } from './signature.js';

/**
 * Calldata of `transferWithAuthorization`: the v,r,s overload (`0xe3ee160e`) for 65-byte
 * signatures, the `bytes` overload (`0xcf092995`) otherwise or when `forceBytes` is set.
 *
 * @example
 * const data = encodeTransferWithAuthorization(payload.authorization, payload.signature)
 */
export function encodeTransferWithAuthorization(
  authorization: ExactEvmAuthorization,
  signature: Hex,
  options: { forceBytes?: boolean } = {},
): Hex {
  const base = [
    authorization.from,
    authorization.to,
    BigInt(authorization.value),
    BigInt(authorization.validAfter),
    BigInt(authorization.validBefore),
    authorization.nonce,
  ] as const;
  if (byteLength(signature) === 65 && !options.forceBytes) {
    // r || s || v, split as is: the token judges the values (v 0/1 is normalized to 27/28)
    const r: Hex = `0x${signature.slice(2, 66)}`;
    const s: Hex = `0x${signature.slice(66, 130)}`;
    const v = Number.parseInt(signature.slice(130, 132), 16);
    return encodeFunctionData({
      abi: eip3009Abi,
      functionName: 'transferWithAuthorization',
      args: [...base, v < 27 ? v + 27 : v, r, s],
    });
  }
  return encodeFunctionData({
    abi: eip3009Abi,
    functionName: 'transferWithAuthorization',
    args: [...base, signature],
  });
}

export type SimulationResult = { ok: true } | { ok: false; message: string };

/**
 * `eth_call` the transfer as `sender` would send it. Never throws: an RPC failure is a failed
 * simulation with its message.
 *
 * @example
 * const sim = await simulateTransfer(client, { asset, data, sender: relayer.address })
 */
export async function simulateTransfer(
  client: Pick<PublicClient, 'call'>,
  call: { asset: Address; data: Hex; sender: Address },
): Promise<SimulationResult> {
  try {
    await client.call({ account: call.sender, to: call.asset, data: call.data });
    return { ok: true };
  } catch (error) {
    return { ok: false, message: errorText(error) };
  }
}

/**
 * Why did the simulation fail? Reads `balanceOf`, `name`, `version` and `authorizationState` in
 * one Multicall3 call (separate calls when the chain has no Multicall3) and answers with the
 * reference's first matching reason, else `invalid_exact_evm_transaction_simulation_failed`.
 *
 * @example
 * const reason = await diagnoseSimulationFailure(client, { asset, authorization, name: 'USDC', version: '2', amount: 1000n })
 */
export async function diagnoseSimulationFailure(
  client: Pick<PublicClient, 'multicall' | 'readContract'>,
  input: {
    asset: Address;
    authorization: ExactEvmAuthorization;
    name: string;
    version: string;
    amount: bigint;
  },
): Promise<string> {
  const { asset, authorization } = input;
  const contracts = [
    { address: asset, abi: eip3009Abi, functionName: 'balanceOf', args: [authorization.from] },
    { address: asset, abi: eip3009Abi, functionName: 'name' },
    { address: asset, abi: eip3009Abi, functionName: 'version' },
    {
      address: asset,
      abi: eip3009Abi,
      functionName: 'authorizationState',
      args: [authorization.from, authorization.nonce],
    },
  ] as const;
  let results: readonly [Outcome<bigint>, Outcome<string>, Outcome<string>, Outcome<boolean>];
  try {
    results = await client.multicall({ contracts, multicallAddress: MULTICALL3_ADDRESS, allowFailure: true });
  } catch {
    try {
      const [balance, name, version, used] = await Promise.allSettled([
        client.readContract(contracts[0]),
        client.readContract(contracts[1]),
        client.readContract(contracts[2]),
        client.readContract(contracts[3]),
      ]);
      results = [outcome(balance), outcome(name), outcome(version), outcome(used)];
    } catch {
      return Reasons.exactEvmSimulationFailed;
    }
  }
  const [balance, name, version, used] = results;
  if (used.status === 'failure') return Reasons.exactEvmEip3009NotSupported;
  if (used.result === true) return Reasons.exactEvmNonceAlreadyUsed;
  if (name.status === 'success' && name.result !== input.name) return Reasons.exactEvmTokenNameMismatch;
  if (version.status === 'success' && version.result !== input.version)
    return Reasons.exactEvmTokenVersionMismatch;
  if (balance.status === 'success' && balance.result < input.amount)
    return Reasons.exactEvmInsufficientBalance;
  return Reasons.exactEvmSimulationFailed;
}

type Outcome<T> = { status: 'success'; result: T } | { status: 'failure'; error: unknown };

function outcome<T>(settled: PromiseSettledResult<T>): Outcome<T> {
  return settled.status === 'fulfilled'
    ? { status: 'success', result: settled.value }
    : { status: 'failure', error: settled.reason };
}
