/**
 * The facilitator side of `exact` on EVM (EIP-3009): verify with the reference's ordered checks and
 * reason strings, settle through locally-nonced relayers with fast receipt polling.
 */
import type { PaymentPayload, PaymentRequirements, SchemeFacilitator } from '@x402kit/core';
import { createSchemeLifetime } from '@x402kit/core/internal';
import type { Hex, LocalAccount } from 'viem';
import { addressKey } from '../address.js';
import { errorText } from '../error-text.js';
import {
  createPermit2SettleContext,
  type Permit2FacilitatorOptions,
} from '../permit2/facilitator-context.js';
import { isPermit2Payload, permit2PayerOf } from '../permit2/payload.js';
import { settlePermit2Payment } from '../permit2/settle.js';
import { verifyPermit2Payment } from '../permit2/verify.js';
import type { Erc6492FactoriesOption } from './erc6492-deployment.js';
import {
  createEvmNetworks,
  type EvmBatchingOptions,
  type EvmFacilitatorNetworkOptions,
  type EvmRpcOptions,
  gas,
  parseAllowedAssets,
  parseSigners,
  readReceiptWait,
} from './facilitator-options.js';
import { normalizeExactEvmPayload, payerOf } from './payload.js';
import { type ExactEvmSettleContext, settleExactEvmPayment } from './settle.js';
import { verifyExactEvmPayment } from './verify.js';

/** One network the `exact` EVM facilitator serves: its RPC endpoint(s). */
export type ExactEvmFacilitatorNetwork = EvmFacilitatorNetworkOptions;

/** Options of `createExactEvmFacilitator`. */
export type ExactEvmFacilitatorOptions = Permit2FacilitatorOptions &
  EvmRpcOptions & {
    /** Served networks by CAIP-2 id (`eip155:84532`; v1 names such as `base-sepolia` are accepted). */
    networks: Record<string, ExactEvmFacilitatorNetwork>;
    /** Keys that send settlements and pay gas: private keys or viem local accounts, used round-robin. */
    signers: ReadonlyArray<Hex | LocalAccount>;
    /** Simulate the transfer in `verify` (one `eth_call`); default true. */
    simulate?: boolean;
    /** `eth_call` the transfer right before sending it in `settle`, so doomed transfers cost no gas; default true. */
    preflight?: boolean;
    /**
     * Gas limit for `transferWithAuthorization(…, v, r, s)`; default 120 000 (FiatToken uses about
     * 60-90k; no estimate is made per settle).
     */
    gasLimit?: bigint;
    /** Gas limit for the `bytes` overload (ERC-1271 wallets run their own check); default 300 000. */
    bytesGasLimit?: bigint;
    /** Only these token addresses are accepted, per network; default any EIP-3009 token. */
    allowedAssets?: Record<string, readonly string[]>;
    /** Settle 65-byte signatures through the `bytes` overload as well; default false. */
    forceBytesSignature?: boolean;
    /**
     * ERC-6492 factories this facilitator may call, per network, to deploy a payer's counterfactual
     * wallet before settling (EIP-3009 and Permit2 payments). Default none: a wrapped signature of
     * an undeployed wallet is refused with `eip6492_factory_not_allowed` (advisory #2480: the
     * wrapper's call target must be an allowlisted factory, never an arbitrary address).
     *
     * @example { 'eip155:8453': ['0x0BA5ED0c6AA8c49038F819E587E2633c4A9F428a'] }
     */
    erc6492Factories?: Erc6492FactoriesOption;
    /**
     * Settle concurrent EIP-3009 payments together, one Multicall3 transaction per window, each
     * payment still answered on its own; default false. Turn it on for chains with a block time of
     * about 1 s or more; on automine chains it only adds the window to each settle.
     */
    batching?: EvmBatchingOptions | false;
    /** Replace (same nonce, fees +12.5 %) a settlement transaction still unmined after this long; 0 never. Default 15 000 ms. */
    stuckAfterMs?: number;
  };

/** What `createExactEvmFacilitator` returns. */
export type ExactEvmFacilitator = SchemeFacilitator & {
  /** The CAIP-2 ids served. */
  readonly networks: string[];
  /** Stop receipt waits (they answer `settlement_pending`) and refuse new work. */
  close(): void;
};

const DEFAULTS = {
  gasLimit: 120_000n,
  bytesGasLimit: 300_000n,
} as const;

/**
 * Create the `exact` EVM facilitator scheme, for `createFacilitator` from `@x402kit/core`.
 *
 * @example
 * const exact = createExactEvmFacilitator({
 *   networks: { 'eip155:84532': { rpcUrl: 'http://127.0.0.1:8545' } },
 *   signers: [facilitatorPrivateKey],
 * })
 * const facilitator = createFacilitator({ schemes: [{ networks: exact.networks, facilitator: exact }] })
 */
export function createExactEvmFacilitator(options: ExactEvmFacilitatorOptions): ExactEvmFacilitator {
  const accounts = parseSigners(options.signers);
  const networks = createEvmNetworks(options.networks, accounts, options);
  const permit2 = createPermit2SettleContext(networks, accounts, options);
  const ctx: ExactEvmSettleContext = {
    networkFor: (network) => networks.get(network),
    erc6492Factories: permit2.erc6492Factories,
    gasSponsorBudget: permit2.gasSponsorBudget,
    maxDeploymentGas: permit2.maxDeploymentGas,
    allowedAssets: parseAllowedAssets(options.allowedAssets),
    forceBytesSignature: options.forceBytesSignature ?? false,
    gasLimit: gas('gasLimit', options.gasLimit ?? DEFAULTS.gasLimit),
    bytesGasLimit: gas('bytesGasLimit', options.bytesGasLimit ?? DEFAULTS.bytesGasLimit),
    preflight: options.preflight ?? true,
    ...readReceiptWait(options),
  };
  const simulate = options.simulate ?? true;
  const addresses = accounts.map((a) => a.address);
  // concurrent settles of the same authorization share one transaction
  const lifetime = createSchemeLifetime(errorText);

  const guarded = lifetime.guard({
    payer: (payload) => payerOf(payload.payload) ?? permit2PayerOf(payload.payload),
    settlementKey,
    async verify(payload, requirements, { x402Version }) {
      if (isPermit2Payload(payload.payload)) {
        const sender = networks.get(requirements.network)?.relayers[0]?.address;
        const outcome = await verifyPermit2Payment(permit2, payload, requirements, {
          kind: 'exact',
          simulate,
          ...(sender ? { sender } : {}),
        });
        return outcome.response;
      }
      const { response } = await verifyExactEvmPayment(ctx, payload, requirements, { x402Version, simulate });
      return response;
    },
    settle(payload, requirements, { x402Version, signal, onBroadcast }) {
      const broadcast = onBroadcast ? { onBroadcast } : {};
      return isPermit2Payload(payload.payload)
        ? settlePermit2Payment(permit2, payload, requirements, { kind: 'exact', signal, ...broadcast })
        : settleExactEvmPayment(ctx, payload, requirements, { x402Version, signal, ...broadcast });
    },
  });

  return {
    scheme: 'exact',
    family: 'eip155:*',
    networks: [...networks.keys()],
    getSigners: () => [...addresses],
    verify: (payload, requirements, c) => guarded.verify(normalizeExactEvmPayload(payload), requirements, c),
    settle: (payload, requirements, c) => guarded.settle(normalizeExactEvmPayload(payload), requirements, c),
    close() {
      lifetime.close();
    },
  };
}

function settlementKey(payload: PaymentPayload, requirements: PaymentRequirements): string | undefined {
  const authorization = payload.payload.authorization ?? payload.payload.permit2Authorization;
  const payer = payerOf(payload.payload) ?? permit2PayerOf(payload.payload);
  if (!payer || typeof authorization !== 'object' || authorization === null) return undefined;
  const nonce: unknown = Reflect.get(authorization, 'nonce');
  if (typeof nonce !== 'string') return undefined;
  return [
    requirements.network,
    addressKey(requirements.asset),
    addressKey(requirements.payTo),
    requirements.amount,
    addressKey(payer),
    nonce.toLowerCase(),
  ].join('|');
}
