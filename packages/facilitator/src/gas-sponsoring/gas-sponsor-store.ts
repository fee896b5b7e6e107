/**
 * The facilitator's record of gas it spent on payers' behalf, which is also the budget those spends
 * are reserved from (so instances on one PostgreSQL share it): the chain modules' `SponsorBudget`
 * plus reads of the rows. Implementations: SQLite and PostgreSQL.
 */
import {
  canonicalKeyPart,
  canonicalNetwork,
  normalizePaymentKey,
  type PaymentKey,
  type SponsorBudget,
  type SponsorLimits,
  type SponsorSpend,
} from '@x402kit/core';

/** `reserved`: counted, not sent yet; `sent`: the transaction is out; `released`: nothing was sent. */
export type GasSponsorshipState = 'reserved' | 'sent' | 'released';

/**
 * One spend on a payer's behalf, with the payment it was for: the reserved {@link SponsorSpend}
 * (network canonical, `key` and `payer` lower-case hex) with its row id, state and times.
 */
export type GasSponsorshipRecord = SponsorSpend & {
  id: string;
  state: GasSponsorshipState;
  transaction?: string;
  createdAt: number;
  updatedAt: number;
};

/** The gas-sponsorship record and budget, as the SQLite and PostgreSQL stores implement it. */
export type GasSponsorStore = SponsorBudget & {
  /** The rows of one payment (by its ledger key), oldest first. */
  forPayment(payment: PaymentKey): Promise<GasSponsorshipRecord[]>;
  close(): Promise<void>;
};

/** The sponsoring limits both stores take with their database options. */
export type GasSponsorLimitsOption = {
  /** Cap per payment and daily budgets; defaults in `DEFAULT_SPONSOR_LIMITS`. */
  limits?: Partial<SponsorLimits>;
};

/**
 * The row values of a spend: network canonical, addresses lower-case, the payment key normalized
 * as the ledger normalizes it.
 *
 * @example const row = sponsorshipRow(spend) // { network: 'eip155:84532', key: '0x70997970…', payment: { nonce: 'permit2:5', … } }
 */
export function sponsorshipRow(spend: SponsorSpend): {
  network: string;
  key: string;
  payer: string;
  payment: PaymentKey;
} {
  const network = canonicalNetwork(spend.network);
  return {
    network,
    key: canonicalKeyPart(spend.key),
    payer: canonicalKeyPart(spend.payer),
    payment: normalizedPayment(spend.payment),
  };
}

/**
 * A payment's key as the ledger normalizes it, its network canonical.
 *
 * @example normalizedPayment({ network: 'base-sepolia', asset: '0xAB…', payer: '0xCD…', nonce: 'permit2:007' }) // { network: 'eip155:84532', asset: '0xab…', …, nonce: 'permit2:007' }
 */
export function normalizedPayment(payment: PaymentKey): PaymentKey {
  return normalizePaymentKey({ ...payment, network: canonicalNetwork(payment.network) });
}

/**
 * The column values of a spend just reserved as row `id` at `at`, in `GAS_SPONSORSHIP_COLUMNS`
 * order (state `reserved`, no transaction yet), for either database's insert.
 *
 * @example await client.query(`INSERT INTO ${T} (${GAS_SPONSORSHIP_COLUMNS}) VALUES ($1, …, $14)`, reservedSponsorshipValues(id, spend, now()))
 */
export function reservedSponsorshipValues(
  id: string,
  spend: SponsorSpend,
  at: number,
): [
  id: string,
  kind: string,
  network: string,
  keyAddress: string,
  payer: string,
  paymentNetwork: string,
  paymentAsset: string,
  paymentPayer: string,
  paymentNonce: string,
  wei: string,
  state: 'reserved',
  txHash: null,
  createdAt: number,
  updatedAt: number,
] {
  const row = sponsorshipRow(spend);
  const { payment } = row;
  return [
    id,
    spend.kind,
    row.network,
    row.key,
    row.payer,
    payment.network,
    payment.asset,
    payment.payer,
    payment.nonce,
    spend.wei.toString(),
    'reserved',
    null,
    at,
    at,
  ];
}
