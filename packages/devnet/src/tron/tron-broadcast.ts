import type { Hex } from 'viem';
import { recoverAddress } from 'viem';
import { tronAddressToBase58 } from './tron-address.js';
import { MAX_FEE_LIMIT_SUN, WEI_PER_SUN } from './tron-nile.js';
import type { TronNodeContext } from './tron-node-context.js';
import type { TriggerCall, TronTransactionJson } from './tron-transactions.js';
import { encodeRawData, parseTriggerCall, TronRequestError } from './tron-transactions.js';

/** `response_code` values of TRON's broadcast `Return` the local node uses. */
export type BroadcastCode =
  | 'SIGERROR'
  | 'CONTRACT_VALIDATE_ERROR'
  | 'DUP_TRANSACTION_ERROR'
  | 'TAPOS_ERROR'
  | 'TRANSACTION_EXPIRATION_ERROR'
  | 'OTHER_ERROR';

/**
 * What `/wallet/broadcasttransaction` answers: `{result: true, txid}` or, like java-tron's JSON (where a false
 * `result` is left out), `{code, txid, message}` with `message` as hex of UTF-8 text.
 */
export type BroadcastResponse =
  | { result: true; txid: string }
  | { code: BroadcastCode; txid: string; message: string };

/** What the broadcast path uses of the node: anvil, blocks, ledger, energy price, automine and the log. */
export type BroadcastContext = Pick<
  TronNodeContext,
  'rpc' | 'blocks' | 'ledger' | 'energyPrice' | 'automine' | 'log'
>;

const MAX_EXPIRATION_MS = 24 * 60 * 60 * 1000;
/** Osaka's per-transaction gas cap (EIP-7825) bounds the energy a transaction may use on anvil. */
const TX_GAS_CAP = 16_777_216n;

function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function fail(code: BroadcastCode, txid: string, text: string): BroadcastResponse {
  return { code, txid, message: Buffer.from(text, 'utf8').toString('hex') };
}

/** Gas anvil charges before code runs: 21000 plus calldata (4 per zero byte, 16 otherwise) and the EIP-7623 floor. */
export function intrinsicGas(data: string): { standard: bigint; floor: bigint } {
  let zero = 0n;
  let nonzero = 0n;
  for (let i = 0; i < data.length; i += 2) {
    if (data.slice(i, i + 2) === '00') zero++;
    else nonzero++;
  }
  return { standard: 21_000n + 4n * zero + 16n * nonzero, floor: 21_000n + 10n * (zero + 4n * nonzero) };
}

function normalize(body: Record<string, unknown>): TronTransactionJson {
  const raw = body.raw_data;
  if (typeof raw !== 'object' || raw === null) throw new TronRequestError('raw_data is required');
  const contracts = (raw as { contract?: unknown }).contract;
  if (!Array.isArray(contracts) || contracts.length !== 1) {
    throw new TronRequestError('raw_data.contract must hold exactly one contract');
  }
  const signature = body.signature;
  if (!Array.isArray(signature) || !signature.every((s) => typeof s === 'string')) {
    throw new TronRequestError('signature must be an array of hex strings');
  }
  // Validated just above: an object with one contract and string signatures; encodeRawData checks the rest.
  return { ...(body as unknown as TronTransactionJson), visible: body.visible === true, signature };
}

/**
 * Validates a signed TriggerSmartContract in java-tron's order (signature size, duplicate id, expiration,
 * signer = owner, TaPoS, expiration range, contract checks), then runs it on anvil as the owner (impersonated,
 * gas price 0, gas = intrinsic + energy limit) and records txid → anvil hash. The energy fee is burned from the
 * owner's TRX when the receipt is settled.
 *
 * @example
 * ```ts
 * const answer = await broadcastTransaction({ rpc, blocks, ledger, energyPrice: 100n, automine: true }, signedTx);
 * ```
 */
export async function broadcastTransaction(
  context: BroadcastContext,
  body: Record<string, unknown>,
): Promise<BroadcastResponse> {
  const tx = normalize(body);
  const { rawDataHex, txID } = encodeRawData(tx);
  const answer = await context.ledger.serialize(() => admit(tx, rawDataHex, txID, context));
  // With automine the transaction is mined already: settle (and burn the fee) before answering.
  if ('result' in answer && context.automine) await context.ledger.settle(txID, { wait: true });
  else if ('result' in answer) {
    void context.ledger.settle(txID, { wait: true }).catch((error: unknown) => {
      context.log?.(`tron node: settling ${txID} failed: ${String(error)}`);
    });
  }
  return answer;
}

/** Runs java-tron's checks in its order; the first that fails is the answer, else the transaction is sent. */
async function admit(
  tx: TronTransactionJson,
  rawDataHex: string,
  txID: string,
  context: BroadcastContext,
): Promise<BroadcastResponse> {
  const { blocks, ledger } = context;
  const signatures = tx.signature ?? [];
  const badSize = checkSignatureSizes(signatures, txID);
  if (badSize) return badSize;
  if (!ledger.markSeen(txID)) return fail('DUP_TRANSACTION_ERROR', txID, 'Transaction already exists.');

  const head = await blocks.head();
  const headMs = Number(head.timestamp) * 1000;
  const nextSlotMs = Math.max(headMs, Date.now());
  if (tx.raw_data.expiration < nextSlotMs)
    return fail('TRANSACTION_EXPIRATION_ERROR', txID, 'Transaction expired');

  const claimed = readTriggerCall(tx, rawDataHex, txID);
  if ('refusal' in claimed) return claimed.refusal;
  const { call } = claimed;
  const badSigner = await checkSigners(signatures, txID, call.owner);
  if (badSigner) return badSigner;

  if (!(await blocks.checkTapos(tx.raw_data))) return fail('TAPOS_ERROR', txID, 'Tapos check error.');
  if (tx.raw_data.expiration > headMs + MAX_EXPIRATION_MS) {
    return fail(
      'TRANSACTION_EXPIRATION_ERROR',
      txID,
      `Transaction expiration time is ${tx.raw_data.expiration}, but head block time is ${headMs}`,
    );
  }
  const funded = await checkOwnerAndContract(call, txID, context);
  if ('refusal' in funded) return funded.refusal;
  return sendOnAnvil(tx, rawDataHex, txID, { call, ...funded }, context);
}

/** Every signature must be 65 bytes. */
function checkSignatureSizes(signatures: readonly string[], txID: string): BroadcastResponse | undefined {
  for (const sig of signatures) {
    const size = sig.replace(/^0x/, '').length / 2;
    if (size !== 65) return fail('SIGERROR', txID, `Validate signature error: Signature size is ${size}`);
  }
  return undefined;
}

/** The claimed txID and raw_data_hex must match raw_data, whose one contract must be a TriggerSmartContract. */
function readTriggerCall(
  tx: TronTransactionJson,
  rawDataHex: string,
  txID: string,
): { call: TriggerCall } | { refusal: BroadcastResponse } {
  const claimedId = typeof tx.txID === 'string' ? tx.txID.toLowerCase() : '';
  const claimedHex = typeof tx.raw_data_hex === 'string' ? tx.raw_data_hex.toLowerCase() : '';
  if ((claimedId !== '' && claimedId !== txID) || (claimedHex !== '' && claimedHex !== rawDataHex)) {
    return {
      refusal: fail(
        'SIGERROR',
        txID,
        'Validate signature error: txID or raw_data_hex does not match raw_data',
      ),
    };
  }
  const contract = tx.raw_data.contract[0];
  if (contract?.type !== 'TriggerSmartContract') {
    return {
      refusal: fail(
        'CONTRACT_VALIDATE_ERROR',
        txID,
        'Contract validate error : only TriggerSmartContract is supported',
      ),
    };
  }
  return { call: parseTriggerCall({ ...contract.parameter.value, fee_limit: tx.raw_data.fee_limit }) };
}

/** There must be a signature, and every one must recover to the owner. */
async function checkSigners(
  signatures: readonly string[],
  txID: string,
  owner: string,
): Promise<BroadcastResponse | undefined> {
  if (signatures.length === 0)
    return fail('SIGERROR', txID, 'Validate signature error: miss sig or contract');
  for (const sig of signatures) {
    const hex: Hex = `0x${sig.replace(/^0x/, '')}`;
    let signer: string;
    try {
      signer = `41${(await recoverAddress({ hash: `0x${txID}`, signature: hex })).slice(2).toLowerCase()}`;
    } catch {
      return fail('SIGERROR', txID, `Validate signature error: ${sig} is not a valid signature`);
    }
    if (signer !== owner) {
      return fail(
        'SIGERROR',
        txID,
        `Validate signature error: ${sig.replace(/^0x/, '')} is signed by ${tronAddressToBase58(signer)} but it is not contained of permission.`,
      );
    }
  }
  return undefined;
}

/** What the contract checks found: the fee limit, the EVM addresses and the owner's TRX. */
interface FundedCall {
  feeLimit: bigint;
  ownerEvm: Hex;
  contractEvm: Hex;
  balanceSun: bigint;
}

/** The fee limit must be in range, the owner must exist, the contract must have code and the owner the call value. */
async function checkOwnerAndContract(
  call: TriggerCall,
  txID: string,
  { rpc }: BroadcastContext,
): Promise<FundedCall | { refusal: BroadcastResponse }> {
  const feeLimit = call.feeLimit ?? 0n;
  const ownerEvm: Hex = `0x${call.owner.slice(2)}`;
  const contractEvm: Hex = `0x${call.contract.slice(2)}`;
  const [code, balanceWei, nonce] = await Promise.all([
    rpc.getCode(contractEvm),
    rpc.getBalance(ownerEvm),
    rpc.getNonce(ownerEvm),
  ]);
  const invalid = (text: string) => ({
    refusal: fail('CONTRACT_VALIDATE_ERROR', txID, `Contract validate error : ${text}`),
  });
  if (feeLimit < 0n || feeLimit > MAX_FEE_LIMIT_SUN) {
    return invalid(`feeLimit must be >= 0 and <= ${MAX_FEE_LIMIT_SUN}`);
  }
  if (balanceWei === 0n && nonce === 0n)
    return invalid(`Validate TriggerSmartContract error, no OwnerAccount.`);
  if (code === '0x') return invalid('No contract or not a smart contract');
  const balanceSun = balanceWei / WEI_PER_SUN;
  if (call.callValue > balanceSun)
    return invalid('Validate InternalTransfer error, balance is not sufficient.');
  return { feeLimit, ownerEvm, contractEvm, balanceSun };
}

/** Sends the call as the owner (gas = intrinsic + the energy the fee limit and TRX allow) and records it. */
async function sendOnAnvil(
  tx: TronTransactionJson,
  rawDataHex: string,
  txID: string,
  { call, feeLimit, ownerEvm, contractEvm, balanceSun }: FundedCall & { call: TriggerCall },
  { rpc, ledger, energyPrice, log }: BroadcastContext,
): Promise<BroadcastResponse> {
  const signatures = tx.signature ?? [];
  const spendable = balanceSun - call.callValue;
  const gas = intrinsicGas(call.data);
  const maxEnergy = TX_GAS_CAP - gas.standard;
  let energyLimit = (feeLimit < spendable ? feeLimit : spendable) / energyPrice;
  if (energyLimit > maxEnergy) energyLimit = maxEnergy;
  const gasLimit = maxBigint(gas.standard + energyLimit, gas.floor);
  const ethHash = await rpc.sendAs({
    from: ownerEvm,
    to: contractEvm,
    data: `0x${call.data}`,
    value: call.callValue * WEI_PER_SUN,
    gas: gasLimit,
  });
  const sigBytes = signatures.length * 67;
  ledger.record({
    tx: { ...tx, txID, raw_data_hex: rawDataHex },
    owner: call.owner,
    ethHash,
    facts: {
      txID,
      contract: call.contract,
      visible: tx.visible,
      intrinsicGas: gas.standard,
      energyLimit,
      energyPrice,
      netUsage: rawDataHex.length / 2 + sigBytes + 3 + 64,
    },
  });
  log?.(`tron node: ${txID} → anvil ${ethHash} (energy limit ${energyLimit})`);
  return { result: true, txid: txID };
}
