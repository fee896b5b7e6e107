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
  const { publicClient, wallets, controller, log } = parameters;
  const queues = new Map<Address, Promise<void>>();
  const running = new Set<Promise<void>>();

  const set = (record: GasFreeTransferRecord, state: GasFreeTransferState, txnState: GasFreeTxnState) => {
    record.state = state;
    record.txnState = txnState;
    record.updatedAtMs = Date.now();
    log?.(`gasfree: ${record.id} ${state}/${txnState}${record.txnHash ? ` ${record.txnHash}` : ''}`);
  };

  async function send(record: GasFreeTransferRecord): Promise<void> {
    if (parameters.relayDelayMs > 0) await sleep(parameters.relayDelayMs);
    const wallet = wallets.get(record.provider);
    if (!wallet) {
      record.reason = `no key for provider ${record.provider}`;
      set(record, 'FAILED', 'NOT_ON_CHAIN');
      return;
    }
    if (BigInt(Math.floor(Date.now() / 1000)) > record.deadline) {
      record.reason = 'DeadlineExceededException: deadline passed before the transfer was sent';
      set(record, 'FAILED', 'NOT_ON_CHAIN');
      return;
    }
    set(record, 'INPROGRESS', 'INIT');
    let hash: Hash;
    try {
      hash = await wallet.writeContract({
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
    } catch (error) {
      record.reason = `sending failed: ${errorText(error)}`;
      set(record, 'FAILED', 'NOT_ON_CHAIN');
      return;
    }
    record.txnHash = hash;
    set(record, 'INPROGRESS', 'NOT_ON_CHAIN');
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
        record.reason = 'transaction reverted on chain';
        set(record, 'FAILED', 'ON_CHAIN_FAILED');
        return;
      }
      set(record, 'CONFIRMING', 'ON_CHAIN');
    } catch (error) {
      record.reason = `no receipt: ${errorText(error)}`;
      set(record, 'FAILED', 'NOT_ON_CHAIN');
      return;
    }
    if (parameters.solidifyDelayMs > 0) await sleep(parameters.solidifyDelayMs);
    set(record, 'SUCCEED', 'SOLIDITY');
  }

  return {
    relay(record) {
      const previous = queues.get(record.provider) ?? Promise.resolve();
      const next = previous.then(() =>
        send(record).catch((error: unknown) => {
          record.reason = `relay failed: ${errorText(error)}`;
          set(record, 'FAILED', record.txnHash ? record.txnState : 'NOT_ON_CHAIN');
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
