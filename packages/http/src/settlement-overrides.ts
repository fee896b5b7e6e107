/**
 * Settlement overrides: a route handler tells the middleware to settle less than the
 * authorized amount (usage-based pricing with `upto`) by setting the response header
 * `Settlement-Overrides: {"amount":"..."}`. The middleware reads it, strips it from the
 * client's response, and settles the resolved amount.
 */
import { HeaderNames, Reasons, X402Error } from '@x402kit/core';

/** What a handler may override at settlement. */
export type SettlementOverrides = {
  /**
   * Amount to settle: atomic units (`"1500"`), a percentage of the authorized amount
   * (`"50%"`, at most two decimals, rounded down) or dollars (`"$0.05"`, scaled by the
   * asset's decimals, rounded half up). Never more than the authorized amount.
   */
  amount?: string;
};

/** Anything a handler can put a response header on. */
export type HeaderTarget =
  | Response
  | Headers
  | { setHeader(name: string, value: string): unknown }
  | { header(name: string, value: string): unknown };

/**
 * Ask the payment middleware to settle a different amount for this response.
 *
 * @example
 * // Express: charge for the tokens actually used
 * app.post('/llm', (req, res) => { setSettlementOverrides(res, { amount: String(tokens * 10) }); res.json(out); });
 * // Web / Hono: on a Response or its Headers
 * setSettlementOverrides(response, { amount: '50%' });
 */
export function setSettlementOverrides(target: HeaderTarget, overrides: SettlementOverrides): void {
  const value = JSON.stringify(overrides);
  if (target instanceof Response) target.headers.set(HeaderNames.settlementOverrides, value);
  else if (target instanceof Headers) target.set(HeaderNames.settlementOverrides, value);
  else if ('setHeader' in target) target.setHeader(HeaderNames.settlementOverrides, value);
  else target.header(HeaderNames.settlementOverrides, value);
}

/**
 * Parse a `Settlement-Overrides` header value. Throws `X402Error` (`invalid_price`) when it is
 * not a JSON object with an optional string `amount`.
 *
 * @example
 * parseSettlementOverrides('{"amount":"50%"}') // { amount: '50%' }
 */
export function parseSettlementOverrides(value: string): SettlementOverrides {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw invalid(`Settlement-Overrides is not JSON: ${value.slice(0, 100)}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw invalid('Settlement-Overrides must be a JSON object');
  const amount: unknown = (json as Record<string, unknown>).amount;
  if (amount === undefined) return {};
  if (typeof amount !== 'string') throw invalid('Settlement-Overrides.amount must be a string');
  return { amount };
}

const ATOMIC = /^\d+$/;
const PERCENT = /^(\d{1,3})(?:\.(\d{1,2}))?%$/;
const DOLLARS = /^\$(\d+)(?:\.(\d+))?$/;

/**
 * Resolve an override amount against the authorized atomic amount. Returns atomic units as a
 * decimal string. Throws `X402Error` (`invalid_price`) for anything unparseable, above the
 * authorized amount, or in dollars when the asset's decimals are unknown.
 *
 * @example
 * resolveSettlementAmount('1500', '2000', 6)  // '1500'
 * resolveSettlementAmount('50%', '2001', 6)   // '1000'
 * resolveSettlementAmount('$0.0015', '2000', 6) // '1500'
 */
export function resolveSettlementAmount(
  raw: string,
  authorized: string,
  decimals: number | undefined,
): string {
  const max = BigInt(authorized);
  let amount: bigint;
  const text = raw.trim();
  const percent = PERCENT.exec(text);
  const dollars = DOLLARS.exec(text);
  if (ATOMIC.test(text)) {
    amount = BigInt(text);
  } else if (percent) {
    const basisPoints = BigInt(percent[1]!) * 100n + BigInt((percent[2] ?? '').padEnd(2, '0'));
    if (basisPoints > 10_000n) throw invalid(`override "${raw}" is more than 100%`);
    amount = (max * basisPoints) / 10_000n;
  } else if (dollars) {
    if (decimals === undefined) {
      throw invalid(
        `override "${raw}" is in dollars but the asset's decimals are unknown; give atomic units or a percentage`,
      );
    }
    amount = scaleHalfUp(dollars[1]!, dollars[2] ?? '', decimals);
  } else {
    throw invalid(
      `override amount "${raw}" is not understood: write atomic units ("1500"), a percentage ("50%") or dollars ("$0.05")`,
    );
  }
  if (amount > max) throw invalid(`override amount ${amount} is more than the authorized ${authorized}`);
  return amount.toString();
}

function scaleHalfUp(whole: string, fraction: string, decimals: number): bigint {
  const base = BigInt(whole) * 10n ** BigInt(decimals);
  if (fraction.length <= decimals) return base + BigInt(fraction.padEnd(decimals, '0') || '0');
  const kept = BigInt(fraction.slice(0, decimals) || '0');
  const roundUp = fraction.charCodeAt(decimals) >= 53; /* '5' */
  return base + kept + (roundUp ? 1n : 0n);
}

function invalid(message: string): X402Error {
  return new X402Error(Reasons.invalidPrice, message);
}
