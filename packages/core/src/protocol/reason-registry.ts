/**
 * The one registry of reason codes. Core's {@link Reasons} and every scheme's or package's own table
 * (`Permit2Reasons`, `ExactPermitReasons`, `TronReasons`, ...) are defined through
 * {@link defineReasons}, so one list knows every code that can travel in `invalidReason` /
 * `errorReason` or sit on an {@link X402Error}, and which table owns it. A code means one thing: a
 * second table that defines an owned code again is refused at import time; a table that reuses
 * another's code says so with {@link sharedReason} / {@link shareReasons}.
 */
import { X402Error } from './errors.js';

/** A code defined by another table, reused here with the same meaning (see {@link sharedReason}). */
export type SharedReason<C extends string = string> = { readonly shared: C };

/** What a table passed to {@link defineReasons} maps each key to: its own code, or a shared one. */
export type ReasonTableInput = Readonly<Record<string, string | SharedReason>>;

/** The constant object {@link defineReasons} returns: every key mapped to its code string. */
export type DefinedReasons<T extends ReasonTableInput> = {
  readonly [K in keyof T]: T[K] extends SharedReason<infer C> ? C : T[K];
};

/** Where a code is used: the table (`owner`) and the key in it. */
export type ReasonUse = { readonly owner: string; readonly key: string };

/** One registered code: the table that defines it and the tables that share it. */
export type ReasonEntry = {
  readonly code: string;
  /** The table that defines the code; `undefined` while only shares of it are known. */
  readonly owner: string | undefined;
  /** The key of the code in its owner's table. */
  readonly key: string | undefined;
  /** Codes ending in `_` are families: `tron_broadcast_` stands for `tron_broadcast_<node code>`. */
  readonly prefix: boolean;
  readonly sharedBy: readonly ReasonUse[];
};

type MutableEntry = { code: string; owner?: string; key?: string; sharedBy: ReasonUse[] };

const registry = new Map<string, MutableEntry>();

/**
 * Mark a code as another table's, reused with the same meaning, inside a {@link defineReasons} table.
 *
 * @example
 * export const Permit2Reasons = defineReasons('@x402kit/evm/permit2', {
 *   settlementPending: sharedReason(Reasons.settlementPending),
 *   invalidSpender: 'invalid_permit2_spender',
 * });
 */
export function sharedReason<const C extends string>(code: C): SharedReason<C> {
  return { shared: code };
}

/**
 * Mark every code of a defined table as shared, to extend it in another table.
 *
 * @example
 * export const ExactPermitTronReasons = defineReasons('@x402kit/tron/exact-permit', {
 *   ...shareReasons(ExactPermitReasons),
 *   address: 'invalid_exact_permit_tron_address',
 * });
 */
export function shareReasons<const T extends Readonly<Record<string, string>>>(
  table: T,
): { readonly [K in keyof T]: SharedReason<T[K]> } {
  const out: Record<string, SharedReason> = {};
  for (const [key, code] of Object.entries(table)) out[key] = { shared: code };
  return out as { readonly [K in keyof T]: SharedReason<T[K]> };
}

/**
 * Register a table of reason codes under `owner` (a package, or a package and a scheme) and return
 * it as the constant object callers compare against (`ExactPermitReasons.expired`). Defining a code
 * another owner already defines throws (a code means one thing); defining it again under the same
 * owner and key is a no-op, so a module evaluated twice is harmless.
 *
 * @throws {X402Error} `reason_conflict` when a code is already defined by another owner or key (at import time).
 * @example
 * export const GasFreeReasons = defineReasons('@x402kit/tron/gasfree', {
 *   timeout: 'gasfree_timeout',
 * });
 * GasFreeReasons.timeout // 'gasfree_timeout'
 */
export function defineReasons<const T extends ReasonTableInput>(owner: string, table: T): DefinedReasons<T> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(table)) {
    const shared = typeof value !== 'string';
    const code = shared ? value.shared : value;
    const entry = registry.get(code) ?? { code, sharedBy: [] };
    if (shared) {
      if (!entry.sharedBy.some((u) => u.owner === owner && u.key === key))
        entry.sharedBy.push({ owner, key });
    } else if (entry.owner === undefined) {
      entry.owner = owner;
      entry.key = key;
    } else if (entry.owner !== owner || entry.key !== key) {
      // `Reasons.reasonConflict`, written out: Reasons is itself defined through this module
      throw new X402Error(
        'reason_conflict',
        `reason code "${code}" is defined twice: by ${entry.owner} (${entry.key}) and by ${owner} (${key}); ` +
          `give the new meaning its own code, or reuse the existing one with sharedReason(...)`,
      );
    }
    registry.set(code, entry);
    out[key] = code;
  }
  return Object.freeze(out) as DefinedReasons<T>;
}

function freeze(entry: MutableEntry): ReasonEntry {
  return {
    code: entry.code,
    owner: entry.owner,
    key: entry.key,
    prefix: entry.code.endsWith('_'),
    sharedBy: [...entry.sharedBy],
  };
}

/**
 * Every code registered so far (by the tables of the packages imported), with its owner and sharers,
 * sorted by code.
 *
 * @example
 * for (const r of listReasons()) console.log(r.code, r.owner)
 */
export function listReasons(): ReasonEntry[] {
  return [...registry.values()].map(freeze).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/**
 * The registry entry of a reason as it travels: the code itself, the code before a `: detail` suffix
 * (`invalid_exact_evm_transaction_failed: execution reverted`), or the family a prefixed code
 * belongs to (`tron_broadcast_sigerror`); `undefined` for a code no imported table defines.
 *
 * @example
 * findReason('invalid_exact_permit_expired')?.owner // '@x402kit/payment-permit'
 */
export function findReason(reason: string): ReasonEntry | undefined {
  const colon = reason.indexOf(':');
  const code = colon === -1 ? reason : reason.slice(0, colon);
  const exact = registry.get(code);
  if (exact?.owner !== undefined) return freeze(exact);
  let best: MutableEntry | undefined;
  for (const entry of registry.values()) {
    if (entry.owner === undefined || !entry.code.endsWith('_') || !code.startsWith(entry.code)) continue;
    if (best === undefined || entry.code.length > best.code.length) best = entry;
  }
  return best === undefined ? undefined : freeze(best);
}
