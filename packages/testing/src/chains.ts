/**
 * The chain modules a test facilitator deployment may serve (`parseServiceConfig(input, { chains: CHAINS })`):
 * the config turns on those it configures, as `x402kit facilitator` does.
 */
import { type FacilitatorCall, identifyChainPayment, type PaymentKey } from '@x402kit/core';
import { evmChain } from '@x402kit/evm/chain-module';
import { svmChain } from '@x402kit/svm/chain-module';
import { tronChain } from '@x402kit/tron/chain-module';

export const CHAINS = [evmChain, tronChain, svmChain];

/**
 * The ledger key of a payment on any of {@link CHAINS}, as a deployment's ledger hooks identify it.
 *
 * @example createLedgerHooks({ ledger, identify: identifyPayment, instanceId: 'fac-1' })
 */
export function identifyPayment(call: FacilitatorCall): PaymentKey | undefined {
  return identifyChainPayment(CHAINS, call);
}
