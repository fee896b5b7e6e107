/**
 * An MCP client that pays: around the SDK's plain `Client`, `callTool` answers a paid tool's
 * PaymentRequired (the tool-result form, or the JSON-RPC 402 error form) by paying once with the
 * x402kit client engine, under its policies (amount caps, budgets, networks), and calling the tool
 * again with the payment in `_meta["x402/payment"]`. A budget counts the payment under the tool's
 * name and is told how it ended (paid, refused, unknown). It never pays twice for one call: a paid call
 * refused again is returned as is, and while the server reports the settlement pending the same
 * payment is sent again.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolRequest,
  type CallToolResult,
  CallToolResultSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import {
  type AnyPaymentPayload,
  type AnyPaymentRequired,
  createEmitter,
  type Emit,
  type Log,
  type Offer,
  outcomeOfRefusal,
  type PaymentOutcome,
  Reasons,
  type X402Client,
} from '@x402kit/core';
import {
  DEFAULT_PENDING_RETRY_MS,
  type PendingRetryLimits,
  pendingRetryLimits,
  sendReportingOutcome,
} from '@x402kit/core/internal';
import { getPaymentResponse, MCP_PAYMENT_REQUIRED_CODE, PAYMENT_META_KEY } from './mcp-meta.js';
import {
  parsePaymentRequired,
  paymentRequiredResult,
  readPaymentRequired,
} from './payment-required-result.js';

/** What {@link PayingMcpClientOptions.onPaymentRequested} sees before each payment. */
export type PaymentRequestedEvent = {
  toolName: string;
  arguments: Record<string, unknown>;
  paymentRequired: AnyPaymentRequired;
  /** The offer the client engine would pay (its policies applied). */
  offer: Offer;
};

/** Options of {@link wrapMcpClientWithPayment}. */
export type PayingMcpClientOptions = {
  /**
   * Approve each payment (e.g. ask a human): `true` pays, `false` returns the PaymentRequired
   * result unpaid. Default: pay whatever the client engine's policies allow.
   */
  onPaymentRequested?: (event: PaymentRequestedEvent) => boolean | Promise<boolean>;
  /** Called after each payment is sent, with the tool's answer. */
  onPaid?: (event: {
    toolName: string;
    payment: AnyPaymentPayload;
    result: CallToolResult;
  }) => void | Promise<void>;
  /**
   * While the server reports the settlement pending, send the same payment again after `delayMs`,
   * up to `maxRetries` times. Default `{ maxRetries: 5, delayMs: 1000 }`; `false` returns the
   * pending result.
   */
  pendingSettlement?: false | { maxRetries?: number; delayMs?: number };
  log?: Log;
};

/** The paying client. */
export type PayingMcpClient = {
  /** The wrapped SDK client (connect, list tools and everything else through it). */
  readonly client: Client;
  /**
   * `Client.callTool` that pays when the tool asks. Throws the client engine's `X402Error` when it
   * cannot pay (no acceptable offer, a policy such as a cap or budget refusing it).
   */
  callTool(params: CallToolRequest['params'], options?: RequestOptions): Promise<CallToolResult>;
};

/**
 * The `pendingSettlement` option with its defaults: at most 5 re-sends, each after the option's own fixed
 * `delayMs` (1 s), which no cap shortens (MCP has no Retry-After); no `limits` for `false`.
 */
function mcpPendingRetry({ pendingSettlement: option }: PayingMcpClientOptions): {
  limits: PendingRetryLimits | undefined;
  delayMs: number;
} {
  if (option === false) return { limits: undefined, delayMs: 0 };
  return {
    limits: pendingRetryLimits({ maxRetries: option?.maxRetries, maxDelayMs: Number.POSITIVE_INFINITY }),
    delayMs: option?.delayMs ?? DEFAULT_PENDING_RETRY_MS,
  };
}

/**
 * Wrap an SDK `Client` so paid tools are paid for with `x402` (the client engine of `@x402kit/core`,
 * with its schemes and policies).
 *
 * @example
 * const client = new Client({ name: 'agent', version: '1.0.0' });
 * await client.connect(new StreamableHTTPClientTransport(new URL('http://localhost:4021/mcp')));
 * const paying = wrapMcpClientWithPayment(client, createX402Client({ schemes, policies: [maxAmountPolicy('0.01')] }));
 * const result = await paying.callTool({ name: 'get_weather', arguments: { city: 'Paris' } });
 * console.log(getPaymentResponse(result)?.transaction);
 */
export function wrapMcpClientWithPayment(
  client: Client,
  x402: X402Client,
  options: PayingMcpClientOptions = {},
): PayingMcpClient {
  const deps = payingMcp(client, x402, options);
  return { client, callTool: (params, requestOptions) => callTool(deps, params, requestOptions) };
}

/** What every call of one paying client shares: the SDK client, the engine, the options. */
type PayingMcp = {
  client: Client;
  x402: X402Client;
  options: PayingMcpClientOptions;
  pending: ReturnType<typeof mcpPendingRetry>;
  emit: Emit;
};

/** A paying client's shared part, its options read once (the pending re-send rule, the log). */
function payingMcp(client: Client, x402: X402Client, options: PayingMcpClientOptions): PayingMcp {
  return { client, x402, options, pending: mcpPendingRetry(options), emit: createEmitter(options.log) };
}

/** `callTool`: the tool called, its PaymentRequired paid once (once more for a retryable refusal). */
async function callTool(
  deps: PayingMcp,
  params: CallToolRequest['params'],
  requestOptions?: RequestOptions,
): Promise<CallToolResult> {
  const { x402, options, emit } = deps;
  const carriesPayment = params._meta?.[PAYMENT_META_KEY] !== undefined;
  const first = await call(deps.client, params, requestOptions);
  const paymentRequired = carriesPayment ? undefined : readPaymentRequired(first);
  if (!paymentRequired) return first;
  const args = params.arguments ?? {};
  const offer = x402.selectOffer(paymentRequired);
  if (options.onPaymentRequested) {
    const approved = await options.onPaymentRequested({
      toolName: params.name,
      arguments: args,
      paymentRequired,
      offer,
    });
    if (!approved) {
      emit('info', 'payment not approved; returning the PaymentRequired', { tool: params.name });
      return first;
    }
  }
  let { payment, result } = await payOnce(deps, params, paymentRequired, requestOptions);
  // a refusal the scheme can correct (a corrective offer, a busy channel): one more signature, once
  const refused = getPaymentResponse(result)?.success ? undefined : readPaymentRequired(result);
  if (refused && x402.isRetryableRefusal(payment, refused)) {
    emit('info', `payment refused (${refused.error}); signing once more against the new offer`, {
      tool: params.name,
    });
    ({ payment, result } = await payOnce(deps, params, refused, requestOptions));
  }
  const receipt = getPaymentResponse(result);
  emit(receipt?.success ? 'info' : 'warn', `paid tool "${params.name}": ${describeReceipt(result)}`, {
    tool: params.name,
    transaction: receipt?.transaction,
  });
  await options.onPaid?.({ toolName: params.name, payment, result });
  return result;
}

/** Sign one payment for the offer, send it (again while pending) and report its outcome. */
async function payOnce(
  deps: PayingMcp,
  params: CallToolRequest['params'],
  paymentRequired: AnyPaymentRequired,
  requestOptions: RequestOptions | undefined,
): Promise<{ payment: AnyPaymentPayload; result: CallToolResult }> {
  const { x402 } = deps;
  // a per-key budget counts MCP payments per tool (the resource URL's host would be "tool")
  const payment = await x402.createPaymentPayload(paymentRequired, { budgetKey: params.name });
  const paid = { ...params, _meta: { ...params._meta, [PAYMENT_META_KEY]: payment } };
  const send = () => call(deps.client, paid, requestOptions);
  const { pending, emit } = deps;
  // the receipt goes to the scheme too (a channel scheme advances its state from it)
  const result = await sendReportingOutcome(
    x402,
    payment,
    send,
    (answer) => ({ outcome: paymentOutcomeOf(answer), settlement: getPaymentResponse(answer) }),
    {
      limits: pending.limits,
      isPending,
      delayMs: () => pending.delayMs,
      onRetry: (_result, { attempt }) =>
        emit('info', 'settlement pending; sending the same payment again', { tool: params.name, attempt }),
    },
  );
  return { payment, result };
}

/** Call the tool; the JSON-RPC 402 error form of "payment required" reads as its result form. */
async function call(
  client: Client,
  params: CallToolRequest['params'],
  requestOptions?: RequestOptions,
): Promise<CallToolResult> {
  try {
    return await callPlain(client, params, requestOptions);
  } catch (error) {
    // the JSON-RPC error form of "payment required"
    const paymentRequired =
      error instanceof McpError && error.code === MCP_PAYMENT_REQUIRED_CODE
        ? parsePaymentRequired(error.data)
        : undefined;
    if (paymentRequired) return paymentRequiredResult(paymentRequired);
    throw error;
  }
}

async function callPlain(
  client: Client,
  params: CallToolRequest['params'],
  options: RequestOptions | undefined,
): Promise<CallToolResult> {
  // the compatibility form `{ toolResult }` of very old servers reads as an empty result
  return CallToolResultSchema.parse(await client.callTool(params, undefined, options));
}

/**
 * How a paid call ended, for the budget: `paid` (a successful receipt), `refused` (a failed receipt,
 * or the PaymentRequired again without one: verification refused it), `unknown` otherwise (pending, a
 * `duplicate_settlement` refusal: that authorization is spent elsewhere, or a result without a
 * receipt): it stays counted.
 *
 * @example paymentOutcomeOf(await paying.callTool({ name: 'get_weather', arguments: {} })) // 'paid'
 */
export function paymentOutcomeOf(result: CallToolResult): PaymentOutcome {
  const receipt = getPaymentResponse(result);
  if (receipt?.success) return 'paid';
  if (receipt) return outcomeOfRefusal(receipt.errorReason);
  const paymentRequired = readPaymentRequired(result);
  return paymentRequired ? outcomeOfRefusal(paymentRequired.error) : 'unknown';
}

function isPending(result: CallToolResult): boolean {
  const receipt = getPaymentResponse(result);
  return receipt !== undefined && !receipt.success && receipt.errorReason === Reasons.settlementPending;
}

function describeReceipt(result: CallToolResult): string {
  const receipt = getPaymentResponse(result);
  if (receipt?.success) return `settled in ${receipt.transaction}`;
  if (receipt) return `not settled (${receipt.errorReason ?? 'unknown reason'})`;
  return result.isError ? 'refused' : 'answered without a receipt';
}
