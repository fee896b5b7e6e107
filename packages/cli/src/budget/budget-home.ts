import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The file `x402kit pay --budget` and `x402kit budget` keep the budget in:
 * `$X402KIT_HOME/budget.json`, by default `~/.x402kit/budget.json`.
 *
 * @example budgetFilePath({ X402KIT_HOME: '/tmp/agent' }) // '/tmp/agent/budget.json'
 */
export function budgetFilePath(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.X402KIT_HOME ?? join(homedir(), '.x402kit'), 'budget.json');
}
