import { X402Error } from '@x402kit/core';
import type { Hex } from 'viem';
import { DevnetReasons } from '../devnet-reasons.js';

/**
 * A JSON-RPC error answered by anvil (`code`, `message` and, for reverts, `data`); reason
 * `devnet_anvil_rpc_error`.
 *
 * @example
 * try { await rpc('eth_call', [call]) } catch (e) { if (e instanceof AnvilRpcError && e.code === 3) console.log(e.data) }
 */
export class AnvilRpcError extends X402Error {
  override readonly name = 'AnvilRpcError';
  readonly code: number;
  readonly data: unknown;

  constructor(method: string, code: number, message: string, data: unknown) {
    super(DevnetReasons.anvilRpc, `${method}: ${message}`);
    this.code = code;
    this.data = data;
  }
}

/** The fields of an anvil block the TRON node uses. */
export interface EthBlock {
  readonly number: bigint;
  readonly hash: Hex;
  readonly parentHash: Hex;
  /** Seconds. */
  readonly timestamp: bigint;
  readonly transactionsRoot: Hex;
  readonly miner: Hex;
  readonly transactions: readonly Hex[];
}

/** The fields of an anvil receipt the TRON node uses. */
export interface EthReceipt {
  readonly transactionHash: Hex;
  readonly success: boolean;
  readonly blockNumber: bigint;
  readonly blockHash: Hex;
  readonly gasUsed: bigint;
  readonly logs: readonly { readonly address: Hex; readonly topics: readonly Hex[]; readonly data: Hex }[];
}

/** `debug_traceTransaction` with the call tracer: return or revert data and the error, if any. */
export interface CallTrace {
  readonly output: Hex;
  readonly error: string | undefined;
  readonly gas: bigint;
}

type Json = Record<string, unknown>;

function record(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null)
    throw new X402Error(DevnetReasons.anvilRpc, `anvil answered no object for ${what}`);
  return value as Json;
}

function hex(value: unknown, what: string): Hex {
  if (typeof value !== 'string' || !value.startsWith('0x'))
    throw new X402Error(DevnetReasons.anvilRpc, `anvil answered no hex ${what}`);
  return value as Hex;
}

/**
 * A minimal JSON-RPC client for the anvil under the TRON node (only the calls the node needs, parsed into
 * bigint/hex fields).
 *
 * @example
 * ```ts
 * const rpc = new AnvilRpc('http://127.0.0.1:8545');
 * const head = await rpc.getBlock('latest');
 * ```
 */
export class AnvilRpc {
  readonly url: string;
  private id = 0;

  constructor(url: string) {
    this.url = url;
  }

  async request(method: string, params: readonly unknown[]): Promise<unknown> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
    });
    const body = record(await response.json(), method);
    if (body.error !== undefined) {
      const error = record(body.error, method);
      throw new AnvilRpcError(method, Number(error.code), String(error.message), error.data);
    }
    return body.result;
  }

  async getBlock(tag: bigint | 'latest'): Promise<EthBlock | undefined> {
    const id = tag === 'latest' ? tag : `0x${tag.toString(16)}`;
    const result = await this.request('eth_getBlockByNumber', [id, false]);
    if (result === null) return undefined;
    const block = record(result, 'block');
    const transactions = Array.isArray(block.transactions) ? block.transactions : [];
    return {
      number: BigInt(hex(block.number, 'block.number')),
      hash: hex(block.hash, 'block.hash'),
      parentHash: hex(block.parentHash, 'block.parentHash'),
      timestamp: BigInt(hex(block.timestamp, 'block.timestamp')),
      transactionsRoot: hex(block.transactionsRoot, 'block.transactionsRoot'),
      miner: hex(block.miner, 'block.miner'),
      transactions: transactions.map((t) => hex(t, 'block.transactions[]')),
    };
  }

  async getReceipt(hash: Hex): Promise<EthReceipt | undefined> {
    const result = await this.request('eth_getTransactionReceipt', [hash]);
    if (result === null) return undefined;
    const receipt = record(result, 'receipt');
    const logs = Array.isArray(receipt.logs) ? receipt.logs : [];
    return {
      transactionHash: hex(receipt.transactionHash, 'receipt.transactionHash'),
      success: receipt.status === '0x1',
      blockNumber: BigInt(hex(receipt.blockNumber, 'receipt.blockNumber')),
      blockHash: hex(receipt.blockHash, 'receipt.blockHash'),
      gasUsed: BigInt(hex(receipt.gasUsed, 'receipt.gasUsed')),
      logs: logs.map((entry) => {
        const log = record(entry, 'log');
        const topics = Array.isArray(log.topics) ? log.topics : [];
        return {
          address: hex(log.address, 'log.address'),
          topics: topics.map((t) => hex(t, 'log.topics[]')),
          data: hex(log.data, 'log.data'),
        };
      }),
    };
  }

  async traceCall(hash: Hex): Promise<CallTrace> {
    const trace = record(
      await this.request('debug_traceTransaction', [hash, { tracer: 'callTracer' }]),
      'trace',
    );
    return {
      output: typeof trace.output === 'string' ? hex(trace.output, 'trace.output') : '0x',
      error: typeof trace.error === 'string' ? trace.error : undefined,
      gas: BigInt(hex(trace.gas, 'trace.gas')),
    };
  }

  /** `eth_call`; a revert comes back as `{ reverted: true, data }` rather than an exception. */
  async call(tx: {
    from: Hex;
    to: Hex;
    data: Hex;
    value?: bigint;
  }): Promise<{ reverted: boolean; data: Hex }> {
    try {
      const data = await this.request('eth_call', [rpcTx(tx), 'latest']);
      return { reverted: false, data: hex(data, 'eth_call result') };
    } catch (error) {
      if (error instanceof AnvilRpcError && error.code === 3) {
        return {
          reverted: true,
          data: typeof error.data === 'string' ? hex(error.data, 'revert data') : '0x',
        };
      }
      if (error instanceof AnvilRpcError && /revert/i.test(error.message))
        return { reverted: true, data: '0x' };
      throw error;
    }
  }

  /** `eth_estimateGas`; undefined when the call reverts. */
  async estimateGas(tx: { from: Hex; to: Hex; data: Hex; value?: bigint }): Promise<bigint | undefined> {
    try {
      return BigInt(hex(await this.request('eth_estimateGas', [rpcTx(tx)]), 'gas estimate'));
    } catch (error) {
      if (error instanceof AnvilRpcError) return undefined;
      throw error;
    }
  }

  async getBalance(address: Hex, block?: bigint): Promise<bigint> {
    return BigInt(hex(await this.request('eth_getBalance', [address, tag(block)]), 'balance'));
  }

  async getNonce(address: Hex, block?: bigint): Promise<bigint> {
    return BigInt(hex(await this.request('eth_getTransactionCount', [address, tag(block)]), 'nonce'));
  }

  async getCode(address: Hex): Promise<Hex> {
    return hex(await this.request('eth_getCode', [address, 'latest']), 'code');
  }

  async setBalance(address: Hex, wei: bigint): Promise<void> {
    await this.request('anvil_setBalance', [address, `0x${wei.toString(16)}`]);
  }

  async mine(): Promise<void> {
    await this.request('evm_mine', []);
  }

  /** Sends from `from` without its key (`anvil_impersonateAccount`), paying no gas (price 0). */
  async sendAs(tx: { from: Hex; to: Hex; data: Hex; value: bigint; gas: bigint }): Promise<Hex> {
    await this.request('anvil_impersonateAccount', [tx.from]);
    const sent = await this.request('eth_sendTransaction', [
      { ...rpcTx(tx), gas: `0x${tx.gas.toString(16)}`, maxFeePerGas: '0x0', maxPriorityFeePerGas: '0x0' },
    ]);
    return hex(sent, 'transaction hash');
  }
}

function tag(block: bigint | undefined): string {
  return block === undefined ? 'latest' : `0x${block.toString(16)}`;
}

function rpcTx(tx: { from: Hex; to: Hex; data: Hex; value?: bigint }) {
  return { from: tx.from, to: tx.to, data: tx.data, value: `0x${(tx.value ?? 0n).toString(16)}` };
}
