import { errorText, sleep } from '@x402kit/core/internal';
import type { Account, Address, Chain, Hash, Hex, HttpTransport, PublicClient, WalletClient } from 'viem';
import { gasFreeControllerArtifact } from '../generated/contracts.js';
import { tronAddressToBase58 } from '../tron/tron-address.js';
import { gasFreeTime } from './gasfree-json.js';
import type { GasFreeTransferState, GasFreeTxnState, GasFreeWireTransfer } from './gasfree-wire.js';

/** A transfer authorization the local GasFree service accepted, and what became of it. */
export interface GasFreeTransferRecord {
  readonly id: string;
  readonly createdAtMs: number;
  updatedAtMs: number;
  readonly user: Address;
  readonly gasFreeAddress: Address;
  readonly provider: Address;
  readonly receiver: Address;
  readonly token: Address;
  readonly value: bigint;
  readonly maxFee: bigint;
  readonly deadline: bigint;
  readonly nonce: bigint;
  readonly sig: Hex;
  /** Fees as estimated at submit (activation fee is charged when the account was inactive). */
  readonly activateFee: bigint;
  readonly transferFee: bigint;
  state: GasFreeTransferState;
  txnState: GasFreeTxnState;
  txnHash?: Hash;
  txnBlockNum?: number;
  txnBlockTimestamp?: number;
  reason?: string;
  /** Status polls answered so far (drives the service's fault modes). */
  polls: number;
}

/** Whether a transfer still holds its account (counts against `maxPendingTransfer` and the nonce). */
export function isPending(record: GasFreeTransferRecord): boolean {
  return record.state !== 'SUCCEED' && record.state !== 'FAILED';
}

/**
 * The wire form of a transfer record (`GET /api/v1/gasfree/{traceId}` and the submit answer).
 *
 * @example
 * ```ts
 * const data = toWireTransfer(record);
 * ```
 */
export function toWireTransfer(record: GasFreeTransferRecord): GasFreeWireTransfer {
  const totalFee = record.activateFee + record.transferFee;
  const onChain = record.txnState === 'ON_CHAIN' || record.txnState === 'SOLIDITY';
  return {
    id: record.id,
    createdAt: gasFreeTime(record.createdAtMs),
    updatedAt: gasFreeTime(record.updatedAtMs),
    accountAddress: tronAddressToBase58(record.user),
    gasFreeAddress: tronAddressToBase58(record.gasFreeAddress),
    providerAddress: tronAddressToBase58(record.provider),
    targetAddress: tronAddressToBase58(record.receiver),
    tokenAddress: tronAddressToBase58(record.token),
    amount: record.value,
    maxFee: record.maxFee,
    signature: record.sig.slice(2),
    version: 1,
    nonce: Number(record.nonce),
    expiredAt: gasFreeTime(Number(record.deadline) * 1000),
    state: record.state,
    estimatedActivateFee: record.activateFee,
    estimatedTransferFee: record.transferFee,
    estimatedTotalFee: totalFee,
    estimatedTotalCost: record.value + totalFee,
    txnHash: record.txnHash ?? null,
    txnBlockNum: record.txnBlockNum ?? null,
    txnBlockTimestamp: record.txnBlockTimestamp ?? null,
    txnState: record.txnState,
    txnActivateFee: onChain ? record.activateFee : null,
    txnTransferFee: onChain ? record.transferFee : null,
    txnTotalFee: onChain ? totalFee : null,
    txnAmount: onChain ? record.value : null,
    txnTotalCost: onChain ? record.value + totalFee : null,
    reason: record.reason ?? null,
  };
}

/** Parameters of {@link createGasFreeRelayer}. */
export interface GasFreeRelayerParameters {
  publicClient: PublicClient<HttpTransport, Chain>;
  /** One wallet per provider address (checksummed), with the provider's local account. */
  wallets: ReadonlyMap<Address, WalletClient<HttpTransport, Chain, Account>>;
  controller: Address;
  /** Milliseconds an accepted transfer stays WAITING before it is sent. */
  relayDelayMs: number;
  /** Milliseconds a mined transfer stays CONFIRMING (txnState ON_CHAIN) before SUCCEED/SOLIDITY. */
  solidifyDelayMs: number;
  log?: (line: string) => void;
}

/** The part of the service that sends accepted transfers to the chain. */
export interface GasFreeRelayer {
  /** Starts relaying `record` in the background; updates it through the state machine. */
  relay(record: GasFreeTransferRecord): void;
  /** Resolves once every started relay has finished. */
  idle(): Promise<void>;
}

/** Gas for `permitTransfer`, fixed so a reverting permit still lands (and shows as ON_CHAIN_FAILED). */
const PERMIT_TRANSFER_GAS = 1_000_000n;

/**
 * Sends `permitTransfer` as the chosen provider, one transaction at a time per provider, and moves each
 * record WAITING → INPROGRESS (INIT → NOT_ON_CHAIN once sent) → CONFIRMING (ON_CHAIN, mined) → SUCCEED
 * (SOLIDITY), or to FAILED (ON_CHAIN_FAILED when the transaction reverted, NOT_ON_CHAIN when it was never mined).
 *
 * @example
 * ```ts
 * const relayer = createGasFreeRelayer({ publicClient, wallets, controller, relayDelayMs: 0, solidifyDelayMs: 50 });
 * relayer.relay(record);
 * ```
 */
export function createGasFreeRelayer(parameters: GasFreeRelayerParameters): GasFreeRelayer {
  const queues = new Map<Address, Promise<void>>();
  const running = new Set<Promise<void>>();
  return {
    relay(record) {
      const previous = queues.get(record.provider) ?? Promise.resolve();
      const next = previous.then(() =>
        send(record, parameters).catch((error: unknown) => {
          const txnState = record.txnHash ? record.txnState : 'NOT_ON_CHAIN';
          failRecord(record, `relay failed: ${errorText(error)}`, txnState, parameters.log);
        }),
      );
      queues.set(record.provider, next);
      running.add(next);
      void next.finally(() => running.delete(next));
    },
    async idle() {
      await Promise.allSettled([...running]);
    },
  };
}

/** Moves `record` to a state, stamps it and logs it. */
function set(
  record: GasFreeTransferRecord,
  state: GasFreeTransferState,
  txnState: GasFreeTxnState,
  log: ((line: string) => void) | undefined,
): void {
  record.state = state;
  record.txnState = txnState;
  record.updatedAtMs = Date.now();
  log?.(`gasfree: ${record.id} ${state}/${txnState}${record.txnHash ? ` ${record.txnHash}` : ''}`);
}

/** Marks `record` FAILED with `reason`. */
function failRecord(
  record: GasFreeTransferRecord,
  reason: string,
  txnState: GasFreeTxnState,
  log: ((line: string) => void) | undefined,
): void {
  record.reason = reason;
  set(record, 'FAILED', txnState, log);
}

/** The whole life of one accepted transfer: wait, send, confirm, solidify. */
async function send(record: GasFreeTransferRecord, parameters: GasFreeRelayerParameters): Promise<void> {
  const { log } = parameters;
  if (parameters.relayDelayMs > 0) await sleep(parameters.relayDelayMs);
  const wallet = parameters.wallets.get(record.provider);
  if (!wallet) {
    failRecord(record, `no key for provider ${record.provider}`, 'NOT_ON_CHAIN', log);
    return;
  }
  if (BigInt(Math.floor(Date.now() / 1000)) > record.deadline) {
    failRecord(
      record,
      'DeadlineExceededException: deadline passed before the transfer was sent',
      'NOT_ON_CHAIN',
      log,
    );
    return;
  }
  set(record, 'INPROGRESS', 'INIT', log);
  let hash: Hash;
  try {
    hash = await writePermitTransfer(wallet, parameters.controller, record);
  } catch (error) {
    failRecord(record, `sending failed: ${errorText(error)}`, 'NOT_ON_CHAIN', log);
    return;
  }
  record.txnHash = hash;
  set(record, 'INPROGRESS', 'NOT_ON_CHAIN', log);
  if (!(await confirm(record, hash, parameters))) return;
  if (parameters.solidifyDelayMs > 0) await sleep(parameters.solidifyDelayMs);
  set(record, 'SUCCEED', 'SOLIDITY', log);
}

/** Sends `permitTransfer` for `record` as the provider's wallet. */
function writePermitTransfer(
  wallet: WalletClient<HttpTransport, Chain, Account>,
  controller: Address,
  record: GasFreeTransferRecord,
): Promise<Hash> {
  return wallet.writeContract({
    address: controller,
    abi: gasFreeControllerArtifact.abi,
    functionName: 'permitTransfer',
    args: [
      record.token,
      record.user,
      record.receiver,
      record.value,
      record.maxFee,
      record.deadline,
      1n,
      record.nonce,
      record.sig,
    ],
    gas: PERMIT_TRANSFER_GAS,
  });
}

/** Waits for the receipt: CONFIRMING when it succeeded (true), FAILED when it reverted or never came (false). */
async function confirm(
  record: GasFreeTransferRecord,
  hash: Hash,
  { publicClient, log }: GasFreeRelayerParameters,
): Promise<boolean> {
  try {
    const receipt = await publicClient.waitForTransactionReceipt({
      hash,
      pollingInterval: 25,
      timeout: 60_000,
    });
    const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
    record.txnBlockNum = Number(receipt.blockNumber);
    record.txnBlockTimestamp = Number(block.timestamp) * 1000;
    if (receipt.status !== 'success') {
      failRecord(record, 'transaction reverted on chain', 'ON_CHAIN_FAILED', log);
      return false;
    }
    set(record, 'CONFIRMING', 'ON_CHAIN', log);
    return true;
  } catch (error) {
    failRecord(record, `no receipt: ${errorText(error)}`, 'NOT_ON_CHAIN', log);
    return false;
  }
}
