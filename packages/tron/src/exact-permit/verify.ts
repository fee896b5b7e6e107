/**
 * Verification of a TRON `exact_permit` payment: everything BofAI's facilitator checks (amount, payTo,
 * token, feeTo, fee, window, TIP-712 signature over the canonical chain id) plus what it leaves to the
 * contract (kind, caller, nonce, allowance, balance), so a payment that verifies is one that settles.
 * Network ids may come in any form (`tron:nile`, `tron:0xcd8690dc`, `tron:3448148188`).
 */
import {
  buildPaymentPermitDomain,
  EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS,
  type PermitVerifyChain,
  type PermitVerifyContext,
  type PermitVerifyOptions,
  type PermitVerifyOutcome,
  permitPaymentVerifier,
  type VerifiedPermit,
} from '@x402kit/payment-permit';
import { decodeAbiParameters, encodeAbiParameters } from 'viem';
import { toEvmHex, toTronAddress, tronAddressBody, tronAddresses } from '../address.js';
import { parseTronNetwork, type TronNetwork, type TronNetworkName } from '../networks.js';
import type { TronNodeClient } from '../node-client.js';
import { TronNodeError } from '../node-error.js';
import { TronReasons } from '../reasons.js';
import { readTrc20Allowance, readTrc20Balance } from '../trc20-reads.js';
import { readExactPermitTronPayload, readTronAddressField } from './permit-wire.js';

export { EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS };

/**
 * One served TRON network: its node and its PaymentPermit (Base58).
 *
 * @example
 * const served: ExactPermitTronNetwork = { network: parseTronNetwork('tron:nile')!, node, contract: 'TFxDc…' };
 */
export type ExactPermitTronNetwork = { network: TronNetwork; node: TronNodeClient; contract: string };

/**
 * What verification needs from the facilitator. Callers are lowercase 20-byte `0x` bodies, allowed
 * tokens Base58, and fees and allowed tokens are keyed by the canonical network name.
 *
 * @example
 * const ctx: ExactPermitTronVerifyContext = { networkFor, fees, callers: new Set([body]), allowedAssets: undefined, validBeforeMarginSeconds: 6 };
 */
export type ExactPermitTronVerifyContext = PermitVerifyContext<ExactPermitTronNetwork, TronNetworkName>;

/**
 * A payment that passed verification (`permit` addresses are 20-byte `0x`; `payer` is Base58).
 *
 * @example
 * const { permit, signature, payer } = outcome.verified!;
 */
export type VerifiedExactPermitTron = VerifiedPermit<ExactPermitTronNetwork>;

/**
 * Outcome of {@link verifyExactPermitTronPayment}.
 *
 * @example
 * const { response, verified }: ExactPermitTronVerifyOutcome = await verifyExactPermitTronPayment(ctx, payload, requirements);
 */
export type ExactPermitTronVerifyOutcome = PermitVerifyOutcome<ExactPermitTronNetwork>;

/**
 * Options of {@link verifyExactPermitTronPayment}. `onChain` reads nonce, allowance and balance
 * through the node (default true); `now` is in Unix seconds (default now).
 *
 * @example
 * const options: ExactPermitTronVerifyOptions = { onChain: false, now: 1700000000 };
 */
export type ExactPermitTronVerifyOptions = PermitVerifyOptions;

/**
 * Verifies `payload` against `requirements`. Never throws for bad input; node failures throw (the
 * facilitator turns them into `unexpected_verify_error`).
 *
 * @example
 * const { response } = await verifyExactPermitTronPayment(ctx, payload, requirements);
 * response.isValid; // true
 */
export const verifyExactPermitTronPayment = permitPaymentVerifier(tronPermitChain);

/**
 * The TRON side of `exact_permit` verification: network ids in any form, Base58 addresses, the
 * TIP-712 domain over the canonical chain id, reads through the node.
 */
function tronPermitChain(ctx: ExactPermitTronVerifyContext): PermitVerifyChain<ExactPermitTronNetwork> {
  // the network name `offer` gives back is the served network's canonical name
  const name = (network: string) => network as TronNetworkName;
  return {
    networkFor: (network) => ctx.networkFor(network),
    sameNetwork: (served, accepted) => parseTronNetwork(accepted) === served.network,
    readPayload: readExactPermitTronPayload,
    addresses: tronAddresses,
    offer: (requirements, served) => {
      const payTo = readTronAddressField(requirements.payTo, 'paymentRequirements.payTo');
      if (!payTo.ok) return payTo;
      const asset = readTronAddressField(requirements.asset, 'paymentRequirements.asset');
      if (!asset.ok) return asset;
      return { ok: true, network: served.network.network, payTo: payTo.base58, asset: asset.base58 };
    },
    isCaller: (caller) => ctx.callers.has(tronAddressBody(caller)),
    tokenAllowed: (network, token) =>
      ctx.allowedAssets?.get(name(network))?.has(toTronAddress(token)) ?? true,
    fee: (network, token) => ctx.fees(name(network), toTronAddress(token)),
    validBeforeMarginSeconds: ctx.validBeforeMarginSeconds,
    domain: (served) => buildPaymentPermitDomain(served.network.chainId, toEvmHex(served.contract)),
    signerHint: ' (signed for another network or contract?)',
    readFunds: async ({ node, contract }, permit, payer) => {
      const token = toTronAddress(permit.payment.payToken);
      const [nonceUsed, allowance, balance] = await Promise.all([
        readNonceUsed(node, contract, permit.buyer, permit.meta.nonce),
        readTrc20Allowance(node, { token, owner: payer, spender: contract }),
        readTrc20Balance(node, { token, owner: payer }),
      ]);
      return { nonceUsed, allowance, balance };
    },
    contractName: ({ contract }) => contract,
  };
}

/**
 * PaymentPermit's `nonceUsed(owner, nonce)` through `/wallet/triggerconstantcontract`.
 *
 * @throws {TronNodeError} when the call reverts or returns no bool.
 * @example
 * await readNonceUsed(node, 'TFxDcGvS7zfQrS1YzcCMp673ta2NHHzsiH', 'TE2H…', 123n); // false
 */
export async function readNonceUsed(
  node: TronNodeClient,
  contract: string,
  owner: string,
  nonce: bigint,
): Promise<boolean> {
  const parameter = encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [toEvmHex(owner), nonce]);
  const result = await node.triggerConstantContract({
    contract,
    owner,
    functionSelector: 'nonceUsed(address,uint256)',
    parameter,
  });
  const data = result.constantResult[0];
  if (result.reverted || data === undefined || data.length < 66) {
    throw new TronNodeError(
      TronReasons.nodeContractFailed,
      `nonceUsed on ${contract} ${result.reverted ? 'reverted' : 'returned nothing'}: is it PaymentPermit?`,
      { path: '/wallet/triggerconstantcontract' },
    );
  }
  return decodeAbiParameters([{ type: 'bool' }], `0x${data.slice(2, 66)}`)[0];
}
