/**
 * The on-chain half of Permit2 verification: an `eth_call` of the proxy call the facilitator would
 * send and, when it fails, one Multicall3 read (`PERMIT2()` on the proxy, `balanceOf`, `allowance`)
 * to say why, in the reference's order.
 */
import { type Address, BaseError, decodeErrorResult, type Hex, type PublicClient } from 'viem';
import { errorText } from '../error-text.js';
import { MULTICALL3_ADDRESS } from '../multicall3.js';
import { exactPermit2ProxyAbi, PERMIT2_ADDRESS, permit2Erc20Abi } from './constants.js';
import { Permit2Reasons } from './reasons.js';

export type Permit2SimulationResult =
  | { ok: true }
  | {
      ok: false;
      message: string;
      /** The custom error the proxy or Permit2 reverted with (`InvalidNonce`, `PaymentTooEarly`, ...), when decodable. */
      errorName?: string;
    };

/**
 * `eth_call` `data` on `proxy` as `sender` would send it. Never throws.
 *
 * @example
 * const sim = await simulatePermit2Call(client, { proxy, data, sender })
 */
export async function simulatePermit2Call(
  client: Pick<PublicClient, 'call'>,
  call: { proxy: Address; data: Hex; sender?: Address },
): Promise<Permit2SimulationResult> {
  try {
    await client.call({ ...(call.sender ? { account: call.sender } : {}), to: call.proxy, data: call.data });
    return { ok: true };
  } catch (error) {
    const errorName = revertErrorName(error);
    return { ok: false, message: errorText(error), ...(errorName ? { errorName } : {}) };
  }
}

/** The custom error name in a failed call's revert data, decoded with the proxies' error ABI. */
function revertErrorName(error: unknown): string | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const withData = error.walk((e) => {
    const data: unknown = typeof e === 'object' && e !== null ? Reflect.get(e, 'data') : undefined;
    return typeof data === 'string' && /^0x[0-9a-fA-F]{8}/.test(data);
  });
  const data: unknown = withData ? Reflect.get(withData, 'data') : undefined;
  if (typeof data !== 'string' || !/^0x[0-9a-fA-F]{8}/.test(data)) return undefined;
  try {
    return decodeErrorResult({ abi: exactPermit2ProxyAbi, data: `0x${data.slice(2)}` }).errorName;
  } catch {
    return undefined;
  }
}

type Outcome<T> = { status: 'success'; result: T } | { status: 'failure'; error: unknown };

/**
 * Read proxy deployment, payer balance and Permit2 allowance in one Multicall3 call (separate
 * calls when the chain has none).
 */
async function readFacts(
  client: Pick<PublicClient, 'multicall' | 'readContract'>,
  input: { proxy: Address; token: Address; payer: Address },
): Promise<readonly [Outcome<Address>, Outcome<bigint>, Outcome<bigint>]> {
  const contracts = [
    { address: input.proxy, abi: exactPermit2ProxyAbi, functionName: 'PERMIT2' },
    { address: input.token, abi: permit2Erc20Abi, functionName: 'balanceOf', args: [input.payer] },
    {
      address: input.token,
      abi: permit2Erc20Abi,
      functionName: 'allowance',
      args: [input.payer, PERMIT2_ADDRESS],
    },
  ] as const;
  try {
    return await client.multicall({ contracts, multicallAddress: MULTICALL3_ADDRESS, allowFailure: true });
  } catch {
    const [a, b, c] = await Promise.allSettled([
      client.readContract(contracts[0]),
      client.readContract(contracts[1]),
      client.readContract(contracts[2]),
    ]);
    return [outcome(a), outcome(b), outcome(c)];
  }
}

/**
 * Why did the simulation fail? `permit2_proxy_not_deployed`, `permit2_insufficient_balance`,
 * `permit2_allowance_required`, else `permit2_simulation_failed`.
 *
 * @example
 * const reason = await diagnosePermit2Failure(client, { proxy, token, payer, amount: 1000n })
 */
export async function diagnosePermit2Failure(
  client: Pick<PublicClient, 'multicall' | 'readContract'>,
  input: { proxy: Address; token: Address; payer: Address; amount: bigint },
): Promise<string> {
  try {
    const [proxy, balance, allowance] = await readFacts(client, input);
    if (proxy.status === 'failure') return Permit2Reasons.proxyNotDeployed;
    if (balance.status === 'success' && balance.result < input.amount)
      return Permit2Reasons.insufficientBalance;
    if (allowance.status === 'success' && allowance.result < input.amount)
      return Permit2Reasons.allowanceRequired;
  } catch {
    // fall through
  }
  return Permit2Reasons.simulationFailed;
}

/**
 * Without a simulation (approval sponsoring without a bundle simulator): proxy deployed and
 * balance sufficient, else the matching reason; `undefined` when both hold.
 *
 * @example
 * const reason = await checkPermit2Prerequisites(client, { proxy, token, payer, amount })
 */
export async function checkPermit2Prerequisites(
  client: Pick<PublicClient, 'multicall' | 'readContract'>,
  input: { proxy: Address; token: Address; payer: Address; amount: bigint },
): Promise<string | undefined> {
  try {
    const [proxy, balance] = await readFacts(client, input);
    if (proxy.status === 'failure') return Permit2Reasons.proxyNotDeployed;
    if (balance.status === 'success' && balance.result < input.amount)
      return Permit2Reasons.insufficientBalance;
  } catch {
    // unknown: let settlement decide
  }
  return undefined;
}

function outcome<T>(settled: PromiseSettledResult<T>): Outcome<T> {
  return settled.status === 'fulfilled'
    ? { status: 'success', result: settled.value }
    : { status: 'failure', error: settled.reason };
}
