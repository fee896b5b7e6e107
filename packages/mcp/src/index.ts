/**
 * @x402kit/mcp: x402 over MCP (the transport spec `transports-v2/mcp.md`). Paid tools for an
 * `McpServer` (`createPaidTools`), and an MCP client that pays for them (`wrapMcpClientWithPayment`),
 * on the `@modelcontextprotocol/sdk` and the engines of `@x402kit/core`.
 */

export * from './mcp-fetch-handler.js';
export * from './mcp-meta.js';
export * from './paid-tools.js';
export * from './paying-client.js';
export * from './payment-required-as-error.js';
export * from './payment-required-result.js';
