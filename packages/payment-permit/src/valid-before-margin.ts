/**
 * `validBefore` must leave at least this many seconds for the settlement to land: the default margin
 * of the EVM and TRON `exact_permit` facilitators, which refuse a permit expiring sooner.
 *
 * @example const margin = options.validBeforeMarginSeconds ?? EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS;
 */
export const EXACT_PERMIT_VALID_BEFORE_MARGIN_SECONDS = 6;
