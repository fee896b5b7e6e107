/**
 * The budget of native coin a facilitator spends on payers' behalf (an approval top-up, a smart
 * wallet's deployment): a cap per payment and rolling 24-hour budgets per payer and per settlement
 * key. A chain module reserves every such spend before sending it and commits (with its
 * transaction) or releases it after; the service keeps the reservations in its database so that
 * instances share one budget. Amounts are in the chain's smallest unit (the fields say `wei`, the
 * unit of the one chain that sponsors today).
 */
import type { PaymentKey } from './payment-key.js';

/** What one payment, one payer and one key may cost. */
export type SponsorLimits = {
  /** Most one payment may cost. */
  maxTopUpWei: bigint;
  /** Most one payer may be sponsored within 24 hours, per network. */
  perPayerPerDayWei: bigint;
  /** Most one settlement key may spend on sponsoring within 24 hours, per network. */
  perKeyPerDayWei: bigint;
};

/** One spend to reserve. */
export type SponsorSpend = {
  /** What is paid for: `erc20_approval_top_up`, `erc6492_deployment` ... */
  kind: string;
  /** CAIP-2 network. */
  network: string;
  /** The settlement key that pays. */
  key: string;
  /** Who is sponsored. */
  payer: string;
  /** The payment the spend belongs to, in the ledger's key shape. */
  payment: PaymentKey;
  /** The most this spend can cost. */
  wei: bigint;
};

export type SponsorReservation = { ok: true; id: string } | { ok: false; reason: string; message: string };

/**
 * A budget of sponsored spends. `reserve` is atomic: of concurrent reservations, no set that
 * together passes a limit is granted.
 */
export type SponsorBudget = {
  /** Reserve `spend.wei`, or refuse with a reason when a limit would be passed. */
  reserve(spend: SponsorSpend): Promise<SponsorReservation>;
  /** The spend was sent as `transaction`; `wei` (at most the reservation) is what it cost, when known. */
  commit(id: string, sent: { transaction: string; wei?: bigint }): Promise<void>;
  /** Nothing was sent: give the reservation back. */
  release(id: string): Promise<void>;
};
