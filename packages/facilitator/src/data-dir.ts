/**
 * Where the facilitator keeps its files when the configuration names none: a per-user data
 * directory, never the directory it was started from. `$X402KIT_DATA_DIR`, else
 * `$XDG_DATA_HOME/x402kit`, else the platform's place (`~/.local/share/x402kit` on Linux,
 * `~/Library/Application Support/x402kit` on macOS, `%LOCALAPPDATA%\x402kit` on Windows).
 */
import { join } from 'node:path';
import { dataDirectory } from '@x402kit/core/internal/node';

export { dataDirectory };

/** The file name of the embedded (SQLite) ledger in the data directory. */
export const LEDGER_FILE_NAME = 'x402kit-ledger.db';

/**
 * The embedded ledger's default file: `x402kit-ledger.db` in {@link dataDirectory}.
 *
 * @example defaultLedgerPath({ X402KIT_DATA_DIR: '/var/lib/x402kit' }) // '/var/lib/x402kit/x402kit-ledger.db'
 */
export function defaultLedgerPath(env: Readonly<Record<string, string | undefined>>): string {
  return join(dataDirectory(env), LEDGER_FILE_NAME);
}
