/**
 * Where a `batch-settlement` client keeps what it knows of its channels: the cumulative amount the server
 * charged so far and the channel's balance, per channel id. In memory by default; one JSON file per
 * channel with {@link createFileClientChannelStorage}, so a restarted client continues its channels.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hex } from 'viem';

/** What the client knows of one channel (amounts as decimal strings). */
export type ClientChannelRecord = {
  /** What the server charged so far on this channel (the base of the next voucher). */
  chargedCumulativeAmount: string;
  /** The channel's balance as last reported (deposits minus withdrawals and refunds). */
  balance: string;
  /** Set once a settlement broke the spec's client verification rules: no more vouchers are signed. */
  distrust?: string;
};

/** A client's channel records, keyed by lower-case channel id. */
export type ClientChannelStorage = {
  get(channelId: Hex): Promise<ClientChannelRecord | undefined>;
  set(channelId: Hex, record: ClientChannelRecord): Promise<void>;
  delete(channelId: Hex): Promise<void>;
};

/**
 * Channel records in memory (lost when the process ends; the client then recovers from the chain and
 * the server's corrective 402).
 *
 * @example
 * const client = createBatchSettlementEvmClient({ signer, storage: createMemoryClientChannelStorage() })
 */
export function createMemoryClientChannelStorage(): ClientChannelStorage {
  const records = new Map<string, ClientChannelRecord>();
  return {
    async get(channelId) {
      const record = records.get(channelId.toLowerCase());
      return record && { ...record };
    },
    async set(channelId, record) {
      records.set(channelId.toLowerCase(), { ...record });
    },
    async delete(channelId) {
      records.delete(channelId.toLowerCase());
    },
  };
}

/**
 * Channel records as one JSON file per channel under `dir` (created when missing), written through a
 * temporary file and a rename so a crash never leaves half a record.
 *
 * @example
 * const client = createBatchSettlementEvmClient({ signer, storage: createFileClientChannelStorage('./channels') })
 */
export function createFileClientChannelStorage(dir: string): ClientChannelStorage {
  const fileOf = (channelId: Hex) => join(dir, `${channelId.toLowerCase()}.json`);
  return {
    async get(channelId) {
      let text: string;
      try {
        text = await readFile(fileOf(channelId), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      return readRecord(JSON.parse(text));
    },
    async set(channelId, record) {
      await mkdir(dir, { recursive: true });
      const file = fileOf(channelId);
      const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temporary, JSON.stringify(record));
      await rename(temporary, file);
    },
    async delete(channelId) {
      await rm(fileOf(channelId), { force: true });
    },
  };
}

/** A stored record, or undefined when the file holds something else. */
function readRecord(value: unknown): ClientChannelRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { chargedCumulativeAmount, balance, distrust } = value as Record<string, unknown>;
  if (typeof chargedCumulativeAmount !== 'string' || !/^\d+$/.test(chargedCumulativeAmount)) return undefined;
  if (typeof balance !== 'string' || !/^\d+$/.test(balance)) return undefined;
  return { chargedCumulativeAmount, balance, ...(typeof distrust === 'string' ? { distrust } : {}) };
}
