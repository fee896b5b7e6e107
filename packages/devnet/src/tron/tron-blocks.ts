import { X402Error } from '@x402kit/core';
import type { Hex } from 'viem';
import { DevnetReasons } from '../devnet-reasons.js';
import type { AnvilRpc, EthBlock } from './anvil-rpc.js';

/** A TRON block as `/wallet/getnowblock` and `/wallet/getblockbynum` answer it (visible=false). */
export interface TronBlockJson {
  blockID: string;
  block_header: {
    raw_data: {
      number: number;
      txTrieRoot: string;
      witness_address: string;
      parentHash: string;
      version: number;
      timestamp: number;
    };
    witness_signature: string;
  };
  transactions?: unknown[];
}

/** TRON reference-block fields of a transaction (TaPoS). */
export interface RefBlockParams {
  ref_block_bytes: string;
  ref_block_hash: string;
}

const BLOCK_VERSION = 30;
/** A head older than this is refreshed with an empty block when anvil automines (TRON makes a block every 3 s). */
const SLOT_MS = 3_000;

/**
 * TRON block id of an anvil block: the 8-byte block number followed by bytes 8..32 of the anvil block hash
 * (TRON's own id is the number followed by bytes 8..32 of the header's sha256).
 *
 * @example
 * ```ts
 * tronBlockId(5n, '0xab…'); // '0000000000000005' + 48 hex chars of the hash
 * ```
 */
export function tronBlockId(number: bigint, ethHash: Hex): string {
  return number.toString(16).padStart(16, '0') + ethHash.slice(2 + 16, 2 + 64);
}

/**
 * The TaPoS fields for transactions referencing `block`: the low 2 bytes of its number and bytes 8..16 of its id.
 *
 * @example
 * ```ts
 * refBlockParams(head); // { ref_block_bytes: '01a2', ref_block_hash: '7c1e…' }
 * ```
 */
export function refBlockParams(block: EthBlock): RefBlockParams {
  const id = tronBlockId(block.number, block.hash);
  return {
    ref_block_bytes: (block.number & 0xffffn).toString(16).padStart(4, '0'),
    ref_block_hash: id.slice(16, 32),
  };
}

/**
 * An anvil block in TRON's JSON shape: millisecond timestamp, TRON ids for itself and its parent, the miner
 * as witness and a placeholder witness signature.
 *
 * @example
 * ```ts
 * const json = toTronBlockJson(await rpc.getBlock('latest'));
 * ```
 */
export function toTronBlockJson(block: EthBlock, transactions: readonly unknown[] = []): TronBlockJson {
  const json: TronBlockJson = {
    blockID: tronBlockId(block.number, block.hash),
    block_header: {
      raw_data: {
        number: Number(block.number),
        txTrieRoot: block.transactionsRoot.slice(2),
        witness_address: `41${block.miner.slice(2).toLowerCase()}`,
        parentHash: tronBlockId(block.number === 0n ? 0n : block.number - 1n, block.parentHash),
        version: BLOCK_VERSION,
        timestamp: Number(block.timestamp) * 1000,
      },
      witness_signature: `${block.hash.slice(2)}${block.parentHash.slice(2)}00`,
    },
  };
  if (transactions.length > 0) json.transactions = [...transactions];
  return json;
}

/** Options of {@link TronBlocks}. */
export interface TronBlocksOptions {
  /** True when anvil mines a block per transaction: an idle head is then refreshed by mining an empty block. */
  automine: boolean;
  /** Blocks the solidified view lags behind the head (default 0). */
  solidityLag: number;
}

/**
 * Reads anvil blocks for the TRON node: the head (kept fresh like TRON's 3-second slots), blocks by number or
 * TRON id, the solidified head, and the TaPoS check of a transaction's reference block.
 *
 * @example
 * ```ts
 * const blocks = new TronBlocks(rpc, { automine: true, solidityLag: 0 });
 * const head = await blocks.head();
 * ```
 */
export class TronBlocks {
  private readonly rpc: AnvilRpc;
  private readonly options: TronBlocksOptions;
  private refreshing: Promise<void> | undefined;

  constructor(rpc: AnvilRpc, options: TronBlocksOptions) {
    this.rpc = rpc;
    this.options = options;
  }

  /** The latest block; with automine, mines an empty one first if the latest is older than a TRON slot. */
  async head(): Promise<EthBlock> {
    let head = await this.latest();
    if (this.options.automine && Number(head.timestamp) * 1000 + SLOT_MS < Date.now()) {
      this.refreshing ??= this.rpc.mine().finally(() => {
        this.refreshing = undefined;
      });
      await this.refreshing;
      head = await this.latest();
    }
    return head;
  }

  /** The latest block as it is, never mining. */
  async latest(): Promise<EthBlock> {
    const head = await this.rpc.getBlock('latest');
    if (!head) throw new X402Error(DevnetReasons.anvilRpc, 'anvil has no latest block');
    return head;
  }

  /** The newest block the solidified (`/walletsolidity`) view shows: head minus `solidityLag`. */
  async solidifiedNumber(): Promise<bigint> {
    const head = await this.latest();
    const lagged = head.number - BigInt(this.options.solidityLag);
    return lagged < 0n ? 0n : lagged;
  }

  async byNumber(number: bigint): Promise<EthBlock | undefined> {
    if (number < 0n) return undefined;
    return this.rpc.getBlock(number);
  }

  /** The block with this TRON id (number prefix and hash suffix must both match). */
  async byId(id: string): Promise<EthBlock | undefined> {
    if (!/^[0-9a-fA-F]{64}$/.test(id)) return undefined;
    const block = await this.byNumber(BigInt(`0x${id.slice(0, 16)}`));
    if (!block || tronBlockId(block.number, block.hash) !== id.toLowerCase()) return undefined;
    return block;
  }

  /** TaPoS: the block among the last 65536 whose number ends in `ref_block_bytes` has `ref_block_hash`. */
  async checkTapos(ref: RefBlockParams): Promise<boolean> {
    if (!/^[0-9a-f]{4}$/i.test(ref.ref_block_bytes) || !/^[0-9a-f]{16}$/i.test(ref.ref_block_hash))
      return false;
    const head = await this.latest();
    const low = BigInt(`0x${ref.ref_block_bytes}`);
    const number = head.number - ((head.number - low) & 0xffffn);
    const block = await this.byNumber(number);
    if (!block) return false;
    return refBlockParams(block).ref_block_hash === ref.ref_block_hash.toLowerCase();
  }
}
