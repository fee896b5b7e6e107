// @x402kit/facilitator: the x402 facilitator service (POST /verify, POST /settle, GET /supported).
export type { ConfigIssue, FacilitatorConfig, FacilitatorConfigInput } from './config.js';
export {
  DEFAULT_FACILITATOR_PORT,
  FacilitatorConfigError,
  FacilitatorConfigSchema,
  parseFacilitatorConfig,
} from './config.js';
export type { EvmFacilitator, EvmFacilitatorOptions } from './evm.js';
export { createEvmFacilitator } from './evm.js';
export type { FacilitatorRequestBody, ReadFacilitatorRequestResult } from './facilitator-request.js';
export { readFacilitatorRequest } from './facilitator-request.js';
export type { FeePolicy, FeePolicyConfig, FlatFee } from './fee-policy.js';
export { createFlatFeePolicy, FeePolicyError, FeePolicySchema } from './fee-policy.js';
export type { FeeQuoteFee, FeeQuoteRequestItem, FeeQuoteResponse, FeeQuoter } from './fee-quote.js';
export { FEE_QUOTE_TTL_SECONDS, quoteFees, readFeeQuoteRequest } from './fee-quote.js';
export * from './ledger/index.js';
export type { Emit, Log, LogEvent, LogLevel } from './log.js';
export { createEmitter } from './log.js';
export type { FacilitatorServer, StartFacilitatorServerOptions } from './server.js';
export { startFacilitatorServer } from './server.js';
export type {
  Authenticate,
  AuthenticationRequest,
  AuthenticationResult,
  FacilitatorEndpoint,
  FacilitatorService,
  FacilitatorServiceOptions,
  HeaderReader,
  HealthReport,
  ServiceExchange,
  ServiceReply,
  ServiceRequestEvent,
} from './service.js';
export { createFacilitatorService, DEFAULT_BODY_LIMIT_BYTES } from './service.js';
export type { ServiceErrorBody, ServiceReason } from './service-reasons.js';
export { ServiceReasons } from './service-reasons.js';
