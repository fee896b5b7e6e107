/**
 * HTTP 409 for a payment id used with another payment. The service answers every verify/settle
 * outcome with 200 (as the reference facilitator does); this wrapper changes the status of the
 * answers refused with `payment_identifier_conflict` to 409 Conflict, body unchanged, so the
 * resource server (whose facilitator client keeps a refusal's body on any status) and any other
 * caller see the conflict as such.
 */
import { PaymentIdentifierReasons } from '@x402kit/core';
import type { FacilitatorService } from '../service-types.js';

const CONFLICT = PaymentIdentifierReasons.conflict;

/**
 * Wrap a service so `payment_identifier_conflict` answers of `/verify` and `/settle` are 409.
 *
 * @example
 * const service = withPaymentIdentifierStatus(createFacilitatorService({ facilitator }))
 * await startFacilitatorServer({ service, port: 4022 })
 */
export function withPaymentIdentifierStatus(service: FacilitatorService): FacilitatorService {
  return {
    bodyLimitBytes: service.bodyLimitBytes,
    async handle(exchange) {
      const reply = await service.handle(exchange);
      return isConflict(exchange.path, reply.status, reply.body)
        ? { ...reply, status: 409, error: CONFLICT }
        : reply;
    },
    async fetch(request) {
      const response = await service.fetch(request);
      if (response.status !== 200 || !isPaymentPath(request.url)) return response;
      const body = await response.text();
      const status = isConflict(request.url, response.status, body) ? 409 : response.status;
      return new Response(body, { status, headers: response.headers });
    },
  };
}

function isPaymentPath(target: string): boolean {
  const path = target.startsWith('/') ? target : safePath(target);
  const bare = path.split('?')[0]?.replace(/\/+$/, '') ?? '';
  return bare === '/verify' || bare === '/settle';
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function isConflict(target: string, status: number, body: string): boolean {
  if (status !== 200 || !body.includes(CONFLICT) || !isPaymentPath(target)) return false;
  try {
    const json: unknown = JSON.parse(body);
    if (typeof json !== 'object' || json === null) return false;
    return Reflect.get(json, 'invalidReason') === CONFLICT || Reflect.get(json, 'errorReason') === CONFLICT;
  } catch {
    return false;
  }
}
