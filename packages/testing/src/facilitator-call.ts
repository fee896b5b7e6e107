/**
 * A {@link FacilitatorCall} built from a scheme, a network and a payload alone, for tests of what
 * reads only the call's requirements and payload (a chain module's `identify`): its scheme object
 * refuses to verify or settle.
 */
import type { FacilitatorCall, PaymentRequirements, SchemeFacilitator } from '@x402kit/core';

/** The `payTo` and default `asset` of {@link facilitatorCall}: an EVM address and Base Sepolia's USDC. */
export const CALL_PAY_TO = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
export const CALL_ASSET = '0x036CbD53842c5426634e7929541eC2318f3dCF7e';

/**
 * The call of a v2 payment of 1000 units of `asset` under `scheme` on `network`, with `payload` as
 * the payment's scheme payload.
 *
 * @example identifyTronPayment(facilitatorCall('exact_permit', 'tron:nile', payload, USDT))
 */
export function facilitatorCall(
  scheme: string,
  network: string,
  payload: Record<string, unknown>,
  asset = CALL_ASSET,
): FacilitatorCall {
  const requirements: PaymentRequirements = {
    scheme,
    network,
    amount: '1000',
    asset,
    payTo: CALL_PAY_TO,
    maxTimeoutSeconds: 60,
    extra: {},
  };
  const refuse = async () => {
    throw new Error('not called');
  };
  const facilitator: SchemeFacilitator = {
    scheme,
    family: `${network.split(':')[0]}:*`,
    getSigners: () => [],
    verify: refuse,
    settle: refuse,
  };
  return {
    x402Version: 2,
    scheme: facilitator,
    requirements,
    payload: { x402Version: 2, accepted: requirements, payload },
  };
}

/**
 * A BofAI PaymentPermit payload (its signature a placeholder) of `buyer` at `nonce`, paying 1000
 * units of `payToken` to the buyer itself: the shape `exact_permit` and GasFree's G1 wire carry.
 *
 * @example facilitatorCall('exact_permit', 'tron:nile', paymentPermitPayload(buyer, '123', usdt), usdt)
 */
export function paymentPermitPayload(buyer: string, nonce: string | number, payToken: string) {
  return {
    signature: '0x00',
    paymentPermit: {
      meta: { kind: 'PAYMENT_ONLY', paymentId: '0x00', nonce, validAfter: 0, validBefore: 1 },
      buyer,
      caller: buyer,
      payment: { payToken, payAmount: '1000', payTo: buyer },
      fee: { feeTo: buyer, feeAmount: '0' },
    },
  };
}
