/**
 * An MCP server over streamable HTTP as a Web handler (`Request -> Response`), stateless: each
 * request gets a fresh `McpServer` from `createServer` on its own transport, so it runs on any
 * runtime (`serve` of `@x402kit/http/node`, Hono, Workers). Paid tools keep their payment memory
 * in the `createPaidTools` object the servers share, not in the per-request server.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';

/**
 * A stateless streamable-HTTP handler for the servers `createServer` builds.
 *
 * @example
 * const paid = createPaidTools({ server, tools: { get_weather: { accepts } } });
 * const handler = createMcpFetchHandler(() => weatherServer(paid));
 * const { url } = await serve(handler); // MCP endpoint: any path, e.g. `${url}/mcp`
 */
export function createMcpFetchHandler(
  createServer: () => McpServer,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const server = createServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    void server.close();
    return response;
  };
}
