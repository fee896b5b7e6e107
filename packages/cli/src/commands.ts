/**
 * The command registry. Each command lives in `commands/<name>.ts` and is loaded only when it
 * runs, so `x402kit --help` does not pay for viem, the devnet or the facilitator.
 */
import type { Command } from './command.js';

/** A registered command: what `--help` lists, and how to load it. */
export type CommandEntry = {
  readonly name: string;
  /** One line, shown in `x402kit --help` (kept here so help loads no command). */
  readonly summary: string;
  load(): Promise<Command>;
};

/**
 * Every command, in the order `x402kit --help` lists them.
 *
 * To add one: write `commands/<name>.ts` exporting a {@link Command}, then add an entry here.
 * The `demo` command goes first:
 *   { name: 'demo', summary: '...', load: async () => (await import('./commands/demo.js')).demoCommand },
 *
 * @example
 * const command = await COMMANDS.find((c) => c.name === 'pay')?.load()
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary: 'run one real x402 payment on a local chain, narrated (devnet, facilitator, paid API, client)',
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  {
    name: 'devnet',
    summary: 'start a local chain with USDC and funded accounts; prints one JSON line',
    load: async () => (await import('./commands/devnet.js')).devnetCommand,
  },
  {
    name: 'facilitator',
    summary: 'run an x402 facilitator (/verify, /settle, /supported) for EVM networks',
    load: async () => (await import('./commands/facilitator.js')).facilitatorCommand,
  },
  {
    name: 'gateway',
    summary: 'put an HTTP API behind x402 from a YAML file: 402, verify, proxy, settle on success',
    load: async () => (await import('./commands/gateway.js')).gatewayCommand,
  },
  {
    name: 'pay',
    summary: 'fetch a URL, paying its x402 402 answer (exact on EVM)',
    load: async () => (await import('./commands/pay.js')).payCommand,
  },
  {
    name: 'discover',
    summary: "list the paid resources a facilitator's discovery catalog (bazaar) holds",
    load: async () => (await import('./commands/discover.js')).discoverCommand,
  },
  {
    name: 'wallet',
    summary: 'addresses and balances of the configured payer keys (EVM, Solana); prints one JSON object',
    load: async () => (await import('./commands/wallet.js')).walletCommand,
  },
  {
    name: 'budget',
    summary: 'show or reset the spending budget of pay --budget; prints one JSON object',
    load: async () => (await import('./commands/budget.js')).budgetCommand,
  },
];
