/** The service's authentication step: the {@link Authenticate} hook before an endpoint reads anything. */

import { errorReply } from './service-replies.js';
import type { ServiceCall } from './service-routes.js';
import type { Authenticate, FacilitatorEndpoint, ServiceReply } from './service-types.js';

/**
 * Run the hook for a call; the refusal to send (with `Retry-After` when the hook gave one), or
 * `undefined` when the request may proceed (its principal, if any, goes on the call's event).
 *
 * @example
 * const refused = await authenticateCall(authenticate, call, 'verify')
 * if (refused) return refused
 */
export async function authenticateCall(
  authenticate: Authenticate | undefined,
  call: ServiceCall,
  endpoint: Exclude<FacilitatorEndpoint, 'health'>,
): Promise<ServiceReply | undefined> {
  if (!authenticate) return undefined;
  const { exchange } = call;
  const auth = await authenticate({
    endpoint,
    method: exchange.method,
    path: call.path,
    headers: exchange.headers,
    ...(exchange.remoteAddress === undefined ? {} : { remoteAddress: exchange.remoteAddress }),
  });
  if (!auth.ok) {
    const reply = errorReply(auth.status, auth.reason, auth.message);
    if (auth.retryAfterSeconds !== undefined) reply.headers['retry-after'] = String(auth.retryAfterSeconds);
    return reply;
  }
  if (auth.principal !== undefined) call.event.principal = auth.principal;
  return undefined;
}
