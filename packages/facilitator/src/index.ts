// @x402kit/facilitator: the x402 facilitator service (POST /verify, POST /settle, GET /supported).

export { createAccessLog } from './access-log.js';
export type { ApiKeyAuth, ApiKeyAuthOptions, ApiKeyEntry } from './api-key-auth.js';
export { ANONYMOUS_PRINCIPAL, createApiKeyAuth } from './api-key-auth.js';
export type { ConfigIssue } from './config.js';
export { DEFAULT_FACILITATOR_PORT, FacilitatorConfigError } from './config.js';
export type { CreateFacilitatorAppOptions, FacilitatorApp, ServiceFacilitator } from './facilitator-app.js';
export { createFacilitatorApp } from './facilitator-app.js';
export type { FacilitatorReason } from './facilitator-reasons.js';
export { FacilitatorReasons } from './facilitator-reasons.js';
export type { FeeQuoteFee, FeeQuoteRequestItem, FeeQuoteResponse, FeeQuoter } from './fee-quote.js';
export * from './gas-sponsoring/index.js';
export type { HealthCheckOptions, NetworkProbe } from './health-check.js';
export { createHealthCheck } from './health-check.js';
export * from './idempotency/index.js';
export * from './key-lease/index.js';
export * from './ledger/index.js';
export type { Emit, JsonLogOptions, Log, LogEvent, LogLevel, LogSink } from './log.js';
export { createJsonLog } from './log.js';
export type { GaugeName, Metrics } from './metrics.js';
export { createMetrics } from './metrics.js';
export type { PostgresRateLimiter, PostgresRateLimiterOptions } from './pg-rate-limiter.js';
export { createPostgresRateLimiter } from './pg-rate-limiter.js';
export type { RateLimitDecision, RateLimiter } from './rate-limiter.js';
export { createRateLimiter } from './rate-limiter.js';
export type {
  RelayerMonitor,
  RelayerMonitorOptions,
  RelayerReading,
  RelayerSource,
} from './relayer-monitor.js';
export { createRelayerMonitor } from './relayer-monitor.js';
export type { RunFacilitatorOptions, RunningFacilitator } from './run-facilitator.js';
export { runFacilitator } from './run-facilitator.js';
export type { FacilitatorServer, StartFacilitatorServerOptions } from './server.js';
export { startFacilitatorServer } from './server.js';
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
} from './service.js';
export { createFacilitatorService } from './service.js';
export type {
  ApiKeyConfig,
  ConfiguredChain,
  LoadServiceConfigOptions,
  ParseServiceConfigOptions,
  ServiceConfig,
} from './service-config.js';
export { createServiceConfigSchema, loadServiceConfig, parseServiceConfig } from './service-config.js';
export type { ServiceErrorBody, ServiceReason } from './service-reasons.js';
export { ServiceReasons } from './service-reasons.js';
export type { OtlpExporter, OtlpExporterOptions, SpanAttribute } from './telemetry/otlp-exporter.js';
export { createOtlpExporter } from './telemetry/otlp-exporter.js';
export { createRequestTracer } from './telemetry/request-tracer.js';
