/**
 * A chainless `exact` facilitator scheme for the facilitator service's tests, and the Base Sepolia USDC offer
 * it is asked about: the service's routing, codecs, metrics and ledger hooks are real, the chain is not.
 */
import { findAsset, type PaymentRequirements, type SchemeFacilitator } from '@x402kit/core';

/** The signature {@link signatureScheme} accepts; any other is refused. */
export const GOOD_SIGNATURE = '0x01';
/** The payer a valid payment is credited to (anvil's second account). */
export const SIGNATURE_SCHEME_PAYER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

const BASE_SEPOLIA = 'eip155:84532';

/**
 * An `exact` offer of 1000 atomic USDC on Base Sepolia (the registry's asset and EIP-712 domain), paying anvil's
 * third account; `overrides` replace single fields.
 *
 * @example
 * ```ts
 * const requirements = baseSepoliaUsdcRequirements({ maxTimeoutSeconds: 60 });
 * ```
 */
export function baseSepoliaUsdcRequirements(
  overrides: Partial<PaymentRequirements> = {},
): PaymentRequirements {
  const usdc = findAsset(BASE_SEPOLIA, 'USDC');
  if (usdc?.eip712 === undefined) throw new Error(`the registry lost USDC on ${BASE_SEPOLIA}`);
  const { name, version } = usdc.eip712;
  const payTo = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
  return {
    scheme: 'exact',
    network: BASE_SEPOLIA,
    amount: '1000',
    asset: usdc.address,
    payTo,
    maxTimeoutSeconds: 300,
    extra: { name, version },
    ...overrides,
  };
}

/**
 * A scheme for `eip155:*` that verifies and settles a payload whose `signature` is {@link GOOD_SIGNATURE} and
 * refuses any other with `invalid_exact_evm_signature`, without a chain.
 *
 * @example
 * ```ts
 * const facilitator = createFacilitator({ schemes: [{ networks: 'eip155:84532', facilitator: signatureScheme() }] });
 * ```
 */
export function signatureScheme(): SchemeFacilitator {
  const good = (payload: Record<string, unknown>) => payload.signature === GOOD_SIGNATURE;
  return {
    scheme: 'exact',
    family: 'eip155:*',
    getSigners: () => ['0x90F79bf6EB2c4f870365E785982E1f101E93b906'],
    async verify(p) {
      if (good(p.payload)) return { isValid: true, payer: SIGNATURE_SCHEME_PAYER };
      return { isValid: false, invalidReason: 'invalid_exact_evm_signature' };
    },
    async settle(p, r) {
      if (good(p.payload)) return { success: true, transaction: `0x${'ab'.repeat(32)}`, network: r.network };
      return {
        success: false,
        errorReason: 'invalid_exact_evm_signature',
        transaction: '',
        network: r.network,
      };
    },
  };
}
