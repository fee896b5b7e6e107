import type { AnvilRpc } from './anvil-rpc.js';
import type { TronBlocks } from './tron-blocks.js';
import type { TronAbiEntry } from './tron-contract-abis.js';
import type { TronLedger } from './tron-ledger.js';

/** A contract the node can describe through `/wallet/getcontract` (TronWeb's `contract().at()` needs its ABI). */
export interface KnownTronContract {
  /** `41…` hex. */
  readonly address: string;
  readonly name: string;
  readonly abi: readonly TronAbiEntry[];
}

/** What every endpoint handler of the local TRON node works with. */
export interface TronNodeContext {
  readonly rpc: AnvilRpc;
  readonly blocks: TronBlocks;
  readonly ledger: TronLedger;
  readonly chainId: number;
  /** SUN per energy. */
  readonly energyPrice: bigint;
  /** By `41…` hex address. */
  readonly contracts: ReadonlyMap<string, KnownTronContract>;
  readonly automine: boolean;
  readonly log?: (line: string) => void;
}

/** A request body or query, as parsed JSON. */
export type TronRequestBody = Record<string, unknown>;

/** An endpoint handler: JSON in, JSON out (java-tron answers HTTP 200 with `{Error}` for bad input). */
export type TronHandler = (context: TronNodeContext, body: TronRequestBody) => Promise<unknown>;
