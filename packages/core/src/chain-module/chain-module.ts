/**
 * The contract between a chain package and the facilitator service. A chain package (`@x402kit/evm`,
 * `@x402kit/tron`, `@x402kit/svm`) exports one {@link ChainModule}; the service only iterates the
 * modules it was given: it builds its configuration schema from their sections, starts the ones
 * configured, registers their schemes in one engine, and asks them to identify payments for the
 * ledger, reconcile pending settlements, probe their nodes and read their relayers' balances.
 * Adding a chain is writing one module; neither the service nor the HTTP layer changes.
 */
import type { z } from 'zod';
import type { FacilitatorCall, FacilitatorRegistration } from '../facilitator.js';
import type { Log, LogEvent, LogLevel } from '../log.js';
import type { PaymentKey } from './payment-key.js';
import type { Reconcile } from './settlement-answer.js';
import type { SponsorBudget, SponsorLimits } from './sponsor-budget.js';

/** Severity of a {@link ChainLogEvent}: core's {@link LogLevel}. */
export type ChainLogLevel = LogLevel;

/** One event a module tells the operator: core's {@link LogEvent}, as the service logs it. */
export type ChainLogEvent = LogEvent;

/** Where a module's events go: core's {@link Log}. Must not throw. */
export type ChainLog = Log;

/** One offer of `POST /fee/quote`. */
export type FeeQuoteOffer = { scheme: string; network: string; asset: string };

/** What a scheme charges on top of an offer (BofAI's `exact_permit` / `exact_gasfree` fee). */
export type FeeQuote = { feeTo: string; feeAmount: string; caller?: string };

/** Prices one offer, or `undefined` when this module does not serve it. */
export type QuoteFee = (offer: FeeQuoteOffer) => FeeQuote | undefined;

/** One settlement sender's native balance on one network. */
export type RelayerReading = {
  network: string;
  address: string;
  /** In the chain's smallest unit ({@link ChainModule.balanceUnit}): wei, SUN, lamports. */
  balance: bigint;
  /** Sent but not yet final (EVM: `pending` minus `latest` transaction count); 0 where the chain has no such lag. */
  nonceLag: number;
};

/**
 * One figure a module reports to the deployment's metrics (`GET /metrics`): a counter's increment or
 * a histogram's sample. A name keeps one kind, help text and set of label names.
 *
 * @example
 * context.record?.({ kind: 'counter', name: 'x402kit_batch_settlement_claims_total', help: 'Claims.', labels: { network, outcome: 'settled' } })
 */
export type ChainMetricSample = {
  kind: 'counter' | 'histogram';
  name: string;
  help: string;
  labels: Record<string, string>;
  /** A counter's increment (default 1) or the histogram's observed value. */
  value?: number;
  /** A histogram's bucket bounds (the first sample of a name sets them). */
  buckets?: readonly number[];
};

/** What the deployment shares with a module when it starts it. */
export type ChainStartContext<Sections> = {
  /** The parsed values of the module's own sections (absent ones are `undefined`). */
  sections: Partial<Sections>;
  /** `signers.privateKeys`: the deployment's secp256k1 keys (`0x` hex), shared by the chains that use them. */
  privateKeys: readonly `0x${string}`[];
  /** The deployment's settlement clocks and its gas cap (`limits.maxGasPerSettlement`). */
  settlement: { receiptTimeoutMs?: number; rpcTimeoutMs?: number; maxGasPerSettlement?: number };
  /**
   * Open the budget of fees spent on payers' behalf (approval top-ups, wallet deployments) in the
   * deployment's database, so every instance draws on one budget. The service closes it.
   */
  openSponsorBudget(limits: SponsorLimits): Promise<SponsorBudget>;
  log: ChainLog;
  /** Report a figure to the deployment's metrics (absent or a no-op when metrics are off). Must not throw. */
  record?(sample: ChainMetricSample): void;
};

/** A started module: what it serves and how the service asks it about its chain. */
export type ChainRuntime = {
  /** The schemes it serves, registered in the service's one engine (behind the one ledger). */
  registrations: FacilitatorRegistration[];
  /** Extension keys it honours, advertised in `/supported`. */
  extensions?: string[];
  /** Its `/fee/quote` answers. */
  quoteFee?: QuoteFee;
  /** The addresses it sends settlements from, leased so that one live instance sends from each. */
  settlementAddresses: readonly string[];
  /**
   * True when any number of instances may send from the same settlement addresses at once, so they
   * are not leased: Solana's fee payers keep no account nonce (a transaction's id is its signature,
   * and the ledger sends each payment once), and every instance behind one URL must hold every fee
   * payer it advertises, since a payment names one. Default false: one live instance per address.
   */
  sharedSettlementAddresses?: boolean;
  /** Finish a settlement whose outcome the ledger does not know (see {@link Reconcile}). */
  reconcile?: Reconcile;
  /** Ask every configured node whether it answers, per network: `'ok'` or `'error: …'`. Never throws. */
  probe(timeoutMs: number): Promise<Record<string, string>>;
  /** The settlement senders' balances per network (a network that fails is logged and skipped). */
  readBalances(timeoutMs: number): Promise<RelayerReading[]>;
  /** Load what must be loaded before serving (provider lists ...). */
  ready?(): Promise<void>;
  /** Stop receipt waits and timers (after the HTTP server drained). */
  close(): void;
};

/**
 * A chain, as the facilitator service sees it.
 *
 * @example
 * const config = await loadServiceConfig({ file: 'facilitator.yaml', env: process.env, chains: [evmChain, tronChain, svmChain] })
 * const app = await createFacilitatorApp(config)
 */
export type ChainModule<Sections extends Record<string, unknown> = Record<string, unknown>> = {
  /** `evm`, `tron`, `solana`: the key-lease family of its settlement addresses and its log label. */
  readonly family: string;
  /** The top-level config sections it owns (`networks` and `evm` for EVM, `tron`, `solana`), with their schemas. */
  readonly sections: { readonly [K in keyof Sections]: z.ZodType<Sections[K], unknown> };
  /** Its native balance unit, capitalized: `monitoring.lowBalance<Unit>` is its low-balance threshold. */
  readonly balanceUnit: string;
  /** Whether its sections configure anything to serve (a deployment must configure at least one chain). */
  configured(sections: Partial<Sections>): boolean;
  /** Its environment variables, as overrides in the file's shape (`RPC_URL_84532`, `SOLANA_FEE_PAYER_KEYS` ...). */
  envOverrides?(env: Readonly<Record<string, string | undefined>>): Record<string, unknown>;
  /** Defaults from the environment that depend on the merged file (API keys of the nodes it names ...). */
  envDefaults?(
    config: Record<string, unknown>,
    env: Readonly<Record<string, string | undefined>>,
  ): Record<string, unknown>;
  /** Whether it needs `signers.privateKeys` once configured (chains with their own keys do not). */
  readonly needsPrivateKeys: boolean;
  /** The ledger identity of a payment of one of its schemes, or `undefined` when not its own. */
  identify(call: FacilitatorCall): PaymentKey | undefined;
  /**
   * The one comparable form of an address of this chain (for payTo/asset allowlists and ledger
   * queries), or `undefined` when `address` is not one of its addresses.
   */
  addressKey(address: string): string | undefined;
  /**
   * The form this chain's addresses take in ledger keys (what {@link identify} writes as payer and
   * asset), for `/payments?payer=` queries; `undefined` when `address` is not one of its addresses.
   */
  ledgerAddress(address: string): string | undefined;
  start(context: ChainStartContext<Sections>): Promise<ChainRuntime>;
};

/**
 * The key of `address` in the first module that knows it, or `undefined`.
 *
 * @example chainAddressKey(modules, 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t') // 'tron:a614f803…'
 */
export function chainAddressKey(modules: readonly ChainModule[], address: string): string | undefined {
  return firstAnswer(modules, (module) => module.addressKey(address));
}

/**
 * The ledger's form of `address` in the first module that knows it, or `undefined` (for
 * `/payments?payer=` queries).
 *
 * @example chainLedgerAddress(modules, 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t') // '0xa614f803…'
 */
export function chainLedgerAddress(modules: readonly ChainModule[], address: string): string | undefined {
  return firstAnswer(modules, (module) => module.ledgerAddress(address));
}

/**
 * The first module's identity of a payment, or `undefined` when none knows it.
 *
 * @example createLedgerHooks({ ledger, identify: (call) => identifyChainPayment(modules, call), instanceId })
 */
export function identifyChainPayment(
  modules: readonly ChainModule[],
  call: FacilitatorCall,
): PaymentKey | undefined {
  return firstAnswer(modules, (module) => module.identify(call));
}

/** The first module's answer that is not `undefined`. */
function firstAnswer<T>(
  modules: readonly ChainModule[],
  ask: (module: ChainModule) => T | undefined,
): T | undefined {
  for (const module of modules) {
    const answer = ask(module);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

/**
 * Try reconcilers in order; the first that knows the outcome answers.
 *
 * @example firstReconciler(reconcileExactEvm, reconcileByReceipt)
 */
export function firstReconciler(...reconcilers: readonly Reconcile[]): Reconcile {
  return async (payment, record) => {
    for (const reconcile of reconcilers) {
      const found = await reconcile(payment, record);
      if (found) return found;
    }
    return undefined;
  };
}
