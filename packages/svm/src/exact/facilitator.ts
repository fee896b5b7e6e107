/**
 * The facilitator side of `exact` on SVM: verifies the payer's partially signed transaction
 * (see `verify.ts`), then settles it as its fee payer (see `settle.ts`). Several fee payers are
 * advertised round-robin; the same transaction settled concurrently is sent once.
 */
import type {
  GetLatestBlockhashApi,
  GetSignatureStatusesApi,
  KeyPairSigner,
  Rpc,
  SendTransactionApi,
  SimulateTransactionApi,
} from '@solana/kit';
import { createSolanaRpc, partiallySignTransaction } from '@solana/kit';
import {
  canonicalNetwork,
  type PaymentPayload,
  type PaymentRequirements,
  Reasons,
  type SchemeFacilitator,
  type SettleResponse,
  toCaip2,
} from '@x402kit/core';
import { createSharedSettlements } from '@x402kit/core/internal';
import { SvmConfigError } from '../config-error.js';
import { createFeePayers, type SvmSecretKey } from '../fee-payers.js';
import { MAX_COMPUTE_UNIT_PRICE_MICROLAMPORTS } from '../programs.js';
import { SvmReasons } from '../reasons.js';
import { decodeSvmTransaction, messageKey, transactionSignatureOf } from '../transaction.js';
import { settleExactSvmTransaction, signatureStatus } from './settle.js';
import { verifyExactSvmPayment } from './verify.js';

/** Every RPC method the facilitator calls. */
export type ExactSvmFacilitatorRpc = Rpc<
  SimulateTransactionApi & GetLatestBlockhashApi & SendTransactionApi & GetSignatureStatusesApi
>;

/** One Solana network the facilitator serves: its JSON-RPC URL, or a kit RPC. */
export type ExactSvmFacilitatorNetwork = { rpcUrl: string } | { rpc: ExactSvmFacilitatorRpc };

/** Options of `createExactSvmFacilitator`. */
export type ExactSvmFacilitatorOptions = {
  /** By CAIP-2 id (or alias: `solana:devnet`). */
  networks: Record<string, ExactSvmFacilitatorNetwork>;
  /** Fee payers' 64-byte secret keys (base58 or bytes); advertised round-robin. */
  feePayers: readonly SvmSecretKey[];
  /** Highest compute unit price accepted, micro-lamports per CU (default 5 000 000, the reference's). */
  maxComputeUnitPriceMicroLamports?: bigint;
  /** How long settle waits for the signature's status before answering `settlement_pending` (default 30 s). */
  confirmTimeoutMs?: number;
  /** Interval of the status lookups (default 400 ms). */
  pollingIntervalMs?: number;
};

/** The `exact` SVM facilitator, with the networks (CAIP-2) it serves and its fee payers. */
export type ExactSvmFacilitator = SchemeFacilitator & {
  readonly networks: string[];
  readonly feePayers: readonly string[];
};

/**
 * Create the facilitator half of `exact` on SVM, for `createFacilitator` from `@x402kit/core`.
 *
 * @example
 * const svm = createExactSvmFacilitator({
 *   networks: { 'solana:devnet': { rpcUrl: 'https://api.devnet.solana.com' } },
 *   feePayers: [process.env.SOLANA_FEE_PAYER_KEY],
 * })
 * const facilitator = createFacilitator({ schemes: [{ networks: svm.networks, facilitator: svm }] })
 */
export function createExactSvmFacilitator(options: ExactSvmFacilitatorOptions): ExactSvmFacilitator {
  const feePayers = createFeePayers(options.feePayers);
  const rpcs = parseNetworks(options.networks);
  const maxPrice = options.maxComputeUnitPriceMicroLamports ?? MAX_COMPUTE_UNIT_PRICE_MICROLAMPORTS;
  if (typeof maxPrice !== 'bigint' || maxPrice < 0n) {
    throw new SvmConfigError('maxComputeUnitPriceMicroLamports', 'must be a bigint >= 0');
  }
  const settler: SvmSettler = {
    feePayers,
    rpcs,
    maxPrice,
    confirmTimeoutMs: positive('confirmTimeoutMs', options.confirmTimeoutMs ?? 30_000),
    pollingIntervalMs: positive('pollingIntervalMs', options.pollingIntervalMs ?? 400),
  };
  const shared = createSharedSettlements<SettleResponse>();
  return {
    scheme: 'exact',
    family: 'solana:*',
    networks: [...rpcs.keys()],
    feePayers: feePayers.addresses,
    getExtra: () => ({ feePayer: feePayers.next() }),
    getSigners: () => [...feePayers.addresses],
    async verify(payload, requirements) {
      return (await verify(settler, payload, requirements)).response;
    },
    async settle(payload, requirements, ctx) {
      // The same message co-signed by the fee payer it names has one signature (Ed25519 is
      // deterministic), so keying by the message is keying by the transaction's signature.
      const decoded = decodeSvmTransaction(payload.payload.transaction);
      const key = decoded ? await messageKey(decoded) : undefined;
      return shared(key, () => settleOnce(settler, payload, requirements, ctx));
    },
  };
}

/** One facilitator's fee payers, RPCs and limits, shared by verify and settle. */
type SvmSettler = {
  feePayers: ReturnType<typeof createFeePayers>;
  rpcs: Map<string, ExactSvmFacilitatorRpc>;
  maxPrice: bigint;
  confirmTimeoutMs: number;
  pollingIntervalMs: number;
};

async function verify(settler: SvmSettler, payload: PaymentPayload, requirements: PaymentRequirements) {
  const rpc = settler.rpcs.get(caip2Of(requirements.network));
  if (!rpc) return { response: { isValid: false, invalidReason: Reasons.invalidNetwork, payer: '' } };
  return verifyExactSvmPayment(payload, requirements, {
    feePayers: settler.feePayers.addresses,
    maxComputeUnitPriceMicroLamports: settler.maxPrice,
    rpc,
  });
}

async function settleOnce(
  settler: SvmSettler,
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  ctx: Parameters<SchemeFacilitator['settle']>[2],
): Promise<SettleResponse> {
  const network = payload.accepted.network;
  const failure = (errorReason: string, payer = '', errorMessage?: string): SettleResponse => ({
    success: false,
    errorReason,
    transaction: '',
    network,
    payer,
    ...(errorMessage ? { errorMessage } : {}),
  });
  const { response, decoded } = await verify(settler, payload, requirements);
  const rpc = settler.rpcs.get(caip2Of(requirements.network));
  const feePayerAddress = decoded?.accounts[0] ?? '';
  const feePayer = settler.feePayers.signer(feePayerAddress);
  if (!response.isValid) {
    // Settled before (a replay): the simulation of a landed transaction fails; if the chain has
    // it, it is there and this settle answers as the first did.
    if (response.invalidReason === SvmReasons.simulationFailed && decoded && feePayer && rpc) {
      const landed = await feePayer
        .then((signer) => landedSignature(decoded.transaction, signer, rpc))
        .catch(() => undefined);
      if (landed) return { success: true, transaction: landed, network, payer: response.payer ?? '' };
    }
    return failure(
      response.invalidReason ?? SvmReasons.verificationFailed,
      response.payer ?? '',
      response.invalidMessage,
    );
  }
  if (!decoded || !feePayer || !rpc) return failure(SvmReasons.verificationFailed, response.payer ?? '');
  let signer: Awaited<typeof feePayer>;
  try {
    signer = await feePayer;
  } catch (error) {
    return failure(
      SvmReasons.transactionFailed,
      response.payer ?? '',
      `fee payer ${feePayerAddress}: ${String(error)}`,
    );
  }
  return settleExactSvmTransaction(decoded.transaction, signer, {
    rpc,
    network,
    payer: response.payer ?? '',
    confirmTimeoutMs: settler.confirmTimeoutMs,
    pollingIntervalMs: settler.pollingIntervalMs,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...(ctx.onBroadcast ? { onBroadcast: ctx.onBroadcast } : {}),
  });
}

/** The fee payer's signature of `transaction` if the chain has it, landed without error. */
async function landedSignature(
  transaction: Parameters<typeof transactionSignatureOf>[0],
  feePayer: KeyPairSigner,
  rpc: ExactSvmFacilitatorRpc,
): Promise<string | undefined> {
  const signature = transactionSignatureOf(await partiallySignTransaction([feePayer.keyPair], transaction));
  if (!signature) return undefined;
  const status = await signatureStatus(rpc, signature);
  return status?.landed && (status.err === null || status.err === undefined) ? signature : undefined;
}

function parseNetworks(
  networks: Record<string, ExactSvmFacilitatorNetwork>,
): Map<string, ExactSvmFacilitatorRpc> {
  if (typeof networks !== 'object' || networks === null || Object.keys(networks).length === 0) {
    throw new SvmConfigError('networks', 'must name at least one Solana network');
  }
  const rpcs = new Map<string, ExactSvmFacilitatorRpc>();
  for (const [name, network] of Object.entries(networks)) {
    const path = `networks["${name}"]`;
    const caip2 = caip2Of(name);
    if (!/^solana:[1-9A-HJ-NP-Za-km-z]{32}$/.test(caip2)) {
      throw new SvmConfigError(path, 'is not a Solana CAIP-2 id (solana:<genesis hash prefix>) or alias');
    }
    if ('rpc' in network && network.rpc) {
      rpcs.set(caip2, network.rpc);
      continue;
    }
    const url = 'rpcUrl' in network ? network.rpcUrl : undefined;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) {
      throw new SvmConfigError(`${path}.rpcUrl`, 'must be an http(s) URL');
    }
    rpcs.set(caip2, createSolanaRpc(url));
  }
  return rpcs;
}

/** The CAIP-2 id of a CAIP-2 id, an alias (`solana:devnet`) or a v1 name (`solana-devnet`). */
function caip2Of(network: string): string {
  return canonicalNetwork(toCaip2(network) ?? network);
}

function positive(path: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new SvmConfigError(path, 'must be a number > 0');
  return value;
}
