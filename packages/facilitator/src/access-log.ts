/**
 * The access log of the facilitator service, as one more `observe` hook: a structured line per
 * request with method, path, status, duration and the principal (`key:<name>`, never the key),
 * plus scheme, network, outcome, reason, payer and transaction for `/verify` and `/settle`.
 */
import { createEmitter, type Log } from './log.js';
import type { ServiceRequestEvent } from './service-types.js';

/**
 * Create the hook. `/health` and `/metrics` are logged at `debug` (probes call them all day).
 *
 * @example
 * createFacilitatorService({ facilitator, observe: createAccessLog(createJsonLog()) })
 * // {"level":"info","time":"…","msg":"POST /settle 200","method":"POST","path":"/settle","status":200,"ms":41.2,"key":"key:acme",…}
 */
export function createAccessLog(log: Log): (event: ServiceRequestEvent) => void {
  const emit = createEmitter(log);
  return function logRequest(event) {
    const quiet = event.endpoint === 'health' || event.endpoint === 'metrics';
    emit(quiet ? 'debug' : 'info', `${event.method} ${event.path} ${event.status}`, {
      method: event.method,
      path: event.path,
      status: event.status,
      ms: Math.round(event.durationMs * 10) / 10,
      key: event.principal,
      scheme: event.scheme,
      network: event.network,
      outcome: event.outcome,
      reason: event.reason,
      payer: event.payer,
      tx: event.transaction,
    });
  };
}
