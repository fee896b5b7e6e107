/**
 * ERC-6492 counterfactual wallets, facilitator side: which factories a facilitator may call (an
 * allowlist per network, empty by default: fail closed, as advisory #2480 asks), the deployment a
 * wrapped signature asks for, a simulation that runs that deployment first, and the deployment
 * itself, sent through a relayer's nonce lane before the payment settles. The deployment is gas
 * the facilitator spends on the payer's behalf: its gas is estimated and bounded, and its cost is
 * reserved from the sponsoring budget (cap per payment, daily per payer and per key) before it is sent.
 */
import { Reasons } from '@x402kit/core';
import {
  type Address,
  encodeFunctionData,
  getAddress,
  type Hex,
  isErc6492Signature,
  type PublicClient,
  parseAbi,
  parseErc6492Signature,
} from 'viem';
import { addressKey, isEvmAddress } from '../address.js';
import { EvmConfigError } from '../config-error.js';
import { errorText } from '../error-text.js';
import type { GasSponsorBudget, SponsoredPayment } from '../gas-sponsor-budget.js';
import { MULTICALL3_ADDRESS } from '../multicall3.js';
import type { FeeOracle } from '../relayer/fee-oracle.js';
import { relaySettlement } from '../relayer/relay-settlement.js';
import { relayOptions } from '../relayer/relayed-call.js';
import type { Relayer } from '../relayer/relayer.js';

/** Lower-case factory addresses a facilitator may call to deploy a payer's wallet, per CAIP-2 network. */
export type Erc6492Factories = ReadonlyMap<string, ReadonlySet<string>>;

/** The option shape: factory addresses per network (`eip155:84532` or a v1 name). */
export type Erc6492FactoriesOption = Record<string, readonly string[]>;

/** A counterfactual wallet's deployment: call `factory` with `data`. */
export type Erc6492Deployment = { factory: Address; data: Hex };

/** Default ceiling of the gas a wallet deployment may take (it is estimated and sent with a 20 % margin). */
export const ERC6492_DEPLOY_GAS_LIMIT = 1_000_000n;

/** What bounds a deployment: its gas ceiling, the fee estimate it is priced with, the budget it is reserved from. */
export type DeploymentSponsor = {
  budget: GasSponsorBudget;
  fees: FeeOracle;
  /** Highest gas the deployment may take (`eip6492_deployment_gas_too_high` above). */
  maxGas: bigint;
  network: string;
  /** The payment the deployment is for. */
  payment: SponsoredPayment;
};

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

const aggregate3Abi = parseAbi([
  'struct Call3 { address target; bool allowFailure; bytes callData; }',
  'struct Result { bool success; bytes returnData; }',
  'function aggregate3(Call3[] calls) payable returns (Result[] returnData)',
]);

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
 * the receipt and check `from` has code. The deployment's gas is estimated first: above
 * `sponsor.maxGas` it is refused (`eip6492_deployment_gas_too_high`), else it is sent with a 20 %
 * margin (at most `maxGas`) once `gas x max fee` is reserved from `sponsor.budget` (refused with the
 * budget's reason, nothing sent). Resolves `undefined` when the wallet is there (also when someone
 * else deployed it meanwhile), else the reason and what went wrong.
 *
 * @example
 * const failed = await deployCounterfactualWallet({ relayer, client, deployment, from, sponsor, pollingIntervalMs: 100, receiptTimeoutMs: 30_000 })
 */
export async function deployCounterfactualWallet(input: {
  relayer: Pick<Relayer, 'address' | 'send' | 'reset'>;
  client: Pick<PublicClient, 'getCode' | 'request' | 'estimateGas'>;
  deployment: Erc6492Deployment;
  from: Address;
  sponsor: DeploymentSponsor;
  pollingIntervalMs: number;
  receiptTimeoutMs: number;
  signal?: AbortSignal;
}): Promise<{ reason: string; message: string; transaction: string } | undefined> {
  const undeployed = (message: string, transaction = '') => ({
    reason: Reasons.exactEvmUndeployedSmartWallet,
    message,
    transaction,
  });
  const { sponsor, deployment, relayer } = input;
  let reservation: string | undefined;
  try {
    if (await hasCode(input.client, input.from)) return undefined;
    let estimate: bigint;
    try {
      estimate = await input.client.estimateGas({
        account: relayer.address,
        to: deployment.factory,
        data: deployment.data,
      });
    } catch (error) {
      return undeployed(`the wallet deployment would fail: ${errorText(error)}`);
    }
    if (estimate > sponsor.maxGas)
      return {
        reason: Reasons.eip6492DeploymentGasTooHigh,
        message: `deploying ${input.from} needs ${estimate} gas; this facilitator deploys wallets with at most ${sponsor.maxGas}`,
        transaction: '',
      };
    const withMargin = (estimate * 12n) / 10n;
    const gas = withMargin < sponsor.maxGas ? withMargin : sponsor.maxGas;
    const fees = await sponsor.fees.get();
    const reserved = await sponsor.budget.reserve({
      kind: 'erc6492_deployment',
      network: sponsor.network,
      key: relayer.address,
      payer: input.from,
      payment: sponsor.payment,
      wei: gas * (fees.type === 'eip1559' ? fees.maxFeePerGas : fees.gasPrice),
    });
    if (!reserved.ok) return { reason: reserved.reason, message: reserved.message, transaction: '' };
    reservation = reserved.id;
    const sent = await relaySettlement({
      relayer,
      call: { to: deployment.factory, data: deployment.data, gas },
      client: input.client,
      ...relayOptions(input, input),
    });
    if (sent.kind === 'refused') {
      await sponsor.budget.release(reservation);
      return undeployed(`the wallet deployment was refused: ${sent.message}`);
    }
    const cost = sent.kind === 'mined' ? await gasCost(input.client, sent.hash) : undefined;
    await sponsor.budget.commit(reservation, {
      transaction: sent.hash,
      ...(cost === undefined ? {} : { wei: cost }),
    });
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

/** `gasUsed x effectiveGasPrice` of a mined transaction, or `undefined` when the receipt cannot be read. */
export async function gasCost(client: Pick<PublicClient, 'request'>, hash: Hex): Promise<bigint | undefined> {
  try {
    const receipt = await client.request({ method: 'eth_getTransactionReceipt', params: [hash] });
    if (!receipt) return undefined;
    return BigInt(receipt.gasUsed) * BigInt(receipt.effectiveGasPrice);
  } catch {
    return undefined;
  }
}

async function hasCode(client: Pick<PublicClient, 'getCode'>, address: Address): Promise<boolean> {
  const code = await client.getCode({ address });
  return code !== undefined && code !== '0x';
}
