/**
 * The token authorization of a `deposit`: the ERC-3009 `ReceiveWithAuthorization` to the ERC-3009
 * collector (nonce `keccak256(abi.encode(channelId, salt))`, inside its validity window) or the Permit2
 * witness transfer to the Permit2 collector (payer, spender, token, amount, witness, deadline, signature),
 * and the `(collector, collectorData)` the escrow's `deposit` pulls it with.
 */
import type { PaymentRequirements } from '@x402kit/core';
import {
  type Address,
  encodeAbiParameters,
  type Hex,
  isAddressEqual,
  type PublicClient,
  parseErc6492Signature,
} from 'viem';
import { erc3009DepositTypedData, permit2DepositTypedData } from './client-payload.js';
import { ERC3009_DEPOSIT_COLLECTOR_ADDRESS, PERMIT2_DEPOSIT_COLLECTOR_ADDRESS } from './constants.js';
import { type CheckFailure, isSignedBy } from './facilitator-check-channel.js';
import type { DepositArgs } from './facilitator-read-channel-state.js';
import type { DepositPayload } from './payload.js';
import { BatchSettlementReasons } from './reasons.js';

/** Seconds of margin a deadline must keep beyond now (the transaction must still land). */
const DEADLINE_MARGIN = 6n;

/**
 * Check a deposit's token authorization (no chain state but signatures of contract wallets).
 *
 * @example
 * const failed = await checkDepositAuthorization(client, chainId, payload, requirements)
 */
export async function checkDepositAuthorization(
  client: Pick<PublicClient, 'verifyTypedData'>,
  chainId: number,
  payload: DepositPayload,
  requirements: PaymentRequirements,
): Promise<CheckFailure | undefined> {
  const { authorization } = payload.deposit;
  const method = requirements.extra?.assetTransferMethod;
  const now = BigInt(Math.floor(Date.now() / 1000));
  if ('permit2Authorization' in authorization) {
    if (method !== undefined && method !== 'permit2')
      return fail('erc3009AuthorizationRequired', `the offer takes ${String(method)} deposits, not permit2`);
    return checkPermit2(client, chainId, payload, authorization.permit2Authorization, now);
  }
  if (method === 'permit2')
    return fail(
      'permit2AuthorizationRequired',
      'the offer takes permit2 deposits: send permit2Authorization',
    );
  const auth = authorization.erc3009Authorization;
  const { name, version } = requirements.extra ?? {};
  if (typeof name !== 'string' || typeof version !== 'string')
    return fail('missingEip712Domain', "the offer's extra lacks the token's EIP-712 name and version");
  if (BigInt(auth.validBefore) < now + DEADLINE_MARGIN)
    return fail('validBefore', `validBefore ${auth.validBefore} has passed (now ${now})`);
  if (BigInt(auth.validAfter) > now)
    return fail('validAfter', `validAfter ${auth.validAfter} is in the future (now ${now})`);
  const payer = payload.channelConfig.payer;
  const typedData = erc3009DepositTypedData(
    {
      chainId,
      channelId: payload.voucher.channelId,
      token: payload.channelConfig.token,
      amount: BigInt(payload.deposit.amount),
      tokenDomain: { name, version },
      payer,
    },
    auth,
  );
  const signed = await isSignedBy(client, payer, typedData, auth.signature);
  if (signed) return undefined;
  return fail(
    'receiveAuthorizationSignature',
    `the ReceiveWithAuthorization is not signed by the payer ${payer}`,
  );
}

type Permit2Auth = Extract<
  DepositPayload['deposit']['authorization'],
  { permit2Authorization: unknown }
>['permit2Authorization'];

async function checkPermit2(
  client: Pick<PublicClient, 'verifyTypedData'>,
  chainId: number,
  payload: DepositPayload,
  auth: Permit2Auth,
  now: bigint,
): Promise<CheckFailure | undefined> {
  const payer = payload.channelConfig.payer;
  if (!isAddressEqual(auth.from, payer))
    return fail(
      'permit2InvalidSignature',
      `permit2Authorization.from ${auth.from} is not the payer ${payer}`,
    );
  if (!isAddressEqual(auth.spender, PERMIT2_DEPOSIT_COLLECTOR_ADDRESS))
    return fail(
      'permit2InvalidSpender',
      `the spender must be the Permit2 collector ${PERMIT2_DEPOSIT_COLLECTOR_ADDRESS}`,
    );
  if (!isAddressEqual(auth.permitted.token, payload.channelConfig.token))
    return fail('tokenMismatch', `the permitted token ${auth.permitted.token} is not the channel's`);
  if (BigInt(auth.permitted.amount) !== BigInt(payload.deposit.amount))
    return fail(
      'permit2AmountMismatch',
      `permitted ${auth.permitted.amount}, deposit ${payload.deposit.amount}`,
    );
  if (auth.witness.channelId !== payload.voucher.channelId)
    return fail('channelIdMismatch', `the witness names channel ${auth.witness.channelId}`);
  if (BigInt(auth.deadline) < now + DEADLINE_MARGIN)
    return fail('permit2DeadlineExpired', `deadline ${auth.deadline} has passed (now ${now})`);
  const signed = await isSignedBy(client, payer, permit2DepositTypedData(chainId, auth), auth.signature);
  return signed
    ? undefined
    : fail('permit2InvalidSignature', `the Permit2 transfer is not signed by ${payer}`);
}

/**
 * The collector that pulls the deposit and its `collectorData` (an ERC-6492 wrapper removed).
 *
 * @example
 * const { collector, collectorData } = depositCollectorCall(payload)
 */
export function depositCollectorCall(payload: DepositPayload): { collector: Address; collectorData: Hex } {
  const { authorization } = payload.deposit;
  if ('permit2Authorization' in authorization) {
    const auth = authorization.permit2Authorization;
    return {
      collector: PERMIT2_DEPOSIT_COLLECTOR_ADDRESS,
      collectorData: encodeAbiParameters(
        [{ type: 'uint256' }, { type: 'uint256' }, { type: 'bytes' }, { type: 'bytes' }],
        [BigInt(auth.nonce), BigInt(auth.deadline), parseErc6492Signature(auth.signature).signature, '0x'],
      ),
    };
  }
  const auth = authorization.erc3009Authorization;
  return {
    collector: ERC3009_DEPOSIT_COLLECTOR_ADDRESS,
    collectorData: encodeAbiParameters(
      [{ type: 'uint256' }, { type: 'uint256' }, { type: 'uint256' }, { type: 'bytes' }],
      [
        BigInt(auth.validAfter),
        BigInt(auth.validBefore),
        BigInt(auth.salt),
        parseErc6492Signature(auth.signature).signature,
      ],
    ),
  };
}

/**
 * The escrow `deposit` arguments of a deposit payload: config, amount, collector and its data.
 *
 * @example
 * const data = encodeFunctionData({ abi: batchSettlementAbi, functionName: 'deposit', args: depositArgs(payload) })
 */
export function depositArgs(payload: DepositPayload): DepositArgs {
  const { collector, collectorData } = depositCollectorCall(payload);
  return [payload.channelConfig, BigInt(payload.deposit.amount), collector, collectorData];
}

function fail(reason: keyof typeof BatchSettlementReasons, message: string): CheckFailure {
  return { reason: BatchSettlementReasons[reason], message };
}
