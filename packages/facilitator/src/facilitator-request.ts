/**
 * Reading the body of `POST /verify` and `POST /settle`: `{ x402Version, paymentPayload,
 * paymentRequirements }`.
 *
 * Only the envelope is checked here (JSON, an object, both documents present and objects). What
 * is inside the documents is the engine's business: a payment that does not match the x402
 * schema is answered `200 { isValid: false, invalidReason: 'invalid_payload' }`, as the reference
 * facilitator does, not with an HTTP error.
 */

/** The envelope, once checked. The two documents are still unvalidated. */
export type FacilitatorRequestBody = {
  x402Version?: number;
  paymentPayload: Record<string, unknown>;
  paymentRequirements: Record<string, unknown>;
};

export type ReadFacilitatorRequestResult =
  | { ok: true; body: FacilitatorRequestBody }
  | { ok: false; message: string };

const decoder = new TextDecoder('utf-8');
const EXPECTED = 'send JSON {"x402Version", "paymentPayload", "paymentRequirements"}';

/**
 * Parse and check the envelope of a verify/settle body. Never throws; a failure names the field.
 *
 * @example
 * const read = readFacilitatorRequest(new TextEncoder().encode('{"paymentPayload":{}}'))
 * // { ok: false, message: 'paymentRequirements is missing; send JSON {...}' }
 */
export function readFacilitatorRequest(bytes: Uint8Array | string): ReadFacilitatorRequestResult {
  const text = typeof bytes === 'string' ? bytes : decoder.decode(bytes);
  if (text.trim().length === 0) return { ok: false, message: `the request body is empty; ${EXPECTED}` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `the request body is not valid JSON (${why}); ${EXPECTED}` };
  }
  if (!isObject(json)) {
    return { ok: false, message: `the request body must be a JSON object, got ${kindOf(json)}; ${EXPECTED}` };
  }
  const { x402Version, paymentPayload, paymentRequirements } = json;
  if (x402Version !== undefined && (typeof x402Version !== 'number' || !Number.isInteger(x402Version))) {
    return { ok: false, message: `x402Version must be an integer (1 or 2), got ${kindOf(x402Version)}` };
  }
  const payload = checkDocument('paymentPayload', paymentPayload);
  if (!payload.ok) return payload;
  const requirements = checkDocument('paymentRequirements', paymentRequirements);
  if (!requirements.ok) return requirements;
  return {
    ok: true,
    body: {
      ...(x402Version === undefined ? {} : { x402Version }),
      paymentPayload: payload.value,
      paymentRequirements: requirements.value,
    },
  };
}

function checkDocument(
  field: string,
  value: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  if (value === undefined) return { ok: false, message: `${field} is missing; ${EXPECTED}` };
  if (!isObject(value)) return { ok: false, message: `${field} must be a JSON object, got ${kindOf(value)}` };
  return { ok: true, value };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
