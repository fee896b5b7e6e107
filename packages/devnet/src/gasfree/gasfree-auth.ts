import { createHmac, timingSafeEqual } from 'node:crypto';

/** Parameters of {@link gasFreeAuthHeaders}. */
export interface GasFreeAuthParameters {
  apiKey: string;
  apiSecret: string;
  /** HTTP method, upper case. */
  method: string;
  /** Full path of the request including any base path (`/nile/api/v1/address/T…`), no query. */
  path: string;
  /** Unix seconds; default now. */
  timestamp?: number;
}

/**
 * The `Timestamp` and `Authorization` headers of GasFree's API-key authentication:
 * `ApiKey <key>:<base64(HMAC-SHA256(secret, METHOD + path + timestamp))>`.
 *
 * @example
 * ```ts
 * const headers = gasFreeAuthHeaders({ apiKey, apiSecret, method: 'GET', path: '/nile/api/v1/config/token/all' });
 * ```
 */
export function gasFreeAuthHeaders(parameters: GasFreeAuthParameters): {
  Timestamp: string;
  Authorization: string;
} {
  const timestamp = parameters.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = gasFreeAuthSignature(parameters.apiSecret, parameters.method, parameters.path, timestamp);
  return { Timestamp: String(timestamp), Authorization: `ApiKey ${parameters.apiKey}:${signature}` };
}

function gasFreeAuthSignature(
  secret: string,
  method: string,
  path: string,
  timestamp: number | string,
): string {
  return createHmac('sha256', secret).update(`${method.toUpperCase()}${path}${timestamp}`).digest('base64');
}

/** What {@link checkGasFreeAuth} needs besides the request. */
export interface GasFreeAuthConfig {
  apiKey: string;
  apiSecret: string;
  /** How far (seconds) the `Timestamp` header may be from the service's clock. */
  maxSkewSeconds: number;
}

/**
 * Checks a request's GasFree authentication headers; returns why it is refused, or `undefined` when it is good.
 *
 * @example
 * ```ts
 * const refusal = checkGasFreeAuth(config, { method: 'GET', path, timestamp: req.headers.timestamp, authorization: req.headers.authorization });
 * ```
 */
export function checkGasFreeAuth(
  config: GasFreeAuthConfig,
  request: { method: string; path: string; timestamp: unknown; authorization: unknown },
  nowSeconds: number = Math.floor(Date.now() / 1000),
): string | undefined {
  const { timestamp, authorization } = request;
  if (typeof authorization !== 'string' || authorization.length === 0) return 'missing Authorization header';
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp))
    return 'missing or malformed Timestamp header';
  if (Math.abs(nowSeconds - Number(timestamp)) > config.maxSkewSeconds)
    return 'Timestamp is too far from now';
  const match = /^ApiKey ([^:\s]+):(\S+)$/.exec(authorization);
  if (!match) return 'Authorization must be "ApiKey <key>:<signature>"';
  if (match[1] !== config.apiKey) return 'unknown API key';
  const expected = Buffer.from(
    gasFreeAuthSignature(config.apiSecret, request.method, request.path, timestamp),
  );
  const given = Buffer.from(match[2] ?? '');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'signature mismatch';
  return undefined;
}
