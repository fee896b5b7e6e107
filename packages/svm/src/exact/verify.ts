/**
 * The checks of `exact` on SVM, in the reference facilitator's order and with its reason strings:
 * scheme and network, the fee payer (present, ours, the transaction's fee payer, in no
 * instruction's accounts), the payer's signatures, the instruction layout (compute limit, compute
 * price within the cap, `TransferChecked` of the asset to payTo's associated token account for
 * exactly the amount, then only Memo or Lighthouse), the seller's memo, then a simulation.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type {
  Base64EncodedWireTransaction,
  GetLatestBlockhashApi,
  Rpc,
  SimulateTransactionApi,
} from '@solana/kit';
import { address, getBase58Encoder } from '@solana/kit';
import { findAssociatedTokenPda } from '@solana-program/token';
import { type PaymentPayload, type PaymentRequirements, type VerifyResponse, X402Error } from '@x402kit/core';
import { type InstructionView, readComputeUnitLimit, readComputeUnitPrice } from '../compute-budget.js';
import { isTokenProgram, LIGHTHOUSE_PROGRAM_ADDRESS, MEMO_PROGRAM_ADDRESS } from '../programs.js';
import { SvmReasons } from '../reasons.js';
import { type DecodedSvmTransaction, decodeSvmTransaction, tokenPayerOf } from '../transaction.js';

/** The RPC methods the facilitator uses to simulate, send and confirm. */
export type ExactSvmVerifyRpc = Rpc<SimulateTransactionApi & GetLatestBlockhashApi>;

/** What verification needs from the facilitator. */
export type ExactSvmVerifyContext = {
  /** The facilitator's fee payer addresses. */
  feePayers: readonly string[];
  /** Highest accepted compute unit price, micro-lamports per CU. */
  maxComputeUnitPriceMicroLamports: bigint;
  /** The RPC of `requirements.network`, for the simulation. */
  rpc: ExactSvmVerifyRpc;
};

/** A verdict, with the decoded transaction when it decoded. */
export type ExactSvmVerdict = { response: VerifyResponse; decoded?: DecodedSvmTransaction };

const TRANSFER_CHECKED = 12;
const UNKNOWN_OPTIONAL = [
  SvmReasons.unknownFourthInstruction,
  SvmReasons.unknownFifthInstruction,
  SvmReasons.unknownSixthInstruction,
  SvmReasons.unknownSeventhInstruction,
] as const;

const invalid = (invalidReason: string, payer = '', decoded?: DecodedSvmTransaction): ExactSvmVerdict => ({
  response: { isValid: false, invalidReason, payer },
  ...(decoded ? { decoded } : {}),
});

/**
 * Verifies an `exact` SVM payment against `requirements`, ending with a simulation of the
 * partially signed transaction (no signature check, as the reference does).
 *
 * @example
 * const { response } = await verifyExactSvmPayment(payload, requirements, { feePayers, maxComputeUnitPriceMicroLamports: 5_000_000n, rpc })
 * response.isValid // true, response.payer the paying wallet
 */
export async function verifyExactSvmPayment(
  payload: PaymentPayload,
  requirements: PaymentRequirements,
  ctx: ExactSvmVerifyContext,
): Promise<ExactSvmVerdict> {
  if (payload.accepted.scheme !== 'exact' || requirements.scheme !== 'exact') {
    return invalid(SvmReasons.unsupportedScheme);
  }
  if (payload.accepted.network !== requirements.network) return invalid(SvmReasons.networkMismatch);
  const feePayer = requirements.extra?.feePayer;
  if (typeof feePayer !== 'string' || feePayer === '') return invalid(SvmReasons.missingFeePayer);
  if (!ctx.feePayers.includes(feePayer)) return invalid(SvmReasons.feePayerNotManaged);
  const decoded = decodeSvmTransaction(payload.payload.transaction);
  if (!decoded) return invalid(SvmReasons.transactionCouldNotBeDecoded);
  if (decoded.accounts[0] !== feePayer) return invalid(SvmReasons.feePayerMismatch, '', decoded);
  if (!(await payerSignaturesValid(decoded))) return invalid(SvmReasons.signatureInvalid, '', decoded);

  const layout = await checkLayout(decoded, requirements, ctx);
  if (layout) return layout;
  const payer = tokenPayerOf(decoded);
  const simulation = await simulate(ctx.rpc, payload.payload.transaction as Base64EncodedWireTransaction);
  if (simulation !== undefined) {
    return {
      response: {
        isValid: false,
        invalidReason: SvmReasons.simulationFailed,
        invalidMessage: simulation,
        payer,
      },
      decoded,
    };
  }
  return { response: { isValid: true, payer }, decoded };
}

/** The positional checks (reference "static path"); `undefined` when the layout is right. */
async function checkLayout(
  decoded: DecodedSvmTransaction,
  requirements: PaymentRequirements,
  ctx: ExactSvmVerifyContext,
): Promise<ExactSvmVerdict | undefined> {
  const ixs = decoded.instructions;
  if (ixs.length < 3 || ixs.length > 7) return invalid(SvmReasons.instructionsLength, '', decoded);
  const [limitIx, priceIx, transferIx] = ixs as [InstructionView, InstructionView, InstructionView];
  if (readComputeUnitLimit(limitIx) === undefined) {
    return invalid(SvmReasons.computeLimitInstruction, '', decoded);
  }
  const price = readComputeUnitPrice(priceIx);
  if (price === undefined) return invalid(SvmReasons.computePriceInstruction, '', decoded);
  if (price > ctx.maxComputeUnitPriceMicroLamports) {
    return invalid(SvmReasons.computePriceInstructionTooHigh, '', decoded);
  }
  const payer = tokenPayerOf(decoded);
  if (!payer) return invalid(SvmReasons.noTransferInstruction, '', decoded);
  const transfer = readTransferChecked(transferIx);
  if (!transfer) return invalid(SvmReasons.noTransferInstruction, payer, decoded);
  if (ctx.feePayers.includes(transfer.authority)) {
    return invalid(SvmReasons.feePayerTransferringFunds, payer, decoded);
  }
  if (transfer.mint !== requirements.asset) return invalid(SvmReasons.mintMismatch, payer, decoded);
  if (transfer.destination !== (await associatedTokenAccount(requirements, transferIx.programAddress))) {
    return invalid(SvmReasons.recipientMismatch, payer, decoded);
  }
  if (transfer.amount !== atomic(requirements.amount))
    return invalid(SvmReasons.amountMismatch, payer, decoded);
  // The spec's rule the reference leaves to the simulation: no fee payer of ours in any
  // instruction's accounts (as source, in a memo, ...), so no instruction can move its funds.
  if (ixs.some((ix) => ix.accounts.some((account) => ctx.feePayers.includes(account)))) {
    return invalid(SvmReasons.feePayerTransferringFunds, payer, decoded);
  }
  const optional = ixs.slice(3);
  for (const [index, ix] of optional.entries()) {
    if (ix.programAddress === LIGHTHOUSE_PROGRAM_ADDRESS || ix.programAddress === MEMO_PROGRAM_ADDRESS)
      continue;
    return invalid(UNKNOWN_OPTIONAL[index] ?? SvmReasons.unknownSeventhInstruction, payer, decoded);
  }
  const expectedMemo = requirements.extra?.memo;
  if (typeof expectedMemo === 'string' && expectedMemo !== '') {
    const memos = optional.filter((ix) => ix.programAddress === MEMO_PROGRAM_ADDRESS);
    if (memos.length !== 1) return invalid(SvmReasons.memoCount, payer, decoded);
    if (new TextDecoder().decode(memos[0]?.data) !== expectedMemo) {
      return invalid(SvmReasons.memoMismatch, payer, decoded);
    }
  }
  return undefined;
}

type TransferChecked = { mint: string; destination: string; authority: string; amount: bigint };

/** `TransferChecked` (discriminator 12, u64 amount, u8 decimals) of a token program, or `undefined`. */
function readTransferChecked(ix: InstructionView): TransferChecked | undefined {
  if (!isTokenProgram(ix.programAddress)) return undefined;
  if (ix.data.length < 10 || ix.data[0] !== TRANSFER_CHECKED || ix.accounts.length < 4) return undefined;
  const [, mint = '', destination = '', authority = ''] = ix.accounts;
  const amount = new DataView(ix.data.buffer, ix.data.byteOffset, ix.data.byteLength).getBigUint64(1, true);
  return { mint, destination, authority, amount };
}

/** Derived token account addresses, by program, mint and owner: a PDA search costs many hashes. */
const tokenAccounts = new Map<string, Promise<string>>();
const MAX_CACHED = 10_000;

async function associatedTokenAccount(requirements: PaymentRequirements, program: string): Promise<string> {
  const key = `${program} ${requirements.asset} ${requirements.payTo}`;
  let found = tokenAccounts.get(key);
  if (!found) {
    found = findAssociatedTokenPda({
      mint: address(requirements.asset),
      owner: address(requirements.payTo),
      tokenProgram: address(program),
    }).then(
      ([ata]) => ata as string,
      () => '',
    );
    if (tokenAccounts.size >= MAX_CACHED) tokenAccounts.clear();
    tokenAccounts.set(key, found);
  }
  return found;
}

function atomic(amount: string): bigint | undefined {
  return /^\d+$/.test(amount) ? BigInt(amount) : undefined;
}

/** Every signer but the fee payer (index 0) has a valid Ed25519 signature over the message. */
async function payerSignaturesValid(decoded: DecodedSvmTransaction): Promise<boolean> {
  const message = decoded.messageBytes;
  for (let i = 1; i < decoded.numSignerAccounts; i++) {
    const signer = decoded.accounts[i];
    const signature = decoded.signatures[i];
    if (!signer || !signature || signature.length !== 64) return false;
    try {
      if (!verify(null, message, ed25519Key(signer), signature)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Public keys of signers seen, imported once (a payer signs many payments). */
const publicKeys = new Map<string, KeyObject>();

function ed25519Key(signer: string): KeyObject {
  let key = publicKeys.get(signer);
  if (!key) {
    const raw = Buffer.from(getBase58Encoder().encode(signer));
    if (raw.length !== 32)
      throw new X402Error(SvmReasons.signatureInvalid, `${signer} is not an Ed25519 public key`);
    key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    if (publicKeys.size >= MAX_CACHED) publicKeys.clear();
    publicKeys.set(signer, key);
  }
  return key;
}

/** `undefined` when the simulation succeeds, else what went wrong (the reference's message). */
async function simulate(
  rpc: ExactSvmVerifyRpc,
  transaction: Base64EncodedWireTransaction,
): Promise<string | undefined> {
  try {
    const { value } = await rpc
      .simulateTransaction(transaction, {
        encoding: 'base64',
        sigVerify: false,
        replaceRecentBlockhash: false,
        commitment: 'confirmed',
      })
      .send();
    if (value.err) {
      return `Simulation failed: ${JSON.stringify(value.err, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
