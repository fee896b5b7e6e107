/**
 * The scheme work per voucher of `bench/batch-settlement-bench.ts`: vouchers continuing a channel the
 * bench opened, signed beforehand, each verified and settled in-process by a stack's server (no HTTP),
 * and the signature recovery under that work timed alone.
 */
import { decodePaymentRequiredHeader, type PaymentPayload, type PaymentRequirements } from '@x402kit/core';
import type { Devnet } from '@x402kit/devnet';
import {
  batchSettlementDomain,
  type ChannelConfig,
  computeChannelId,
  voucherTypes,
} from '@x402kit/evm/batch-settlement';
import { getAddress, type Hex, recoverTypedDataAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { BatchStack } from './batch-settlement-stacks.js';

/** Vouchers signed ahead for one stack's channel, and the offer they pay. */
export type SignedVouchers = {
  stack: BatchStack;
  requirements: PaymentRequirements;
  payments: PaymentPayload[];
};

/**
 * Sign `count` vouchers continuing the channel (`salt`, charged so far) that `key` opened on `stack`,
 * against the offer its 402 makes now.
 *
 * @example const signed = await signVouchers(devnet, stack, key, { salt: 1, charged, price }, 500)
 */
export async function signVouchers(
  devnet: Devnet,
  stack: BatchStack,
  key: Hex,
  channel: { salt: number; charged: bigint; price: bigint },
  count: number,
): Promise<SignedVouchers> {
  const unpaid = await fetch(stack.url);
  await unpaid.arrayBuffer();
  const required = decodePaymentRequiredHeader(unpaid.headers.get('payment-required') ?? '');
  const requirements = (required.x402Version === 2 ? required.accepts[0] : undefined) as PaymentRequirements;
  const account = privateKeyToAccount(key);
  const extra = requirements.extra as { receiverAuthorizer: string; withdrawDelay: number };
  const config: ChannelConfig = {
    payer: account.address,
    payerAuthorizer: account.address,
    receiver: getAddress(requirements.payTo),
    receiverAuthorizer: getAddress(extra.receiverAuthorizer),
    token: getAddress(requirements.asset),
    withdrawDelay: extra.withdrawDelay,
    salt: `0x${channel.salt.toString(16).padStart(64, '0')}`,
  };
  const channelId = computeChannelId(config, devnet.chainId);
  const payments: PaymentPayload[] = [];
  for (let k = 1n; k <= BigInt(count); k++) {
    const max = channel.charged + k * channel.price;
    const signature = await account.signTypedData({
      domain: batchSettlementDomain(devnet.chainId),
      types: voucherTypes,
      primaryType: 'Voucher',
      message: { channelId, maxClaimableAmount: max },
    });
    const voucher = { channelId, maxClaimableAmount: max.toString(), signature };
    payments.push({
      x402Version: 2,
      accepted: requirements,
      payload: { type: 'voucher', channelConfig: config, voucher },
    });
  }
  return { stack, requirements, payments };
}

/**
 * Verify then settle `signed.payments[from..to)` in-process, one after the other, by the stack's server
 * (ours: its session with the memory store; the official: its `x402ResourceServer`, whose scheme hooks
 * do the work); the milliseconds of each. Throws when one is refused.
 *
 * @example times.push(...(await timeVouchers(signed, 0, 50)))
 */
export async function timeVouchers(signed: SignedVouchers, from: number, to: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = from; i < to; i++) {
    const payment = signed.payments[i] as PaymentPayload;
    const t0 = performance.now();
    const ok = await signed.stack.verifyAndSettle(payment, signed.requirements, `bench-work-${i}`);
    times.push(performance.now() - t0);
    if (!ok) throw new Error(`${signed.stack.name}: voucher ${i + 1} was refused in-process`);
  }
  return times;
}

/**
 * The floor under every stack's voucher check: recovering the signer of `signed`'s first `count`
 * vouchers (EIP-712, secp256k1 in JS through viem), each timed alone.
 *
 * @example const floor = await timeRecovery(signed, 200)
 */
export async function timeRecovery(signed: SignedVouchers, count: number): Promise<number[]> {
  const times: number[] = [];
  const chainId = Number(signed.requirements.network.split(':')[1]);
  for (const payment of signed.payments.slice(0, count)) {
    const { voucher } = payment.payload as {
      voucher: { channelId: Hex; maxClaimableAmount: string; signature: Hex };
    };
    const t0 = performance.now();
    await recoverTypedDataAddress({
      domain: batchSettlementDomain(chainId),
      types: voucherTypes,
      primaryType: 'Voucher',
      message: { channelId: voucher.channelId, maxClaimableAmount: BigInt(voucher.maxClaimableAmount) },
      signature: voucher.signature,
    });
    times.push(performance.now() - t0);
  }
  return times;
}
