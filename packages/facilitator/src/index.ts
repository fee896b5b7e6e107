// @x402kit/facilitator: the x402 facilitator service (POST /verify, POST /settle, GET /supported).

export * from './access-log.js';
export * from './api-key-auth.js';
export * from './config.js';
export * from './discovery/index.js';
export * from './facilitator-app.js';
export * from './facilitator-reasons.js';
export type { FeeQuoteFee, FeeQuoteRequestItem, FeeQuoteResponse, FeeQuoter } from './fee-quote.js';
export * from './gas-sponsoring/index.js';
export * from './health-check.js';
export * from './idempotency/index.js';
export * from './key-lease/index.js';
export * from './ledger/index.js';
export type { Emit, JsonLogOptions, Log, LogEvent, LogLevel, LogSink } from './log.js';
export { createJsonLog } from './log.js';
export type { GaugeName, Metrics } from './metrics.js';
export { createMetrics } from './metrics.js';
export * from './pg-rate-limiter.js';
export * from './rate-limiter.js';
export * from './relayer-monitor.js';
export * from './run-facilitator.js';
export * from './server.js';
export { createFacilitatorService } from './service.js';
export type {
  ApiKeyConfig,
  ConfiguredChain,
  LoadServiceConfigOptions,
  ParseServiceConfigOptions,
  ServiceConfig,
} from './service-config.js';
export { createServiceConfigSchema, loadServiceConfig, parseServiceConfig } from './service-config.js';
export * from './service-reasons.js';
export type {
  Authenticate,
  AuthenticationRequest,
  AuthenticationResult,
  AuthorizationRequest,
  AuthorizationResult,
  Authorize,
  FacilitatorEndpoint,
  FacilitatorService,
  FacilitatorServiceOptions,
  HeaderReader,
  HealthReport,
  ServiceExchange,
  ServiceReply,
  ServiceRequestEvent,
  ServiceRoute,
} from './service-types.js';
export * from './store-options.js';
export * from './telemetry/otlp-exporter.js';
export * from './telemetry/request-tracer.js';
