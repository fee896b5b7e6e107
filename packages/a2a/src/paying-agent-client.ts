/**
 * The client side of the x402 extension for A2A: sends a message with the extension activated and,
 * when the merchant agent answers with a task asking for payment (`input-required`,
 * `payment-required`), pays it with our client engine (its policies, default cap and budget apply)
 * in a `payment-submitted` message for that task, and returns the task the merchant ends with.
 */
import {
  type Message,
  Role,
  type SendMessageRequest,
  type SendMessageResult,
  type Task,
  TaskState,
} from '@a2a-js/sdk';
import { type Client, type RequestOptions, ServiceParameters, withA2AExtensions } from '@a2a-js/sdk/client';
import type { AnyPaymentPayload, AnyPaymentRequired, PaymentOutcome, X402Client } from '@x402kit/core';
import { outcomeOfRefusal, X402Error } from '@x402kit/core';
import { sendReportingOutcome } from '@x402kit/core/internal';
import { A2aReasons } from './a2a-reasons.js';
import { readTaskPayment, type TaskPayment } from './task-payment.js';
import { PaymentMetadataKeys, PaymentStatuses, X402_A2A_EXTENSION_URI } from './x402-extension.js';

/** Options of `createPayingAgentClient`. */
export type PayingAgentClientOptions = {
  /** An `@a2a-js/sdk` client of the merchant agent. */
  client: Client;
  /** Our client engine: the schemes it pays with, its policies and budget. */
  x402: X402Client;
  /** Asked before each payment; return false to reject it (the merchant is told `payment-rejected`). */
  approve?: (required: AnyPaymentRequired, task: Task) => boolean | Promise<boolean>;
  /** What a per-key budget limit counts these payments under; default the host of the resource URL. */
  budgetKey?: string;
};

/** What {@link PayingAgentClient.sendMessage} ends with. */
export type PaidAgentResult = {
  /** The merchant's last answer. */
  result: SendMessageResult;
  /** The task, when the answer is one. */
  task: Task | undefined;
  /** Its payment state (`payment-completed` and the receipts when paid). */
  payment: TaskPayment;
  /** The payment this client sent, when it paid. */
  paid: AnyPaymentPayload | undefined;
};

/** What `createPayingAgentClient` returns. */
export type PayingAgentClient = {
  /** Send a message; pay once if the task asks for it. Throws an `X402Error` when it will not pay. */
  sendMessage(request: SendMessageRequest, options?: RequestOptions): Promise<PaidAgentResult>;
};

/**
 * Wrap an A2A client so it pays the tasks that ask for payment.
 *
 * @example
 * const a2a = await new ClientFactory().createFromUrl('http://127.0.0.1:4100')
 * const agent = createPayingAgentClient({ client: a2a, x402: createX402Client({ schemes }) })
 * const { task, payment } = await agent.sendMessage({ tenant: '', message, configuration: undefined, metadata: undefined })
 * console.log(task?.status?.state, payment.receipts.at(-1)?.transaction)
 */
export function createPayingAgentClient(options: PayingAgentClientOptions): PayingAgentClient {
  const { client, x402 } = options;

  async function sendMessage(
    request: SendMessageRequest,
    requestOptions?: RequestOptions,
  ): Promise<PaidAgentResult> {
    const call: RequestOptions = {
      ...requestOptions,
      serviceParameters: ServiceParameters.createFrom(
        requestOptions?.serviceParameters,
        withA2AExtensions(X402_A2A_EXTENSION_URI),
      ),
    };
    const first = await client.sendMessage(request, call);
    const task = taskOf(first);
    const asked = readTaskPayment(task);
    if (
      !task ||
      task.status?.state !== TaskState.TASK_STATE_INPUT_REQUIRED ||
      asked.status !== PaymentStatuses.required
    )
      return { result: first, task, payment: asked, paid: undefined };
    if (!asked.required)
      throw new X402Error(
        A2aReasons.paymentRequestInvalid,
        'the task asks for payment without a valid x402.payment.required',
      );
    const required = asked.required;
    const refuse = async (error: X402Error): Promise<never> => {
      await client
        .sendMessage(
          reply(
            request,
            task,
            { [PaymentMetadataKeys.status]: PaymentStatuses.rejected },
            'Payment rejected.',
          ),
          call,
        )
        .catch(() => undefined);
      throw error;
    };
    if (options.approve && !(await options.approve(required, task)))
      return refuse(new X402Error(A2aReasons.paymentNotApproved, 'the payment was not approved'));
    let payload: AnyPaymentPayload;
    try {
      payload = await x402.createPaymentPayload(
        required,
        options.budgetKey ? { budgetKey: options.budgetKey } : {},
      );
    } catch (error) {
      if (error instanceof X402Error) return refuse(error);
      throw error;
    }
    const metadata = {
      [PaymentMetadataKeys.status]: PaymentStatuses.submitted,
      [PaymentMetadataKeys.payload]: payload,
    };
    const { answer, paidTask, payment } = await sendReportingOutcome(
      x402,
      payload,
      async () => {
        const answer = await client.sendMessage(
          reply(request, task, metadata, 'Here is the payment authorization.'),
          call,
        );
        const paidTask = taskOf(answer);
        return { answer, paidTask, payment: readTaskPayment(paidTask) };
      },
      ({ payment }) => ({ outcome: outcomeOf(payment) }),
    );
    return { result: answer, task: paidTask, payment, paid: payload };
  }

  return { sendMessage };
}

function taskOf(result: SendMessageResult): Task | undefined {
  return 'status' in result ? result : undefined;
}

/** The client's next message on the task. */
function reply(
  request: SendMessageRequest,
  task: Task,
  metadata: Record<string, unknown>,
  text: string,
): SendMessageRequest {
  const message: Message = {
    messageId: crypto.randomUUID(),
    contextId: task.contextId,
    taskId: task.id,
    role: Role.ROLE_USER,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' },
    ],
    metadata,
    extensions: [],
    referenceTaskIds: [],
  };
  return { tenant: request.tenant, message, configuration: request.configuration, metadata: undefined };
}

/** For the budget: paid when the last receipt settled, refused when it failed with no transaction. */
function outcomeOf(payment: TaskPayment): PaymentOutcome {
  const last = payment.receipts.at(-1);
  if (payment.status === PaymentStatuses.completed && last?.success) return 'paid';
  if (payment.status === PaymentStatuses.failed && last && !last.success && !last.transaction)
    return outcomeOfRefusal(last.errorReason);
  return 'unknown';
}
