import type { Address, Transaction } from '@solana/kit';
import {
  getBase58Decoder,
  getBase58Encoder,
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
} from '@solana/kit';
import type { SolanaChain, SolanaExecution } from './solana-chain.js';
import { parseAddress, SolanaTransactionRejected } from './solana-chain.js';
import { invalidParams, SolanaRpcError } from './solana-rpc-errors.js';
import { parseTokenAccountData, readTokenAccount, uiTokenAmount } from './solana-tokens.js';

/** What every handler gets: the chain and the genesis hash it reports. */
export interface SolanaRpcContext {
  readonly chain: SolanaChain;
  readonly genesisHash: string;
}

export type SolanaRpcHandler = (ctx: SolanaRpcContext, params: readonly unknown[]) => unknown;

/** The `solana-core` version `getVersion` reports and the `apiVersion` of every response context. */
export const SOLANA_RPC_API_VERSION = '2.2.0';

const MAX_SIGNATURE_STATUSES = 256;

function context(ctx: SolanaRpcContext) {
  return { apiVersion: SOLANA_RPC_API_VERSION, slot: ctx.chain.slot };
}

function withContext(ctx: SolanaRpcContext, value: unknown) {
  return { context: context(ctx), value };
}

function config(params: readonly unknown[], index: number): Record<string, unknown> {
  const value = params[index];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidParams(`parameter ${index} must be a configuration object`);
  }
  return value as Record<string, unknown>;
}

function addressParam(params: readonly unknown[], index: number): Address {
  const value = params[index];
  const parsed = parseAddress(value);
  if (!parsed) {
    throw typeof value === 'string'
      ? new SolanaRpcError(-32602, `Invalid param: Invalid public key input: ${value}`)
      : invalidParams(`parameter ${index} must be a base58 public key`);
  }
  return parsed;
}

function stringParam(params: readonly unknown[], index: number, what: string): string {
  const value = params[index];
  if (typeof value !== 'string' || value === '') throw invalidParams(`parameter ${index} must be ${what}`);
  return value;
}

function decodeBytes(text: string, encoding: unknown, what: string): Uint8Array {
  try {
    if (encoding === undefined || encoding === 'base58')
      return new Uint8Array(getBase58Encoder().encode(text));
    if (encoding === 'base64') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new SolanaRpcError(-32602, 'not base64');
      return new Uint8Array(getBase64Encoder().encode(text));
    }
  } catch {
    throw new SolanaRpcError(
      -32602,
      `Invalid param: invalid ${String(encoding ?? 'base58')} encoding of ${what}`,
    );
  }
  throw new SolanaRpcError(-32602, `Invalid params: unsupported encoding: ${String(encoding)}`);
}

function decodeTransaction(params: readonly unknown[]): {
  tx: Transaction;
  options: Record<string, unknown>;
} {
  const text = stringParam(params, 0, 'an encoded transaction');
  const options = config(params, 1);
  const bytes = decodeBytes(text, options.encoding, 'the transaction');
  try {
    const tx = getTransactionDecoder().decode(bytes);
    getCompiledTransactionMessageDecoder().decode(tx.messageBytes);
    return { tx, options };
  } catch (error) {
    throw new SolanaRpcError(-32602, `failed to deserialize solana_transaction: ${(error as Error).message}`);
  }
}

function encodeAccount(ctx: SolanaRpcContext, account: Address, encoding: unknown): unknown {
  const stored = ctx.chain.svm.getAccount(account);
  if (!stored.exists) return null;
  let data: unknown;
  if (encoding === 'jsonParsed') data = parseTokenAccountData(ctx.chain.svm, account);
  if (data === undefined) {
    data =
      encoding === undefined || encoding === 'base58'
        ? [getBase58Decoder().decode(stored.data), 'base58']
        : [Buffer.from(stored.data).toString('base64'), 'base64'];
  }
  return {
    data,
    executable: stored.executable,
    lamports: stored.lamports,
    owner: stored.programAddress,
    rentEpoch: 18446744073709551615n,
    space: stored.data.length,
  };
}

function accountEncoding(options: Record<string, unknown>): unknown {
  const encoding = options.encoding;
  if (encoding === undefined || encoding === 'base58' || encoding === 'base64' || encoding === 'jsonParsed') {
    return encoding;
  }
  throw invalidParams(`unsupported encoding: ${String(encoding)}`);
}

function simulationValue(execution: SolanaExecution, extra: Record<string, unknown> = {}) {
  return {
    err: execution.ok ? null : execution.err,
    logs: execution.logs,
    accounts: null,
    unitsConsumed: execution.unitsConsumed,
    returnData: null,
    loadedAccountsDataSize: 0,
    ...extra,
  };
}

/** Solana answers these as request errors, not as a transaction's `err`. */
function refusedAsRequest(execution: SolanaExecution): void {
  if (execution.ok) return;
  if (execution.err === 'SignatureFailure') {
    throw new SolanaRpcError(-32003, 'Transaction signature verification failure');
  }
  if (execution.err === 'SanitizeFailure') {
    throw new SolanaRpcError(
      -32602,
      'invalid transaction: Transaction failed to sanitize accounts offsets correctly',
    );
  }
}

function rejected(error: unknown): never {
  if (error instanceof SolanaTransactionRejected) throw new SolanaRpcError(error.code, error.message);
  throw error;
}

function u64Param(params: readonly unknown[], index: number, what: string): bigint {
  const value = params[index];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidParams(`parameter ${index} must be ${what}`);
  }
  return BigInt(value);
}

/** The methods the local Solana RPC serves, by name. */
export const SOLANA_RPC_HANDLERS: Readonly<Record<string, SolanaRpcHandler>> = {
  getHealth: () => 'ok',
  getVersion: () => ({ 'solana-core': SOLANA_RPC_API_VERSION, 'feature-set': 0 }),
  getGenesisHash: (ctx) => ctx.genesisHash,
  getSlot: (ctx, params) => {
    config(params, 0);
    return ctx.chain.slot;
  },
  getBlockHeight: (ctx, params) => {
    config(params, 0);
    return ctx.chain.blockHeight;
  },
  getEpochInfo: (ctx, params) => {
    config(params, 0);
    const schedule = ctx.chain.svm.getEpochSchedule();
    const slot = ctx.chain.slot;
    const slotsInEpoch = schedule.slotsPerEpoch;
    return {
      absoluteSlot: slot,
      blockHeight: ctx.chain.blockHeight,
      epoch: ctx.chain.svm.getClock().epoch,
      slotIndex: slot % slotsInEpoch,
      slotsInEpoch,
      transactionCount: ctx.chain.transactionCount,
    };
  },
  getLatestBlockhash: (ctx, params) => {
    config(params, 0);
    return withContext(ctx, ctx.chain.latestBlockhash());
  },
  isBlockhashValid: (ctx, params) => {
    const blockhash = stringParam(params, 0, 'a base58 blockhash');
    config(params, 1);
    if (base58Length(blockhash) !== 32) {
      throw new SolanaRpcError(-32602, `Invalid param: ${blockhash} is not a valid blockhash`);
    }
    return withContext(ctx, ctx.chain.isBlockhashValid(blockhash));
  },
  getFeeForMessage: (ctx, params) => {
    const text = stringParam(params, 0, 'a base64 message');
    config(params, 1);
    const bytes = decodeBytes(text, 'base64', 'the message');
    let fee: bigint;
    let blockhash: string;
    try {
      fee = ctx.chain.feeForMessage(bytes);
      blockhash = ctx.chain.blockhashOfMessage(bytes);
    } catch (error) {
      throw new SolanaRpcError(-32602, `Invalid param: invalid message: ${(error as Error).message}`);
    }
    return withContext(ctx, ctx.chain.isBlockhashValid(blockhash) ? fee : null);
  },
  getMinimumBalanceForRentExemption: (ctx, params) => {
    const length = u64Param(params, 0, 'a data length');
    config(params, 1);
    return ctx.chain.svm.minimumBalanceForRentExemption(length);
  },
  getBalance: (ctx, params) => {
    const account = addressParam(params, 0);
    config(params, 1);
    return withContext(ctx, ctx.chain.svm.getBalance(account) ?? 0n);
  },
  getAccountInfo: (ctx, params) => {
    const account = addressParam(params, 0);
    const encoding = accountEncoding(config(params, 1));
    return withContext(ctx, encodeAccount(ctx, account, encoding));
  },
  getMultipleAccounts: (ctx, params) => {
    const list = params[0];
    if (!Array.isArray(list) || list.length > 100) {
      throw invalidParams('parameter 0 must be an array of at most 100 public keys');
    }
    const encoding = accountEncoding(config(params, 1));
    const accounts = list.map((_, index) => addressParam(list, index));
    return withContext(
      ctx,
      accounts.map((account) => encodeAccount(ctx, account, encoding)),
    );
  },
  getTokenAccountBalance: (ctx, params) => {
    const account = addressParam(params, 0);
    config(params, 1);
    const token = readTokenAccount(ctx.chain.svm, account);
    if (!token) throw new SolanaRpcError(-32602, 'Invalid param: could not find account');
    return withContext(ctx, uiTokenAmount(token.amount, token.decimals));
  },
  getSignatureStatuses: (ctx, params) => {
    const list = params[0];
    if (!Array.isArray(list) || list.length > MAX_SIGNATURE_STATUSES) {
      throw invalidParams(`parameter 0 must be an array of at most ${MAX_SIGNATURE_STATUSES} signatures`);
    }
    config(params, 1);
    const value = list.map((signature, index) => {
      if (typeof signature !== 'string' || base58Length(signature) !== 64) {
        throw new SolanaRpcError(-32602, `Invalid param: signature ${index} is not a base58 signature`);
      }
      const status = ctx.chain.signatureStatus(signature);
      if (!status) return null;
      return {
        slot: status.slot,
        confirmations: null,
        err: status.err,
        status: status.err === null ? { Ok: null } : { Err: status.err },
        confirmationStatus: 'finalized',
      };
    });
    return withContext(ctx, value);
  },
  simulateTransaction: (ctx, params) => {
    const { tx, options } = decodeTransaction(params);
    const sigVerify = options.sigVerify === true;
    const replaceRecentBlockhash = options.replaceRecentBlockhash === true;
    if (sigVerify && replaceRecentBlockhash) {
      throw invalidParams('sigVerify may not be used with replaceRecentBlockhash');
    }
    let execution: SolanaExecution;
    try {
      execution = ctx.chain.simulate(tx, { sigVerify, replaceRecentBlockhash });
    } catch (error) {
      rejected(error);
    }
    refusedAsRequest(execution);
    const extra: Record<string, unknown> = {};
    if (replaceRecentBlockhash) extra.replacementBlockhash = ctx.chain.latestBlockhash();
    if (options.innerInstructions === true) extra.innerInstructions = [];
    return withContext(ctx, simulationValue(execution, extra));
  },
  sendTransaction: (ctx, params) => {
    const { tx, options } = decodeTransaction(params);
    if (options.skipPreflight !== true) {
      let preflight: SolanaExecution;
      try {
        preflight = ctx.chain.simulate(tx, { sigVerify: true, replaceRecentBlockhash: false });
      } catch (error) {
        rejected(error);
      }
      refusedAsRequest(preflight);
      if (!preflight.ok) {
        throw new SolanaRpcError(
          -32002,
          `Transaction simulation failed: ${JSON.stringify(preflight.err)}`,
          simulationValue(preflight),
        );
      }
    }
    let execution: SolanaExecution;
    try {
      execution = ctx.chain.send(tx);
    } catch (error) {
      rejected(error);
    }
    refusedAsRequest(execution);
    if (!execution.ok && execution.refused) {
      throw new SolanaRpcError(
        -32002,
        `Transaction simulation failed: ${JSON.stringify(execution.err)}`,
        simulationValue(execution),
      );
    }
    return execution.signature;
  },
  requestAirdrop: (ctx, params) => {
    const account = addressParam(params, 0);
    const amount = u64Param(params, 1, 'an amount of lamports');
    config(params, 2);
    return ctx.chain.airdrop(account, amount);
  },
};

function base58Length(text: string): number {
  try {
    return getBase58Encoder().encode(text).length;
  } catch {
    return -1;
  }
}
