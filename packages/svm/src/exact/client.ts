/**
 * The paying side of `exact` on SVM: builds the versioned transaction the reference client builds
 * (compute unit limit, compute unit price, SPL `TransferChecked` from the payer's associated token
 * account to payTo's, a memo), with the facilitator's fee payer as fee payer, and signs it as the
 * payer only. The facilitator co-signs and pays the fees.
 */
import type { Address, GetAccountInfoApi, GetLatestBlockhashApi, Rpc, TransactionSigner } from '@solana/kit';
import {
  address,
  appendTransactionMessageInstructions,
  blockhash,
  createSolanaRpc,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  partiallySignTransactionMessageWithSigners,
  pipe,
  setTransactionMessageFeePayer,
  setTransactionMessageLifetimeUsingBlockhash,
} from '@solana/kit';
import { findAssociatedTokenPda, getTransferCheckedInstruction } from '@solana-program/token';
import { type PaymentRequirements, Reasons, type SchemeClient, X402Error } from '@x402kit/core';
import { setComputeUnitLimitInstruction, setComputeUnitPriceInstruction } from '../compute-budget.js';
import { type MintFacts, readMintFacts } from '../mint.js';
import {
  DEFAULT_COMPUTE_UNIT_LIMIT,
  DEFAULT_COMPUTE_UNIT_PRICE_MICROLAMPORTS,
  MAX_MEMO_BYTES,
  MEMO_PROGRAM_ADDRESS,
} from '../programs.js';

/** The reads the client makes: the mint (program, decimals) and a recent blockhash. */
export type ExactSvmClientRpc = Rpc<GetAccountInfoApi & GetLatestBlockhashApi>;

/** Options of `createExactSvmClient`. */
export type ExactSvmClientOptions = {
  /** The payer: a kit signer (`await createKeyPairSignerFromBytes(secret)`, a wallet adapter). */
  signer: TransactionSigner;
  /** A kit RPC (`createSolanaRpc(url)`) or its URL, for the network the client pays on. */
  rpc: ExactSvmClientRpc | string;
};

/** The `exact` SVM payload: the partially signed transaction, base64 wire bytes. */
export type ExactSvmPayload = { transaction: string };

/**
 * Create the client half of `exact` on SVM, for `createX402Client` from `@x402kit/core`.
 *
 * @example
 * const client = createX402Client({
 *   schemes: [{
 *     network: 'solana:*',
 *     client: createExactSvmClient({ signer: await createKeyPairSignerFromBytes(secret), rpc: 'https://api.devnet.solana.com' }),
 *   }],
 * })
 */
export function createExactSvmClient(options: ExactSvmClientOptions): SchemeClient {
  const rpc = typeof options.rpc === 'string' ? createSolanaRpc(options.rpc) : options.rpc;
  const mints = new Map<string, Promise<MintFacts>>();
  const mintFacts = (network: string, mint: Address): Promise<MintFacts> => {
    const key = `${network}|${mint}`;
    let facts = mints.get(key);
    if (!facts) {
      facts = readMintFacts(rpc, mint);
      facts.catch(() => mints.delete(key));
      mints.set(key, facts);
    }
    return facts;
  };
  return {
    scheme: 'exact',
    async createPaymentPayload(requirements) {
      const mint = asAddress(requirements.asset, 'asset');
      const facts = await mintFacts(requirements.network, mint);
      const transaction = await buildExactSvmTransaction(options.signer, requirements, {
        rpc,
        mint: facts,
      });
      const payload: ExactSvmPayload = { transaction };
      return { payload };
    },
  };
}

/**
 * Builds and partially signs (as the payer) the `exact` transaction for `requirements`, answering
 * its base64 wire bytes. `createExactSvmClient` calls it; use it directly to pay without the engine.
 *
 * @example
 * const transaction = await buildExactSvmTransaction(payer, requirements, {
 *   rpc, mint: { programAddress: TOKEN_PROGRAM_ADDRESS, decimals: 6 },
 * })
 */
export async function buildExactSvmTransaction(
  signer: TransactionSigner,
  requirements: Pick<PaymentRequirements, 'asset' | 'amount' | 'payTo' | 'extra'>,
  context: { rpc: Rpc<GetLatestBlockhashApi>; mint: MintFacts },
): Promise<string> {
  const mint = asAddress(requirements.asset, 'asset');
  const payTo = asAddress(requirements.payTo, 'payTo');
  const feePayer = requirements.extra?.feePayer;
  if (typeof feePayer !== 'string' || feePayer === '') {
    throw new X402Error(
      Reasons.invalidPaymentRequirements,
      "exact SVM client: requirements.extra.feePayer is missing; the server must copy it from its facilitator's /supported",
    );
  }
  const tokenProgram = context.mint.programAddress;
  const [source] = await findAssociatedTokenPda({ mint, owner: signer.address, tokenProgram });
  const [destination] = await findAssociatedTokenPda({ mint, owner: payTo, tokenProgram });
  const transfer = getTransferCheckedInstruction(
    {
      source,
      mint,
      destination,
      authority: signer,
      amount: BigInt(requirements.amount),
      decimals: context.mint.decimals,
    },
    { programAddress: tokenProgram },
  );
  const memo = { programAddress: MEMO_PROGRAM_ADDRESS, data: memoData(requirements.extra?.memo) };
  const lifetime = await blockhashFor(context.rpc, requirements.extra);
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayer(asAddress(feePayer, 'extra.feePayer'), m),
    (m) =>
      appendTransactionMessageInstructions(
        [
          setComputeUnitLimitInstruction(DEFAULT_COMPUTE_UNIT_LIMIT),
          setComputeUnitPriceInstruction(DEFAULT_COMPUTE_UNIT_PRICE_MICROLAMPORTS),
          transfer,
          memo,
        ],
        m,
      ),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
  );
  const signed = await partiallySignTransactionMessageWithSigners(message);
  return getBase64EncodedWireTransaction(signed);
}

/** The seller's `extra.memo` (at most 256 UTF-8 bytes), else 16 random bytes as hex, like the reference. */
function memoData(memo: unknown): Uint8Array {
  if (typeof memo === 'string' && memo !== '') {
    const bytes = new TextEncoder().encode(memo);
    if (bytes.byteLength > MAX_MEMO_BYTES) {
      throw new X402Error(
        Reasons.invalidPaymentRequirements,
        `exact SVM client: extra.memo is ${bytes.byteLength} bytes, at most ${MAX_MEMO_BYTES} are allowed`,
      );
    }
    return bytes;
  }
  const nonce = crypto.getRandomValues(new Uint8Array(16));
  return new TextEncoder().encode(Buffer.from(nonce).toString('hex'));
}

/** The server's `extra.recentBlockhash` when it sent one (as the reference server may), else the RPC's. */
async function blockhashFor(
  rpc: Rpc<GetLatestBlockhashApi>,
  extra: Record<string, unknown> | null | undefined,
): Promise<Parameters<typeof setTransactionMessageLifetimeUsingBlockhash>[0]> {
  const hint = extra?.recentBlockhash;
  const lastValid = extra?.lastValidBlockHeight;
  if (
    typeof hint === 'string' &&
    hint !== '' &&
    (typeof lastValid === 'string' || typeof lastValid === 'number')
  ) {
    try {
      return { blockhash: blockhash(hint), lastValidBlockHeight: BigInt(lastValid) };
    } catch {
      // a malformed hint: ask the RPC instead
    }
  }
  const { value } = await rpc.getLatestBlockhash({ commitment: 'confirmed' }).send();
  return value;
}

function asAddress(value: string, field: string): Address {
  try {
    return address(value);
  } catch {
    throw new X402Error(
      Reasons.invalidPaymentRequirements,
      `exact SVM client: requirements.${field} "${value}" is not a base58 Solana address`,
    );
  }
}
