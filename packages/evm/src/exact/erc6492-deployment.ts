/**
 * ERC-6492 counterfactual wallets, facilitator side: which factories a facilitator may call (an
 * allowlist per network, empty by default: fail closed, as advisory #2480 asks), the deployment a
 * wrapped signature asks for, a simulation that runs that deployment first, and the deployment
 * itself, sent through a relayer's nonce lane before the payment settles.
 */
import { Reasons } from '@x402kit/core';
import {
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  isErc6492Signature,
  type PublicClient,
  parseErc6492Signature,
} from 'viem';
import { addressKey, isEvmAddress } from '../address.js';
import { EvmConfigError } from '../config-error.js';
import { errorText } from '../error-text.js';
import { relaySettlement } from '../relayer/relay-settlement.js';
import type { Relayer } from '../relayer/relayer.js';
import { MULTICALL3_ADDRESS } from './simulation.js';

/** Lower-case factory addresses a facilitator may call to deploy a payer's wallet, per CAIP-2 network. */
export type Erc6492Factories = ReadonlyMap<string, ReadonlySet<string>>;

/** The option shape: factory addresses per network (`eip155:84532` or a v1 name). */
export type Erc6492FactoriesOption = Record<string, readonly string[]>;

/** A counterfactual wallet's deployment: call `factory` with `data`. */
export type Erc6492Deployment = { factory: Address; data: Hex };

/** Gas limit of the factory call that deploys a wallet (the factory is trusted: it is allowlisted). */
export const ERC6492_DEPLOY_GAS_LIMIT = 1_000_000n;

/** What a signature asks of the facilitator before its payment can settle. */
export type Erc6492Reading =
  /** Not ERC-6492 wrapped: judge it as it is. */
  | { kind: 'plain' }
  /** Wrapped, but the wallet already has code: the inner signature is the one to use. */
  | { kind: 'deployed'; inner: Hex }
  /** Wrapped, wallet not deployed, factory allowlisted: deploy first. */
  | { kind: 'deploy'; inner: Hex; deployment: Erc6492Deployment }
  | { kind: 'refused'; reason: string; message: string };

/**
 * Parse the `erc6492Factories` option; absent means none (every undeployed wallet is refused).
 *
 * @example
 * const factories = parseErc6492Factories({ 'eip155:84532': ['0x6492649264926492649264926492649264926492'] })
 */
export function parseErc6492Factories(
  value: Erc6492FactoriesOption | undefined,
  toNetwork: (key: string) => string = (key) => key,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  if (value === undefined) return out;
  if (typeof value !== 'object' || value === null)
    throw new EvmConfigError('erc6492Factories', 'must map networks to lists of factory addresses');
  for (const [key, list] of Object.entries(value)) {
    if (!Array.isArray(list))
      throw new EvmConfigError(`erc6492Factories["${key}"]`, 'must be a list of factory addresses');
    const set = new Set<string>();
    list.forEach((factory: unknown, i) => {
      if (!isEvmAddress(factory))
        throw new EvmConfigError(
          `erc6492Factories["${key}"][${i}]`,
          `"${String(factory)}" is not an EVM address`,
        );
      set.add(addressKey(factory));
    });
    out.set(toNetwork(key), set);
  }
  return out;
}

/**
 * Read what an ERC-6492 wrapped signature asks for. The wrapper names the call target (the factory)
 * and its calldata; the target must be on `allowed`, or the payment is refused with
 * `eip6492_factory_not_allowed` and nothing is called. Whether the calldata really deploys `from`
 * is proven by the signature check and the simulation that follow (both run it first).
 *
 * @example
 * const read = await readErc6492Signature(client, { signature, from, allowed: factories.get(network) })
 */
export async function readErc6492Signature(
  client: Pick<PublicClient, 'getCode'>,
  input: { signature: Hex; from: Address; allowed: ReadonlySet<string> | undefined },
): Promise<Erc6492Reading> {
  if (!isErc6492Signature(input.signature)) return { kind: 'plain' };
  let parsed: ReturnType<typeof parseErc6492Signature>;
  try {
    parsed = parseErc6492Signature(input.signature);
  } catch (error) {
    return {
      kind: 'refused',
      reason: Reasons.exactEvmSignature,
      message: `malformed ERC-6492 signature: ${errorText(error)}`,
    };
  }
  if (await hasCode(client, input.from)) return { kind: 'deployed', inner: parsed.signature };
  const factory = parsed.address;
  if (!factory || !parsed.data || !input.allowed?.has(addressKey(factory))) {
    return {
      kind: 'refused',
      reason: Reasons.eip6492FactoryNotAllowed,
      message: `${input.from} is not deployed and its ERC-6492 factory ${factory ?? '(none)'} is not on this facilitator's allowlist`,
    };
  }
  return {
    kind: 'deploy',
    inner: parsed.signature,
    deployment: { factory: getAddress(factory), data: parsed.data },
  };
}

const aggregate3Abi = [
  {
    type: 'function',
    name: 'aggregate3',
    stateMutability: 'payable',
    inputs: [
      {
        name: 'calls',
        type: 'tuple[]',
        components: [
          { name: 'target', type: 'address' },
          { name: 'allowFailure', type: 'bool' },
          { name: 'callData', type: 'bytes' },
        ],
      },
    ],
    outputs: [
      {
        name: 'returnData',
        type: 'tuple[]',
        components: [
          { name: 'success', type: 'bool' },
          { name: 'returnData', type: 'bytes' },
        ],
      },
    ],
  },
] as const;

/**
 * `eth_call` the deployment and then the payment call in one Multicall3 `aggregate3` (both must
 * succeed), so a counterfactual wallet is simulated as it will be after deployment. The payment
 * call's `msg.sender` is Multicall3, which neither EIP-3009 nor the exact Permit2 proxy looks at.
 * Never throws.
 *
 * @example
 * const sim = await simulateWithDeployment(client, { deployment, call: { to: asset, data } })
 */
export async function simulateWithDeployment(
  client: Pick<PublicClient, 'call'>,
  input: { deployment: Erc6492Deployment; call: { to: Address; data: Hex }; sender?: Address },
): Promise<{ ok: true } | { ok: false; message: string; errorName?: string }> {
  const data = encodeFunctionData({
    abi: aggregate3Abi,
    functionName: 'aggregate3',
    args: [
      [
        { target: input.deployment.factory, allowFailure: false, callData: input.deployment.data },
        { target: input.call.to, allowFailure: false, callData: input.call.data },
      ],
    ],
  });
  try {
    await client.call({
      ...(input.sender ? { account: input.sender } : {}),
      to: MULTICALL3_ADDRESS,
      data,
    });
    return { ok: true };
  } catch (error) {
    return { ok: false, message: `simulation with the ERC-6492 deployment failed: ${errorText(error)}` };
  }
}

/**
 * Deploy `from` by calling the allowlisted factory through `relayer` (its nonce lane), wait for
 * the receipt and check `from` has code. Resolves `undefined` when the wallet is there (also when
 * someone else deployed it meanwhile), else `invalid_exact_evm_payload_undeployed_smart_wallet`
 * with what went wrong.
 *
 * @example
 * const failed = await deployCounterfactualWallet({ relayer, client, deployment, from, pollingIntervalMs: 100, receiptTimeoutMs: 30_000 })
 */
export async function deployCounterfactualWallet(input: {
  relayer: Pick<Relayer, 'send' | 'reset'>;
  client: Pick<PublicClient, 'getCode' | 'request'>;
  deployment: Erc6492Deployment;
  from: Address;
  pollingIntervalMs: number;
  receiptTimeoutMs: number;
  signal?: AbortSignal;
}): Promise<{ reason: string; message: string; transaction: string } | undefined> {
  const undeployed = (message: string, transaction = '') => ({
    reason: Reasons.exactEvmUndeployedSmartWallet,
    message,
    transaction,
  });
  try {
    if (await hasCode(input.client, input.from)) return undefined;
    const sent = await relaySettlement({
      relayer: input.relayer,
      call: { to: input.deployment.factory, data: input.deployment.data, gas: ERC6492_DEPLOY_GAS_LIMIT },
      client: input.client,
      pollingIntervalMs: input.pollingIntervalMs,
      receiptTimeoutMs: input.receiptTimeoutMs,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    if (sent.kind === 'refused') return undeployed(`the wallet deployment was refused: ${sent.message}`);
    if (sent.kind === 'pending')
      return undeployed(`the wallet deployment is pending: ${sent.message}`, sent.hash);
    if (sent.receipt.status !== 'success')
      return undeployed(`the wallet deployment ${sent.hash} reverted`, sent.hash);
    if (!(await hasCode(input.client, input.from)))
      return undeployed(`the factory call ${sent.hash} did not deploy ${input.from}`, sent.hash);
    return undefined;
  } catch (error) {
    return undeployed(`the wallet deployment failed: ${errorText(error)}`);
  }
}

async function hasCode(client: Pick<PublicClient, 'getCode'>, address: Address): Promise<boolean> {
  const code = await client.getCode({ address });
  return code !== undefined && code !== '0x';
}
