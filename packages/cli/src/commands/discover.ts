/**
 * `x402kit discover <facilitator-url>`: the paid resources a facilitator lists in its discovery
 * catalog (`GET /discovery/resources`, the bazaar extension): for each, its URL, method, price and
 * network, and what it takes and answers. `--json` prints the facilitator's answer as one JSON object.
 */
import {
  type DiscoveryResource,
  type DiscoveryResourcesResponse,
  formatUnits,
  getNetwork,
  listDiscoveryResources,
  X402Error,
} from '@x402kit/core';
import { type CliContext, CliError, type Command, ExitCode, UsageError } from '../command.js';
import { defineCommand } from '../define-command.js';
import { parseInteger } from '../options.js';

const usage = `Usage: x402kit discover <facilitator-url> [--type http|mcp] [--limit N] [--offset N] [--json]

List the paid resources a facilitator has settled payments for and lists for discovery
(GET <facilitator-url>/discovery/resources, the x402 bazaar extension).

Options:
  --type <type>      only resources of this type: http or mcp
  --limit <n>        at most n resources (1-100; default 20)
  --offset <n>       skip the first n resources (default 0)
  --network <id>     only resources payable on this CAIP-2 network
  --api-key <key>    sent as Authorization: Bearer <key> (or X402KIT_FACILITATOR_API_KEY)
  --json             print the facilitator's answer as ONE JSON object {x402Version, items, pagination}
  -h, --help         show this help

Exit codes: 0 listed (possibly none), 1 the facilitator cannot be reached or refused, 2 bad usage.

Example:
  x402kit discover http://127.0.0.1:4022 --type http --limit 10`;

/**
 * The `discover` command.
 *
 * @example await discoverCommand.run(['http://127.0.0.1:4022', '--json'], context)
 */
export const discoverCommand: Command = defineCommand({
  name: 'discover',
  usage,
  allowPositionals: true,
  options: {
    type: { type: 'string' },
    limit: { type: 'string' },
    offset: { type: 'string' },
    network: { type: 'string' },
    'api-key': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ values, positionals }, context) {
    const [url, ...extra] = positionals;
    if (url === undefined) throw new UsageError('name the facilitator: x402kit discover <facilitator-url>');
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    if (!/^https?:\/\//i.test(url) || !URL.canParse(url))
      throw new UsageError(`<facilitator-url> must be an http(s) URL, got "${url}"`);
    if (values.type !== undefined && values.type !== 'http' && values.type !== 'mcp')
      throw new UsageError(`--type must be http or mcp, got "${values.type}"`);
    const limit = parseInteger(values.limit, '--limit');
    if (limit !== undefined && (limit < 1 || limit > 100))
      throw new UsageError('--limit must be from 1 to 100');
    const offset = parseInteger(values.offset, '--offset');
    const apiKey = values['api-key'] ?? context.env.X402KIT_FACILITATOR_API_KEY;
    let listed: DiscoveryResourcesResponse;
    try {
      listed = await listDiscoveryResources(url, {
        ...(values.type ? { type: values.type } : {}),
        ...(values.network ? { network: values.network } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(offset !== undefined ? { offset } : {}),
        ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}),
      });
    } catch (error) {
      if (error instanceof X402Error) throw new CliError(`discover: ${error.message}`, ExitCode.failure);
      throw error;
    }
    if (values.json) {
      context.stdout(`${JSON.stringify(listed)}\n`);
      return ExitCode.ok;
    }
    printListing(listed, context);
    return ExitCode.ok;
  },
});

function printListing(listed: DiscoveryResourcesResponse, context: CliContext): void {
  const { items, pagination } = listed;
  const shown = items.length === 0 ? 'none' : `${pagination.offset + 1}-${pagination.offset + items.length}`;
  context.stdout(
    `${pagination.total} resource${pagination.total === 1 ? '' : 's'} listed (showing ${shown})\n`,
  );
  for (const item of items) context.stdout(describeResource(item));
}

/** Several lines about one resource: URL and method, prices, what it takes and answers. */
function describeResource(item: DiscoveryResource): string {
  const bazaar = item.extensions?.bazaar as
    | { info?: { input?: Record<string, unknown>; output?: { example?: unknown } } }
    | undefined;
  const input = bazaar?.info?.input ?? {};
  const method = typeof input.method === 'string' ? input.method : item.type === 'mcp' ? 'MCP' : '';
  const lines = [`\n${method ? `${method} ` : ''}${item.resource}`];
  if (item.description) lines.push(`  ${item.description}`);
  for (const offer of item.accepts as Array<Record<string, unknown>>) {
    lines.push(
      `  pays: ${priceOf(offer)} (${String(offer.scheme)} on ${String(offer.network)}, to ${String(offer.payTo)})`,
    );
  }
  const takes = input.queryParams ?? input.body ?? input.inputSchema;
  if (takes !== undefined && JSON.stringify(takes) !== '{}')
    lines.push(
      `  ${input.body !== undefined ? `body (${String(input.bodyType)})` : 'input'}: ${JSON.stringify(takes)}`,
    );
  const example = bazaar?.info?.output?.example;
  if (example !== undefined) lines.push(`  answers like: ${JSON.stringify(example)}`);
  lines.push(`  last paid: ${item.lastUpdated}`);
  return `${lines.join('\n')}\n`;
}

function priceOf(offer: Record<string, unknown>): string {
  const amount = String(offer.amount ?? offer.maxAmountRequired ?? '?');
  const network = typeof offer.network === 'string' ? getNetwork(offer.network) : undefined;
  const asset = network?.assets?.find(
    (a) => typeof offer.asset === 'string' && a.address.toLowerCase() === offer.asset.toLowerCase(),
  );
  if (!asset || !/^\d+$/.test(amount)) return `${amount} atomic units of ${String(offer.asset)}`;
  return `${formatUnits(BigInt(amount), asset.decimals)} ${asset.symbol}`;
}
