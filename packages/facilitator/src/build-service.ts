/**
 * The deployment's HTTP service over its engine: settlements refused while the key leases are not
 * held, API keys and rate limits, `/health` over the chains' probes, the ledger and the leases, the
 * extra routes, the observers (access log, metrics, traces when an OTLP endpoint is set) and the
 * 409 for a reused payment id when idempotency is on.
 */
import { chainAddressKey } from '@x402kit/core';
import { createAccessLog } from './access-log.js';
import { createApiKeyAuth } from './api-key-auth.js';
import { buildRoutes } from './build-routes.js';
import type { DeploymentParts } from './deployment-parts.js';
import { createHealthCheck } from './health-check.js';
import { withPaymentIdentifierStatus } from './idempotency/index.js';
import { guardSettlements } from './key-lease/guard-settlements.js';
import type { KeyLeases } from './key-lease/index.js';
import { createMetrics } from './metrics.js';
import { createFacilitatorService } from './service.js';
import type { ServiceConfig } from './service-config.js';
import type { ServiceFacilitator } from './service-engine.js';
import type { FacilitatorService, HealthReport, ServiceRequestEvent } from './service-types.js';
import { createOtlpExporter } from './telemetry/otlp-exporter.js';
import { createRequestTracer } from './telemetry/request-tracer.js';

/** The service and the engine it serves (guarded by the key leases when they are on). */
export type BuiltService = { service: FacilitatorService; served: ServiceFacilitator };

/**
 * Build the service; sets `parts.metrics` and `parts.telemetry` as configured.
 *
 * @example
 * const { service, served } = buildService(config, parts, engine, options.onClose)
 */
export function buildService(
  config: ServiceConfig,
  parts: DeploymentParts,
  engine: ServiceFacilitator,
  onClose: (() => void) | undefined,
): BuiltService {
  const { log, ledger, keyLeases } = parts;
  const modules = config.chains.map((chain) => chain.module);
  // without its key leases another instance may be sending from the same keys: settle nothing then
  const served = keyLeases ? guardSettlements(engine, keyLeases) : engine;
  if (config.metrics.enabled) parts.metrics = createMetrics();
  const auth = createApiKeyAuth({
    keys: config.apiKeys,
    anonymous: config.anonymous,
    addressKey: (address) => chainAddressKey(modules, address),
    ...(parts.limiter ? { limiter: parts.limiter } : {}),
  });
  if (config.telemetry.otlpEndpoint) {
    parts.telemetry = createOtlpExporter({
      endpoint: config.telemetry.otlpEndpoint,
      serviceName: config.telemetry.serviceName,
      resource: { 'service.instance.id': config.instanceId },
      log,
    });
  }
  const observers: Array<(event: ServiceRequestEvent) => void> = [createAccessLog(log)];
  if (parts.metrics) observers.push(parts.metrics.observe);
  if (parts.telemetry) observers.push(createRequestTracer(parts.telemetry));
  const inner = createFacilitatorService({
    facilitator: served,
    bodyLimitBytes: config.limits.bodyBytes,
    authenticate: auth.authenticate,
    authorize: auth.authorize,
    checkHealth: withKeyLeaseHealth(
      createHealthCheck({ probes: parts.chains.map(({ runtime }) => runtime.probe), ledger }),
      keyLeases,
    ),
    routes: buildRoutes(ledger, modules, parts.metrics, parts.discovery),
    log,
    observe: (event) => {
      for (const observe of observers) {
        try {
          observe(event);
        } catch {
          // one broken observer must not hide the others
        }
      }
    },
    ...(config.enableClose && onClose ? { onClose } : {}),
    ...(served.quoteFee ? { feeQuote: served.quoteFee } : {}),
  });
  return { service: parts.idempotency ? withPaymentIdentifierStatus(inner) : inner, served };
}

/** `/health` fails, naming why, while the instance does not hold its key leases (it refuses settlements then). */
function withKeyLeaseHealth(
  check: () => Promise<HealthReport>,
  leases: KeyLeases | undefined,
): () => Promise<HealthReport> {
  if (!leases) return check;
  return async () => {
    const report = await check();
    const problem = leases.problem();
    if (problem === undefined) return report;
    return { ok: false, details: { ...report.details, keyLeases: problem } };
  };
}
