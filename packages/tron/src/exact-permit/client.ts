/**
 * The paying side of `exact_permit` on TRON: signs a TIP-712 `PaymentPermitDetails` from the server's
 * `paymentPermitContext` and `extra.fee`, and sends `{ signature, paymentPermit }` with Base58Check
 * addresses as BofAI's TRON client does. With a node and `approve: 'auto'`, a short allowance to
 * PaymentPermit is fixed first by an `approve` transaction the client sends itself.
 */
import { type PaymentRequirements, Reasons, type SchemeClient, X402Error } from '@x402kit/core';
import { type PaymentPermitWire, readOfferFee, readPaymentPermitContext } from '@x402kit/payment-permit';
import type { Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { isTronAddress, toTronAddress } from '../address.js';
import { parseTronNetwork } from '../networks.js';
import type { TronNodeClient } from '../node-client.js';
import { connectTronNode, type TronNodeEndpoint } from '../node-endpoint.js';
import { buildPaymentPermitTip712, type PaymentPermitTip712TypedData } from '../tip712.js';
import { PAYMENT_PERMIT_TRON_ADDRESSES } from '../tokens.js';
import { signTronTransactionId } from '../transaction-signature.js';
import { prepareExactPermitTronApproval, sendExactPermitTronApproval } from './approval.js';
import { ExactPermitTronConfigError } from './config-error.js';
import { readTronAddressField } from './permit-wire.js';
import { ExactPermitTronReasons } from './reasons.js';

/**
 * Anything that signs TIP-712 for one TRON account (a wallet, a KMS). `signTransactionId` is needed
 * only for `approve: 'auto'`.
 *
 * @example
 * const signer: ExactPermitTronSigner = { address: 'T…', signTypedData: (typed) => account.signTypedData(typed) };
 */
export type ExactPermitTronSigner = {
  /** The account in any TRON address form. */
  readonly address: string;
  signTypedData(typed: PaymentPermitTip712TypedData): Promise<string>;
  /** Signs a 32-byte transaction id (hex) → 65-byte r‖s‖v hex. */
  signTransactionId?(txId: string): Promise<string>;
};

/**
 * Options of {@link createExactPermitTronClient}.
 *
 * @example
 * const options: ExactPermitTronClientOptions = { signer: privateKey, node: { fullHost: 'https://nile.trongrid.io' } };
 */
export type ExactPermitTronClientOptions = {
  /** A private key (`0x` optional) or a signer object. */
  signer: string | ExactPermitTronSigner;
  /** The TRON node used for the allowance read and the approve. */
  node?: TronNodeEndpoint | TronNodeClient;
  /** Send an approve when the allowance is short: default `'auto'` with a node, `'never'` without. */
  approve?: 'auto' | 'never';
  /** How much the approve allows: `unlimited` (default, one approve per token) or `required`. */
  approveAmount?: 'unlimited' | 'required' | bigint;
  /** PaymentPermit per network (any id form); default BofAI's deployments. */
  paymentPermitAddress?: Readonly<Record<string, string>>;
  /** Told the txid of an approve once it is confirmed. */
  onApproval?: (txid: string) => void;
};

/**
 * Options of {@link signExactPermitTron}.
 *
 * @example
 * const options: SignExactPermitTronOptions = { editPermit: (p) => ({ ...p, fee: { ...p.fee, feeAmount: '0' } }) };
 */
export type SignExactPermitTronOptions = {
  paymentPermitAddress?: Readonly<Record<string, string>>;
  /** Change the wire permit before signing (tests, tools); the signature covers the result. */
  editPermit?: (permit: PaymentPermitWire) => PaymentPermitWire;
  /** Sign for this network instead of `requirements.network` (tests of cross-chain replays). */
  signingNetwork?: string;
};

/**
 * Creates the client half of `exact_permit` on TRON, for `createX402Client` from `@x402kit/core`.
 *
 * @example
 * const client = createX402Client({
 *   schemes: [{ network: 'tron:*', client: createExactPermitTronClient({ signer: key, node: { fullHost } }) }],
 * });
 */
export function createExactPermitTronClient(options: ExactPermitTronClientOptions): SchemeClient {
  const signer = toSigner(options.signer);
  const node =
    options.node === undefined
      ? undefined
      : 'triggerSmartContract' in options.node
        ? options.node
        : connectTronNode(options.node);
  const approve = options.approve ?? (node ? 'auto' : 'never');
  if (approve === 'auto' && !node)
    throw new ExactPermitTronConfigError(
      'node',
      "approve: 'auto' needs a node ({ fullHost }) to send the approve",
    );
  return {
    scheme: 'exact_permit',
    async createPaymentPayload(requirements, ctx) {
      if (approve === 'auto' && node) await ensureAllowance(node, signer, requirements, options);
      const payload = await signExactPermitTron(signer, requirements, ctx.extensions, {
        ...(options.paymentPermitAddress ? { paymentPermitAddress: options.paymentPermitAddress } : {}),
      });
      return { payload: { signature: payload.signature, paymentPermit: payload.paymentPermit } };
    },
  };
}

/**
 * Builds and signs the permit for `requirements` under the 402's `extensions`: meta copied from
 * `paymentPermitContext`, buyer = signer, caller/feeTo/feeAmount from `extra.fee`, payment =
 * { asset, amount, payTo }; addresses Base58. Throws {@link X402Error} when the offer cannot be paid.
 *
 * @throws {X402Error} `invalid_exact_permit_missing_context`, `invalid_exact_permit_missing_fee`,
 *   `invalid_exact_permit_tron_address_checksum`, `invalid_network`, `invalid_payment_requirements`.
 * @example
 * const { signature, paymentPermit } = await signExactPermitTron(key, accepted, paymentRequired.extensions);
 */
export async function signExactPermitTron(
  signer: string | ExactPermitTronSigner,
  requirements: PaymentRequirements,
  extensions: Record<string, unknown> | undefined,
  options: SignExactPermitTronOptions = {},
): Promise<{ signature: Hex; paymentPermit: PaymentPermitWire }> {
  const account = toSigner(signer);
  const network = parseTronNetwork(requirements.network);
  if (!network)
    throw new X402Error(
      Reasons.invalidNetwork,
      `exact_permit: "${requirements.network}" is not a TRON network`,
    );
  const contract =
    options.paymentPermitAddress?.[requirements.network] ??
    options.paymentPermitAddress?.[network.network] ??
    PAYMENT_PERMIT_TRON_ADDRESSES[network.network];
  const { meta } = readPaymentPermitContext(extensions);
  const fee = readFee(requirements.extra?.fee);
  // the context's meta is read fresh per payment, with exactly the wire's fields in the wire's order
  let wire: PaymentPermitWire = {
    meta,
    buyer: base58(account.address, 'signer.address'),
    caller: fee.caller,
    payment: {
      payToken: base58(requirements.asset, 'requirements.asset'),
      payAmount: requirements.amount,
      payTo: base58(requirements.payTo, 'requirements.payTo'),
    },
    fee: { feeTo: fee.feeTo, feeAmount: fee.feeAmount },
  };
  if (options.editPermit) wire = options.editPermit(wire);
  let typed: PaymentPermitTip712TypedData;
  try {
    typed = buildPaymentPermitTip712({
      network: options.signingNetwork ?? network.network,
      permit: wire,
      verifyingContract: contract,
    });
  } catch (error) {
    throw new X402Error(
      Reasons.invalidPaymentRequirements,
      `exact_permit: cannot build the permit: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const raw = await account.signTypedData(typed);
  const signature: Hex = `0x${raw.replace(/^0[xX]/, '').toLowerCase()}`;
  return { signature, paymentPermit: wire };
}

async function ensureAllowance(
  node: TronNodeClient,
  signer: ExactPermitTronSigner,
  requirements: PaymentRequirements,
  options: ExactPermitTronClientOptions,
): Promise<void> {
  const network = parseTronNetwork(requirements.network);
  const contract =
    options.paymentPermitAddress?.[requirements.network] ??
    (network ? options.paymentPermitAddress?.[network.network] : undefined);
  const approval = await prepareExactPermitTronApproval({
    node,
    owner: signer.address,
    requirements,
    ...(contract ? { paymentPermitAddress: contract } : {}),
    amount: options.approveAmount ?? 'unlimited',
  });
  if (!approval) return;
  if (!signer.signTransactionId) {
    throw new X402Error(
      ExactPermitTronReasons.approvalRequired,
      `the allowance of ${approval.owner} to PaymentPermit is ${approval.allowance}, below ${approval.required}, and the signer cannot sign transactions: approve it first`,
    );
  }
  const { txid } = await sendExactPermitTronApproval({
    node,
    approval,
    signTransactionId: (id) =>
      signer.signTransactionId?.(id) ?? Promise.reject(new X402Error(Reasons.internalError, 'no signer')),
  });
  options.onApproval?.(txid);
}

function toSigner(signer: string | ExactPermitTronSigner): ExactPermitTronSigner {
  if (typeof signer !== 'string') {
    if (!isTronAddress(signer?.address) || typeof signer.signTypedData !== 'function')
      throw new ExactPermitTronConfigError('signer', 'give a private key or { address, signTypedData }');
    return signer;
  }
  const key = signer.replace(/^0[xX]/, '');
  if (!/^[0-9a-fA-F]{64}$/.test(key))
    throw new ExactPermitTronConfigError('signer', 'the private key must be 32 bytes as hex (0x optional)');
  const account = privateKeyToAccount(`0x${key}`);
  return {
    address: toTronAddress(account.address),
    signTypedData: (typed) => account.signTypedData(typed),
    signTransactionId: (txId) => signTronTransactionId(txId, key),
  };
}

function base58(value: string, path: string): string {
  const field = readTronAddressField(value, path);
  if (!field.ok) throw new X402Error(field.reason, `exact_permit: ${field.message}`);
  return field.base58;
}

function readFee(value: unknown): { caller: string; feeTo: string; feeAmount: string } {
  const fee = readOfferFee(value, isNonEmptyString, 'caller and feeTo');
  return {
    caller: base58(fee.caller, 'requirements.extra.fee.caller'),
    feeTo: base58(fee.feeTo, 'requirements.extra.fee.feeTo'),
    feeAmount: fee.feeAmount,
  };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
