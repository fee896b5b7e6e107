/**
 * The two response shapes the payment core hands back to adapters: a {@link PaymentReply} it
 * wrote itself (402, 412, 400, 500) and a {@link BufferedResponse}, a handler's answer held in
 * memory so nothing reaches the client before settlement succeeds. Adapters write either
 * straight to their framework without going through a Web `Response` when that is cheaper.
 */

/** A response written by the payment layer itself. */
export type PaymentReply = {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array<ArrayBuffer>;
};

/** A handler's response, read completely into memory. */
export type BufferedResponse = {
  status: number;
  statusText: string;
  headers: Headers;
  /** `null` when the response had no body. */
  body: Uint8Array<ArrayBuffer> | null;
};

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Read a Web `Response` completely (waits for a streamed body to end).
 *
 * @example
 * const held = await bufferResponse(await next(request));
 * if (held.status >= 400) return toWebResponse(held);
 */
export async function bufferResponse(response: Response): Promise<BufferedResponse> {
  const body = response.body === null ? null : new Uint8Array(await response.arrayBuffer());
  return {
    status: response.status,
    statusText: response.statusText,
    headers: new Headers(response.headers),
    body,
  };
}

/**
 * Turn a reply or a buffered response into a Web `Response`.
 *
 * @example
 * return toWebResponse({ status: 402, headers: { 'Content-Type': 'application/json' }, body: '{}' });
 */
export function toWebResponse(value: PaymentReply | BufferedResponse): Response {
  const body = NULL_BODY_STATUS.has(value.status) ? null : value.body;
  if (value.headers instanceof Headers) {
    const init: ResponseInit = { status: value.status, headers: value.headers };
    if ('statusText' in value && value.statusText) init.statusText = value.statusText;
    return new Response(body, init);
  }
  return new Response(body, { status: value.status, headers: value.headers });
}

/**
 * Is this a {@link BufferedResponse} (as opposed to a Web `Response`)?
 *
 * @example
 * const held = isBufferedResponse(out) ? out : await bufferResponse(out);
 */
export function isBufferedResponse(value: Response | BufferedResponse): value is BufferedResponse {
  return !(value instanceof Response);
}
