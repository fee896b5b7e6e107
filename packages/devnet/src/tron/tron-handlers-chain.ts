import type { EthBlock } from './anvil-rpc.js';
import type { TronBlockJson } from './tron-blocks.js';
import { toTronBlockJson, tronBlockId } from './tron-blocks.js';
import { MAX_FEE_LIMIT_SUN } from './tron-nile.js';
import type { TronHandler, TronNodeContext, TronRequestBody } from './tron-node-context.js';
import { TronRequestError } from './tron-transactions.js';

/** A bigint-able request number (`num`, `startNum`, …) from a JSON body or a query string. */
export function requestNumber(body: TronRequestBody, name: string): bigint | undefined {
  const value = body[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (
    (typeof value === 'number' && Number.isSafeInteger(value)) ||
    (typeof value === 'string' && /^\d+$/.test(value))
  ) {
    return BigInt(value);
  }
  throw new TronRequestError(`${name} must be a non-negative integer`);
}

/** The TRON transactions (with `ret`) the node knows inside an anvil block. */
export async function blockTransactions(context: TronNodeContext, block: EthBlock): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const hash of block.transactions) {
    const txid = context.ledger.txidOf(hash);
    const entry = txid === undefined ? undefined : context.ledger.get(txid);
    if (!entry || txid === undefined) continue;
    const settled = await context.ledger.settle(txid, { wait: false });
    out.push({ ret: [{ contractRet: settled?.outcome.result ?? 'SUCCESS' }], ...entry.tx });
  }
  return out;
}

async function blockJson(context: TronNodeContext, block: EthBlock, detail = true): Promise<TronBlockJson> {
  return toTronBlockJson(block, detail ? await blockTransactions(context, block) : []);
}

/** Blocks the `/walletsolidity` view may show: up to head − solidityLag. */
async function visible(context: TronNodeContext, block: EthBlock | undefined, solidified: boolean) {
  if (!block || !solidified) return block;
  return block.number <= (await context.blocks.solidifiedNumber()) ? block : undefined;
}

/**
 * Block endpoints: `getnowblock`, `getblock` (`id_or_num`, `detail`), `getblockbynum`, `getblockbyid`,
 * `getblockbylatestnum`, `getblockbylimitnext`; `solidified` serves the `/walletsolidity` variants.
 *
 * @example
 * ```ts
 * const handlers = blockHandlers(false); await handlers.getnowblock(context, {});
 * ```
 */
export function blockHandlers(solidified: boolean): Record<string, TronHandler> {
  const head = async (context: TronNodeContext) =>
    solidified ? context.blocks.byNumber(await context.blocks.solidifiedNumber()) : context.blocks.head();
  return {
    getnowblock: async (context) => {
      const block = await head(context);
      return block ? blockJson(context, block) : {};
    },
    getblock: async (context, body) => {
      const idOrNum = body.id_or_num;
      const detail = body.detail === true || body.detail === 'true';
      let block: EthBlock | undefined;
      if (idOrNum === undefined || idOrNum === '') block = await head(context);
      else if (typeof idOrNum === 'string' && /^[0-9a-fA-F]{64}$/.test(idOrNum)) {
        block = await context.blocks.byId(idOrNum);
      } else block = await context.blocks.byNumber(requestNumber(body, 'id_or_num') ?? 0n);
      block = await visible(context, block, solidified);
      return block ? blockJson(context, block, detail) : {};
    },
    getblockbynum: async (context, body) => {
      const block = await visible(
        context,
        await context.blocks.byNumber(requestNumber(body, 'num') ?? 0n),
        solidified,
      );
      return block ? blockJson(context, block) : {};
    },
    getblockbyid: async (context, body) => {
      const id = typeof body.value === 'string' ? body.value : '';
      const block = await visible(context, await context.blocks.byId(id), solidified);
      return block ? blockJson(context, block) : {};
    },
    getblockbylatestnum: async (context, body) => {
      const count = requestNumber(body, 'num') ?? 1n;
      const top = await head(context);
      const blocks: TronBlockJson[] = [];
      for (let n = top?.number ?? -1n; n >= 0n && BigInt(blocks.length) < count && blocks.length < 100; n--) {
        const block = await context.blocks.byNumber(n);
        if (block) blocks.unshift(await blockJson(context, block));
      }
      return { block: blocks };
    },
    getblockbylimitnext: async (context, body) => {
      const start = requestNumber(body, 'startNum') ?? 0n;
      const end = requestNumber(body, 'endNum') ?? start;
      const blocks: TronBlockJson[] = [];
      for (let n = start; n < end && blocks.length < 100; n++) {
        const block = await visible(context, await context.blocks.byNumber(n), solidified);
        if (!block) break;
        blocks.push(await blockJson(context, block));
      }
      return { block: blocks };
    },
  };
}

/**
 * `/wallet/getchainparameters`: the proposals the local chain behaves by (energy fee, fee limit cap, free
 * bandwidth, TVM upgrades incl. the optimized `CHAINID`).
 *
 * @example
 * ```ts
 * const { chainParameter } = await getChainParameters(context, {});
 * ```
 */
export const getChainParameters: TronHandler = async (context) => ({
  chainParameter: [
    { key: 'getMaintenanceTimeInterval', value: 21_600_000 },
    { key: 'getAccountUpgradeCost', value: 9_999_000_000 },
    { key: 'getCreateAccountFee', value: 100_000 },
    { key: 'getTransactionFee', value: 1000 },
    { key: 'getFreeNetLimit', value: 600 },
    { key: 'getTotalEnergyCurrentLimit', value: 180_000_000_000 },
    { key: 'getEnergyFee', value: Number(context.energyPrice) },
    { key: 'getMaxFeeLimit', value: Number(MAX_FEE_LIMIT_SUN) },
    { key: 'getAllowTvmTransferTrc10', value: 1 },
    { key: 'getAllowTvmConstantinople', value: 1 },
    { key: 'getAllowTvmSolidity059', value: 1 },
    { key: 'getAllowTvmIstanbul', value: 1 },
    { key: 'getAllowTvmLondon', value: 1 },
    { key: 'getAllowTvmShangHai', value: 1 },
    { key: 'getAllowTvmCancun', value: 1 },
    { key: 'getAllowOptimizedReturnValueOfChainId', value: 1 },
  ],
});

/**
 * `/wallet/getenergyprices` and `/wallet/getbandwidthprices`: price history strings (`"<ms>:<sun>"`).
 *
 * @example
 * ```ts
 * await getEnergyPrices(context, {}); // { prices: '0:100' }
 * ```
 */
export const getEnergyPrices: TronHandler = async (context) => ({ prices: `0:${context.energyPrice}` });
export const getBandwidthPrices: TronHandler = async () => ({ prices: '0:1000' });

/**
 * `/wallet/getnodeinfo`: enough for TronWeb's version probe (`configNodeInfo.codeVersion`) and a status page.
 *
 * @example
 * ```ts
 * (await getNodeInfo(context, {})).configNodeInfo.codeVersion; // '4.8.0'
 * ```
 */
export const getNodeInfo: TronHandler = async (context) => {
  const head = await context.blocks.latest();
  const solid = await context.blocks.byNumber(await context.blocks.solidifiedNumber());
  return {
    beginSyncNum: Number(head.number),
    block: `Num:${head.number},ID:${tronBlockId(head.number, head.hash)}`,
    solidityBlock: solid ? `Num:${solid.number},ID:${tronBlockId(solid.number, solid.hash)}` : '',
    currentConnectCount: 0,
    activeConnectCount: 0,
    passiveConnectCount: 0,
    totalFlow: 0,
    peerInfoList: [],
    configNodeInfo: {
      codeVersion: '4.8.0',
      versionNum: '0',
      p2pVersion: String(context.chainId),
      dbVersion: 2,
    },
    machineInfo: {},
    cheatWitnessInfoMap: {},
  };
};
