/**
 * `@x402kit/core/internal/node`: the Node-only helpers the x402kit packages share (the browser-safe
 * entries of core never import this file).
 *
 * Where x402kit keeps its files when the configuration names none (the facilitator's ledger, a resource
 * server's batch-settlement channels): a per-user data directory, never the directory it was started
 * from. `$X402KIT_DATA_DIR`, else `$XDG_DATA_HOME/x402kit`, else the platform's place
 * (`~/.local/share/x402kit` on Linux, `~/Library/Application Support/x402kit` on macOS,
 * `%LOCALAPPDATA%\x402kit` on Windows).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The data directory for this environment (an absolute path; not created here).
 *
 * @example dataDirectory({ XDG_DATA_HOME: '/home/me/.data' }) // '/home/me/.data/x402kit'
 */
export function dataDirectory(
  env: Readonly<Record<string, string | undefined>>,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.X402KIT_DATA_DIR) return resolve(env.X402KIT_DATA_DIR);
  if (env.XDG_DATA_HOME) return join(resolve(env.XDG_DATA_HOME), 'x402kit');
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'x402kit');
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'x402kit');
  return join(home, '.local', 'share', 'x402kit');
}
