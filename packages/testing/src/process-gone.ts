/** Whether a child process a test started (anvil, the CLI) has really exited. */
import { readFileSync } from 'node:fs';

/**
 * True when no live process has this pid (a zombie awaiting its reaper counts as gone).
 *
 * @example assert.ok(processIsGone(anvil.pid), 'anvil still running after stop()')
 */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'ESRCH';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
