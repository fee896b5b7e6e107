/**
 * Paid MCP tools: a price on any tool of an `McpServer`, through the same payment core as our HTTP
 * server (`createPaymentHandler` of `@x402kit/http`), so a tool call is granted exactly like a paid
 * HTTP request: verify, run the tool with its result held back, settle, answer; one payment buys one
 * execution (a copy presented again, or concurrently, is refused with `duplicate_settlement` and
 * the tool does not run); a pending settlement is continued by the same payment, never paid twice.
 * This file only translates between a `tools/call` and that core.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolResult,
  CallToolResultSchema,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import {
  decodePaymentRequiredHeader,
  decodePaymentResponseHeader,
  encodeBase64,
  HeaderNames,
  type Log,
  type PaymentOption,
  Reasons,
  type ResourceServer,
  type SettleResponse,
  X402Error,
} from '@x402kit/core';
import {
  type BufferedResponse,
  createPaymentHandler,
  type PaymentHandler,
  type PaymentRequestInput,
  type PaymentResult,
  type RouteConfig,
  type RouteContext,
} from '@x402kit/http';
import { PAYMENT_META_KEY, PAYMENT_RESPONSE_META_KEY, toolResourceUrl } from './mcp-meta.js';
import { paymentRequiredResult } from './payment-required-result.js';

/** One call of a paid tool, as price and `payTo` functions see it. */
export type ToolCall = {
  /** The tool's name. */
  name: string;
  /** The call's arguments as the client sent them (validated by the tool's input schema first). */
  arguments: Record<string, unknown>;
  /** The request's `_meta`, payment included. */
  meta: Record<string, unknown> | undefined;
};

/**
 * How one tool is paid: the fields of an `@x402kit/http` route (`RouteConfig`) that apply to a tool,
 * with offers that may price each call. Defaults: `resource` `mcp://tool/<name>`, `description`
 * `Tool: <name>`, `mimeType` `application/json`. `settle`: `'after-response'` (default) verifies,
 * runs the tool, settles and returns its result with the receipt (an error result is returned
 * unsettled); `'before-handler'` settles first and runs the tool only for a settled payment.
 *
 * @example
 * const config: PaidToolConfig = { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' } };
 */
export type PaidToolConfig = Pick<
  RouteConfig,
  'resource' | 'description' | 'mimeType' | 'extensions' | 'paymentIdentifier' | 'settle'
> & {
  /** One or more ways to pay, offered in this order; `price` and `payTo` may be functions of the call. */
  accepts: PaymentOption<ToolCall> | PaymentOption<ToolCall>[];
};

/** Options of {@link createPaidTools}. */
export type PaidToolsOptions = {
  /** The resource-server engine from `@x402kit/core` (schemes and facilitators registered). */
  server: ResourceServer;
  /** The paid tools, by name. */
  tools: Record<string, PaidToolConfig>;
  /** Cap on a payment's encoded size; default 16 KiB. */
  maxPaymentLength?: number;
  /** What the core keeps per payment in memory (see `PaymentHandlerOptions.grantMemory`). */
  grantMemory?: { ttlMs?: number; maxEntries?: number };
  log?: Log;
};

/** What a tool handler receives besides its arguments: the SDK's request context. */
export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A tool handler, as `McpServer.registerTool` takes it (with an `inputSchema`). */
export type ToolHandler<Args> = (args: Args, extra: ToolExtra) => CallToolResult | Promise<CallToolResult>;

/** Paid tools: wrap each tool's handler with {@link PaidTools.tool}. */
export type PaidTools = {
  /** The HTTP payment core the tools are granted by (one route per tool). */
  readonly payments: PaymentHandler;
  /**
   * The handler of the paid tool `name`, to register with `McpServer.registerTool(name, ...)`.
   * Throws when `name` has no price in `tools`.
   */
  tool<Args>(name: string, handler: ToolHandler<Args>): ToolHandler<Args>;
};

/**
 * Put a price on MCP tools. An unpaid call gets the PaymentRequired tool result of the x402 MCP
 * transport (`isError`, `structuredContent`, `content[0].text`); a call with
 * `_meta["x402/payment"]` is verified, run, settled and answered with the tool's result plus
 * `_meta["x402/payment-response"]`. A refused payment gets the PaymentRequired with the reason in
 * `error`; a failed settlement gets it with `Payment settlement failed: <reason>` and the tool's
 * output withheld (the failed settlement in `_meta`).
 *
 * @example
 * const paid = createPaidTools({
 *   server,
 *   tools: { get_weather: { accepts: { scheme: 'exact', network: 'eip155:84532', payTo, price: '$0.001' } } },
 * });
 * mcp.registerTool('get_weather', { inputSchema: { city: z.string() } },
 *   paid.tool('get_weather', async ({ city }) => ({ content: [{ type: 'text', text: `Sunny in ${city}` }] })));
 */
export function createPaidTools(options: PaidToolsOptions): PaidTools {
  const calls = new WeakMap<Request, ToolCall>();
  const routes: Record<string, RouteConfig> = {};
  for (const [name, config] of Object.entries(options.tools)) {
    routes[`POST ${toolPath(name)}`] = routeOf(name, config, calls);
  }
  const payments = createPaymentHandler({
    server: options.server,
    routes,
    v1: false,
    maxPaymentHeaderLength: options.maxPaymentLength,
    grantMemory: options.grantMemory,
    log: options.log,
  });

  function tool<Args>(name: string, handler: ToolHandler<Args>): ToolHandler<Args> {
    if (!Object.hasOwn(options.tools, name)) {
      throw new X402Error(
        Reasons.invalidRouteConfig,
        `createPaidTools: no price for tool "${name}"; add it to options.tools`,
      );
    }
    return async (args, extra) => {
      const call: ToolCall = { name, arguments: argumentsOf(args), meta: extra._meta };
      const input = toolInput(call, extra._meta?.[PAYMENT_META_KEY], calls);
      const result = await payments.processRequest(input, async () =>
        heldResult(await runTool(handler, args, extra)),
      );
      return toolResultOf(result, { payments, call, calls });
    };
  }

  return { payments, tool };
}

/** The route of a tool: its offers see the call through the request they are handed. */
function routeOf(name: string, config: PaidToolConfig, calls: WeakMap<Request, ToolCall>): RouteConfig {
  const options = Array.isArray(config.accepts) ? config.accepts : [config.accepts];
  const callOf = (ctx: RouteContext): ToolCall =>
    calls.get(ctx.request) ?? { name, arguments: {}, meta: undefined };
  const route: RouteConfig = {
    accepts: options.map((option) => ({
      ...option,
      price: typeof option.price === 'function' ? withCall(option.price, callOf) : option.price,
      payTo: typeof option.payTo === 'function' ? withCall(option.payTo, callOf) : option.payTo,
    })),
    resource: config.resource ?? toolResourceUrl(name),
    description: config.description ?? `Tool: ${name}`,
    mimeType: config.mimeType ?? 'application/json',
  };
  if (config.extensions) route.extensions = config.extensions;
  if (config.paymentIdentifier !== undefined) route.paymentIdentifier = config.paymentIdentifier;
  if (config.settle) route.settle = config.settle;
  return route;
}

function withCall<T>(
  fn: (call: ToolCall) => T,
  callOf: (ctx: RouteContext) => ToolCall,
): (ctx: RouteContext) => T {
  return (ctx) => fn(callOf(ctx));
}

function toolPath(name: string): string {
  return `/tools/${encodeURIComponent(name)}`;
}

/** The call as the payment core reads a request: the payment as its `PAYMENT-SIGNATURE` header. */
function toolInput(call: ToolCall, payment: unknown, calls: WeakMap<Request, ToolCall>): PaymentRequestInput {
  const header = paymentHeaderOf(payment);
  let request: Request | undefined;
  return {
    method: 'POST',
    target: toolPath(call.name),
    url: toolResourceUrl(call.name),
    header: (name) => (name === HeaderNames.paymentSignature.toLowerCase() ? header : undefined),
    get request() {
      // built only when a price or payTo function asks for the call
      if (!request) {
        request = new Request(`http://mcp.invalid${toolPath(call.name)}`, { method: 'POST' });
        calls.set(request, call);
      }
      return request;
    },
  };
}

/**
 * `_meta["x402/payment"]` as the core's header: an object is the PaymentPayload (encoded as the
 * header would carry it, then decoded and validated by the core); a string is taken as already
 * encoded; anything else present is passed on so the core refuses it with `invalid_payment_header`.
 */
function paymentHeaderOf(payment: unknown): string | undefined {
  if (payment === undefined || payment === null) return undefined;
  if (typeof payment === 'string') return payment;
  return encodeBase64(JSON.stringify(payment));
}

function argumentsOf(args: unknown): Record<string, unknown> {
  return typeof args === 'object' && args !== null ? { ...args } : {};
}

/** Run the tool; a thrown error becomes an error result, as the SDK's `McpServer` does. */
async function runTool<Args>(
  handler: ToolHandler<Args>,
  args: Args,
  extra: ToolExtra,
): Promise<CallToolResult> {
  try {
    return await handler(args, extra);
  } catch (error) {
    return {
      content: [{ type: 'text', text: error instanceof Error ? error.message : String(error) }],
      isError: true,
    };
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The tool's result held by the core until its payment settles; an error result is never settled. */
function heldResult(result: CallToolResult): BufferedResponse {
  return {
    status: result.isError === true ? 500 : 200,
    statusText: '',
    headers: new Headers(JSON_HEADERS),
    body: new TextEncoder().encode(JSON.stringify(result)),
  };
}

type Translation = { payments: PaymentHandler; call: ToolCall; calls: WeakMap<Request, ToolCall> };

/** The core's decision as a tool result. */
async function toolResultOf(result: PaymentResult, t: Translation): Promise<CallToolResult> {
  if (result.type === 'unprotected')
    throw new X402Error(Reasons.internalError, `tool "${t.call.name}" has no route in the payment core`);
  if (result.type === 'response') {
    const toolResult = parseResult(result.response.body);
    if (!result.settlement) return toolResult;
    return { ...toolResult, _meta: { ...toolResult._meta, [PAYMENT_RESPONSE_META_KEY]: result.settlement } };
  }
  const { headers } = result.reply;
  const settlement = result.settlement ?? settlementOf(headers[HeaderNames.paymentResponse]);
  const required = headers[HeaderNames.paymentRequired];
  if (required !== undefined) return paymentRequiredResult(decodePaymentRequiredHeader(required), settlement);
  if (settlement && !settlement.success && settlement.errorReason === Reasons.settlementPending) {
    return pendingResult(settlement);
  }
  if (settlement) return settlementFailedResult(settlement, t);
  return { content: [{ type: 'text', text: bodyText(result.reply.body) }], isError: true };
}

/** Settlement failed after the tool ran: the PaymentRequired again, the tool's output withheld. */
async function settlementFailedResult(settlement: SettleResponse, t: Translation): Promise<CallToolResult> {
  const unpaid = await t.payments.processRequest(toolInput(t.call, undefined, t.calls), () => {
    throw new X402Error(Reasons.internalError, 'unreachable: an unpaid call never runs the tool');
  });
  const header = unpaid.type === 'reply' ? unpaid.reply.headers[HeaderNames.paymentRequired] : undefined;
  const reason = settlement.errorReason ?? Reasons.unexpectedSettleError;
  if (header === undefined) {
    return {
      content: [{ type: 'text', text: `Payment settlement failed: ${reason}` }],
      isError: true,
      _meta: { [PAYMENT_RESPONSE_META_KEY]: settlement },
    };
  }
  const paymentRequired = {
    ...decodePaymentRequiredHeader(header),
    error: `Payment settlement failed: ${reason}`,
  };
  return paymentRequiredResult(paymentRequired, settlement);
}

/**
 * The settlement was sent but not confirmed yet: no PaymentRequired (it would invite a second
 * payment); the client calls again with the same payment and gets the tool's result once settled.
 */
function pendingResult(settlement: SettleResponse): CallToolResult {
  const hash = settlement.transaction || '(no hash yet)';
  return {
    content: [
      {
        type: 'text',
        text: `${Reasons.settlementPending}: transaction ${hash} is not confirmed yet; call the tool again with the same payment`,
      },
    ],
    isError: true,
    _meta: { [PAYMENT_RESPONSE_META_KEY]: settlement },
  };
}

function settlementOf(header: string | undefined): SettleResponse | undefined {
  return header === undefined ? undefined : decodePaymentResponseHeader(header);
}

function parseResult(body: Uint8Array | null): CallToolResult {
  return CallToolResultSchema.parse(JSON.parse(new TextDecoder().decode(body ?? new Uint8Array())));
}

function bodyText(body: string | Uint8Array): string {
  return typeof body === 'string' ? body : new TextDecoder().decode(body);
}
