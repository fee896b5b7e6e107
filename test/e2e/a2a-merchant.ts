/**
 * The merchant agent of the A2A end-to-end tests: the @a2a-js/sdk JSON-RPC server on 127.0.0.1
 * (legacy v0.3 wire on) with our paid executor in front of a forecast executor, the card declaring
 * the x402 extension; and the client side's SDK client and opening message.
 */
import {
  A2A_PROTOCOL_VERSION,
  AGENT_CARD_PATH,
  type AgentCard,
  Role,
  type SendMessageRequest,
  TaskState,
} from '@a2a-js/sdk';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from '@a2a-js/sdk/client';
import { duplicateInterfacesForLegacy } from '@a2a-js/sdk/compat/v0_3';
import { AgentEvent, type AgentExecutor, DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import { createPaidAgentExecutor, x402AgentExtension } from '@x402kit/a2a';
import { createHttpFacilitatorClient, createResourceServer } from '@x402kit/core';
import type { Devnet } from '@x402kit/devnet';
import { createExactEvmServer } from '@x402kit/evm';
import { listenLocal, type Running } from '@x402kit/testing/listen';
import express from 'express';

/** A running merchant agent: its JSON-RPC URL and how many times the paid work ran. */
export type Merchant = Running & { rpcUrl: string; executions: () => number };

/**
 * A merchant agent selling one forecast per task for $0.001 (exact on the devnet, settled through
 * the facilitator at `facilitatorUrl`), counting its paid executor's runs.
 *
 * @example
 * const merchant = await startForecastMerchant({ devnet, facilitatorUrl: options.facilitatorUrl })
 * const { result } = await fetch(merchant.rpcUrl, ...) // A2A JSON-RPC, the x402 extension activated
 */
export async function startForecastMerchant(options: {
  devnet: Devnet;
  facilitatorUrl: string;
}): Promise<Merchant> {
  const { devnet } = options;
  let executions = 0;
  const forecast: AgentExecutor = {
    async execute(ctx, bus) {
      executions++;
      const asked = ctx.userMessage.parts.find((p) => p.content?.$case === 'text');
      const city = asked?.content?.$case === 'text' ? asked.content.value : '';
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId: ctx.taskId,
          contextId: ctx.contextId,
          artifact: {
            artifactId: 'forecast',
            name: 'forecast',
            description: '',
            parts: [
              {
                content: { $case: 'text', value: `${city}: sunny` },
                metadata: undefined,
                filename: '',
                mediaType: 'text/plain',
              },
            ],
            metadata: undefined,
            extensions: [],
          },
          append: false,
          lastChunk: true,
          metadata: undefined,
        }),
      );
      bus.publish(
        AgentEvent.statusUpdate({
          taskId: ctx.taskId,
          contextId: ctx.contextId,
          status: {
            state: TaskState.TASK_STATE_COMPLETED,
            message: undefined,
            timestamp: new Date().toISOString(),
          },
          metadata: undefined,
        }),
      );
    },
    async cancelTask() {},
  };
  const server = createResourceServer({
    facilitators: createHttpFacilitatorClient({ url: options.facilitatorUrl }),
    schemes: [{ network: 'eip155:*', server: createExactEvmServer() }],
  });
  await server.initialize();
  const executor = createPaidAgentExecutor({
    server,
    accepts: [
      { scheme: 'exact', network: devnet.network, payTo: devnet.accounts.payTo.address, price: '$0.001' },
    ],
    resource: {
      url: 'a2a://forecast-agent/forecast',
      description: 'A weather forecast',
      mimeType: 'text/plain',
    },
    executor: forecast,
  });
  const app = express();
  const running = await listenLocal(app);
  const card: AgentCard = {
    name: 'Forecast agent',
    description: 'Sells weather forecasts, paid with x402',
    supportedInterfaces: duplicateInterfacesForLegacy(
      [
        {
          url: `${running.url}/a2a/jsonrpc`,
          protocolBinding: 'JSONRPC',
          tenant: '',
          protocolVersion: A2A_PROTOCOL_VERSION,
        },
      ],
      ['JSONRPC'],
    ),
    provider: undefined,
    version: '1.0.0',
    documentationUrl: '',
    capabilities: {
      streaming: false,
      pushNotifications: false,
      extensions: [x402AgentExtension()],
      extendedAgentCard: false,
    },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [
      {
        id: 'forecast',
        name: 'Forecast',
        description: 'A forecast for a city',
        tags: ['weather'],
        examples: ['Paris'],
        inputModes: ['text'],
        outputModes: ['text'],
        securityRequirements: [],
      },
    ],
    signatures: [],
    iconUrl: '',
  };
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  app.use(
    `/${AGENT_CARD_PATH}`,
    agentCardHandler({ agentCardProvider: handler, legacyCompat: { enabled: true } }),
  );
  app.use(
    '/a2a/jsonrpc',
    jsonRpcHandler({
      requestHandler: handler,
      userBuilder: UserBuilder.noAuthentication,
      legacyCompat: { enabled: true },
    }),
  );
  return { ...running, rpcUrl: `${running.url}/a2a/jsonrpc`, executions: () => executions };
}

/**
 * The @a2a-js/sdk client of the agent at `url` (its card read with the legacy v0.3 wire on).
 *
 * @example
 * const agent = createPayingAgentClient({ client: await sdkClient(merchant.url), x402 })
 */
export async function sdkClient(url: string) {
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      cardResolver: new DefaultAgentCardResolver({ legacyCompat: { enabled: true } }),
      transports: [new JsonRpcTransportFactory({ legacyCompat: { enabled: true } })],
    }),
  );
  return factory.createFromUrl(url);
}

/**
 * A user's `SendMessageRequest` opening a new task with `text`.
 *
 * @example
 * const { task, payment } = await agent.sendMessage(ask('Paris'))
 */
export function ask(text: string): SendMessageRequest {
  return {
    tenant: '',
    message: {
      messageId: crypto.randomUUID(),
      contextId: '',
      taskId: '',
      role: Role.ROLE_USER,
      parts: [
        {
          content: { $case: 'text', value: text },
          metadata: undefined,
          filename: '',
          mediaType: 'text/plain',
        },
      ],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    },
    configuration: undefined,
    metadata: undefined,
  };
}
