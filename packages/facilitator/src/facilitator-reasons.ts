import { defineReasons } from '@x402kit/core';

/**
 * Reason codes of the facilitator service's own errors that never travel in an answer: a deployment
 * refused at start (configuration, PostgreSQL options, a settlement key another instance holds, an
 * address it cannot listen on), stored rows that are not what the service wrote and a store that does
 * not answer in time. Answers use {@link ServiceReasons}.
 *
 * @example
 * if (error instanceof X402Error && error.reason === FacilitatorReasons.config) process.exit(2)
 */
export const FacilitatorReasons = defineReasons('@x402kit/facilitator', {
  /** The configuration does not validate ({@link FacilitatorConfigError}; `issues` names each field). */
  config: 'invalid_facilitator_config',
  /** PostgreSQL ledger options cannot work: no connection, a schema name that is not an identifier. */
  postgresOptions: 'invalid_postgres_ledger_options',
  /** A stored `payments` row is not a payment (a corrupted or foreign table). */
  ledgerRow: 'invalid_ledger_row',
  /** A stored `payment_identifiers` row is not an idempotency record (a corrupted or foreign table). */
  idempotencyRow: 'invalid_idempotency_row',
  /** A stored `gas_sponsorships` row is not a sponsorship (a corrupted or foreign table). */
  gasSponsorshipRow: 'invalid_gas_sponsorship_row',
  /** Another live instance holds a settlement key this one would send from. */
  settlementKeyInUse: 'settlement_key_in_use',
  /**
   * A row of a PostgreSQL store (payment, payment identifier, key lease) was taken and released more
   * times than a claim retries while this instance tried to take it; the call may be tried again.
   */
  storeContention: 'facilitator_store_contention',
  /**
   * A store (the payment ledger, the key leases) gave no answer within the time allowed: the health
   * check's query, the release of the leases at shutdown.
   */
  storeTimeout: 'facilitator_store_timeout',
  /** The server cannot listen on its host and port (the port is in use, say); `cause` is the system error. */
  listen: 'facilitator_cannot_listen',
});

/**
 * One of {@link FacilitatorReasons}.
 *
 * @example
 * const r: FacilitatorReason = 'invalid_facilitator_config';
 */
export type FacilitatorReason = (typeof FacilitatorReasons)[keyof typeof FacilitatorReasons];
