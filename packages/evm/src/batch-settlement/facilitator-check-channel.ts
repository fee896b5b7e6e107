/**
 * The checks every client payload (`deposit`, `voucher`, `refund`) passes before any chain read: the
 * spec's verification rules 1-6. The channel config must hash to the voucher's channel id on this
 * chain and match the offer (token, receiver, receiver authorizer, withdrawal delay in range), and the
 * voucher must be signed by the payer authorizer (ECDSA, no RPC) or, when that is zero, by the payer
 * (ERC-1271 / ERC-6492 through the node).
 */
import type { PaymentRequirements } from '@x402kit/core';
import {
  type Address,
  type Hex,
  isAddressEqual,
  type PublicClient,
  recoverTypedDataAddress,
  type TypedDataDefinition,
  zeroAddress,
} from 'viem';
import { isEvmAddress } from '../address.js';
import { batchSettlementDomain, type ChannelConfig, computeChannelId } from './channel.js';
import { MAX_WITHDRAW_DELAY, MIN_WITHDRAW_DELAY, voucherTypes } from './constants.js';
import { BatchSettlementReasons } from './reasons.js';

/** A failed check: its reason code and what was wrong. */
export type CheckFailure = { reason: string; message: string };

/** The signed voucher of a client payload. */
type SignedVoucher = { channelId: Hex; maxClaimableAmount: string; signature: Hex };

/**
 * Rules 1-6 of the spec for `config` and `voucher` against `requirements`; `undefined` when all hold.
 *
 * @example
 * const failed = await checkChannel(client, chainId, payload.channelConfig, payload.voucher, requirements)
 * if (failed) return verifyRefusal(failed.reason, failed.message, payer)
 */
export async function checkChannel(
  client: Pick<PublicClient, 'verifyTypedData'>,
  chainId: number,
  config: ChannelConfig,
  voucher: SignedVoucher,
  requirements: PaymentRequirements,
): Promise<CheckFailure | undefined> {
  const failed = checkConfig(chainId, config, voucher.channelId, requirements);
  if (failed) return failed;
  const signer = isAddressEqual(config.payerAuthorizer, zeroAddress) ? config.payer : config.payerAuthorizer;
  const typedData: TypedDataDefinition<typeof voucherTypes, 'Voucher'> = {
    domain: batchSettlementDomain(chainId),
    types: voucherTypes,
    primaryType: 'Voucher',
    message: { channelId: voucher.channelId, maxClaimableAmount: BigInt(voucher.maxClaimableAmount) },
  };
  const ecdsaOnly = signer === config.payerAuthorizer;
  if (await isSignedBy(client, signer, typedData, voucher.signature, ecdsaOnly)) return undefined;
  return {
    reason: BatchSettlementReasons.voucherSignature,
    message: `the voucher of ${voucher.maxClaimableAmount} is not signed by ${ecdsaOnly ? 'the payer authorizer' : 'the payer'} ${signer}`,
  };
}

function checkConfig(
  chainId: number,
  config: ChannelConfig,
  channelId: Hex,
  requirements: PaymentRequirements,
): CheckFailure | undefined {
  const computed = computeChannelId(config, chainId);
  if (computed !== channelId.toLowerCase()) {
    return {
      reason: BatchSettlementReasons.channelIdMismatch,
      message: `channelConfig hashes to ${computed} on chain ${chainId}, not ${channelId}`,
    };
  }
  const extra = requirements.extra ?? {};
  const authorizer = extra.receiverAuthorizer;
  const checks: Array<[boolean, string, string]> = [
    [
      isEvmAddress(requirements.asset) && isAddressEqual(config.token, requirements.asset as Address),
      BatchSettlementReasons.tokenMismatch,
      `channel token ${config.token} is not the offer's asset ${requirements.asset}`,
    ],
    [
      isEvmAddress(requirements.payTo) && isAddressEqual(config.receiver, requirements.payTo as Address),
      BatchSettlementReasons.receiverMismatch,
      `channel receiver ${config.receiver} is not the offer's payTo ${requirements.payTo}`,
    ],
    [
      typeof authorizer === 'string' &&
        isEvmAddress(authorizer) &&
        !isAddressEqual(authorizer as Address, zeroAddress) &&
        isAddressEqual(config.receiverAuthorizer, authorizer as Address),
      BatchSettlementReasons.receiverAuthorizerMismatch,
      `channel receiverAuthorizer ${config.receiverAuthorizer} is not the offer's extra.receiverAuthorizer ${String(authorizer)}`,
    ],
    [
      extra.withdrawDelay === undefined || Number(extra.withdrawDelay) === config.withdrawDelay,
      BatchSettlementReasons.withdrawDelayMismatch,
      `channel withdrawDelay ${config.withdrawDelay} is not the offer's extra.withdrawDelay ${String(extra.withdrawDelay)}`,
    ],
    [
      config.withdrawDelay >= MIN_WITHDRAW_DELAY && config.withdrawDelay <= MAX_WITHDRAW_DELAY,
      BatchSettlementReasons.withdrawDelayOutOfRange,
      `withdrawDelay ${config.withdrawDelay} is outside ${MIN_WITHDRAW_DELAY}-${MAX_WITHDRAW_DELAY} seconds`,
    ],
  ];
  const broken = checks.find(([ok]) => !ok);
  return broken ? { reason: broken[1], message: broken[2] } : undefined;
}

/**
 * Does `signature` sign `typedData` for `signer`? A 65-byte signature is recovered locally first;
 * unless `ecdsaOnly`, anything else (or a mismatch) is asked of the node (ERC-1271, ERC-6492).
 *
 * @example
 * if (!(await isSignedBy(client, payer, typedData, signature))) return refuse('bad signature')
 */
export async function isSignedBy(
  client: Pick<PublicClient, 'verifyTypedData'>,
  signer: Address,
  typedData: TypedDataDefinition,
  signature: Hex,
  ecdsaOnly = false,
): Promise<boolean> {
  if (signature.length === 132) {
    try {
      const recovered = await recoverTypedDataAddress({ ...typedData, signature } as never);
      if (isAddressEqual(recovered, signer)) return true;
    } catch {
      // malformed: the node may still judge it (a wallet's own format)
    }
  }
  if (ecdsaOnly) return false;
  try {
    return await client.verifyTypedData({ ...typedData, address: signer, signature } as never);
  } catch {
    return false;
  }
}
