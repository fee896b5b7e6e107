/**
 * A budget store in one JSON file that several processes share (each `x402kit pay` is one): every
 * update takes an exclusive lock file (`<file>.lock`, created with O_EXCL), reads the file, writes
 * the new state to a temporary file and renames it over the old one, then removes the lock. A lock
 * left by a process that died is taken over.
 */
import { mkdirSync } from 'node:fs';
import { open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  BudgetReasons,
  type BudgetState,
  type BudgetStore,
  emptyBudgetState,
  X402Error,
} from '@x402kit/core';
import { z } from 'zod';

const HoldSchema = z.object({ amount: z.string(), status: z.enum(['reserved', 'pending']), at: z.string() });
const StateSchema = z.object({
  version: z.literal(1),
  buckets: z.record(
    z.string(),
    z.object({
      label: z.string(),
      unit: z.string(),
      decimals: z.number().int(),
      limit: z.string(),
      window: z.string(),
      key: z.string().nullable(),
      spent: z.string(),
      holds: z.record(z.string(), HoldSchema),
    }),
  ),
});

export type FileBudgetStoreOptions = {
  /** Give up waiting for the lock after this long (`budget_store_unavailable`); default 10 s. */
  lockTimeoutMs?: number;
  /** A lock older than this is taken over even if its process seems alive; default 30 s. */
  staleLockMs?: number;
};

/**
 * The store of `x402kit pay --budget`: one file, safe for concurrent processes.
 *
 * @example
 * const store = createFileBudgetStore(join(homedir(), '.x402kit', 'budget.json'))
 * const budget = createBudget({ limits: [parseBudgetLimit('5/day')], store })
 */
export function createFileBudgetStore(path: string, options: FileBudgetStoreOptions = {}): BudgetStore {
  const file: BudgetFile = {
    path,
    lockPath: `${path}.lock`,
    lockTimeoutMs: options.lockTimeoutMs ?? 10_000,
    staleLockMs: options.staleLockMs ?? 30_000,
  };
  // updates of this process go one at a time; the lock file orders them with other processes
  let queue: Promise<unknown> = Promise.resolve();

  async function locked<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(async () => {
      await lock(file);
      try {
        return await work();
      } finally {
        await unlink(file.lockPath).catch(() => undefined);
      }
    });
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    update(change) {
      return locked(async () => {
        const state = await readState(path);
        const result = change(state);
        const temporary = `${path}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
        await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600, flush: true });
        await rename(temporary, path);
        return result;
      });
    },
    read() {
      return readState(path);
    },
  };
}

/** The budget file, its lock file and the lock's timings. */
type BudgetFile = { path: string; lockPath: string; lockTimeoutMs: number; staleLockMs: number };

/** The state in the file at `path` (empty when there is no file). */
async function readState(path: string): Promise<BudgetState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyBudgetState();
    throw unavailable(`cannot read ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unavailable(`${path} is not JSON; fix it or remove it (x402kit budget --reset)`);
  }
  const parsed = StateSchema.safeParse(json);
  if (!parsed.success)
    throw unavailable(`${path} is not a budget file; fix it or remove it (x402kit budget --reset)`);
  return parsed.data;
}

/** Create the lock file, waiting (and taking over a stale lock) until `lockTimeoutMs` has passed. */
async function lock(file: BudgetFile): Promise<void> {
  const { path, lockPath, lockTimeoutMs } = file;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const deadline = Date.now() + lockTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
        throw unavailable(`cannot create ${lockPath}: ${(error as Error).message}`);
    }
    if (await takeOverStale(file)) continue;
    if (Date.now() > deadline)
      throw unavailable(
        `${lockPath} stayed locked for ${lockTimeoutMs} ms; if no x402kit is running, remove it`,
      );
    await sleep(Math.min(2 + attempt * 2, 25) + Math.random() * 5);
  }
}

/** Removes a lock whose process is gone (or that is older than `staleLockMs`); true when it did. */
async function takeOverStale({ lockPath, staleLockMs }: BudgetFile): Promise<boolean> {
  try {
    const [owner, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const pid = Number(owner);
    const dead = Number.isInteger(pid) && pid > 0 && !alive(pid);
    if (!dead && Date.now() - info.mtimeMs < staleLockMs) return false;
    // moved aside under a unique name first, so two processes cannot both remove a fresh lock
    const aside = `${lockPath}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await rename(lockPath, aside);
    await unlink(aside);
    return true;
  } catch {
    return false; // gone already, or being written: try again
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unavailable(message: string): X402Error {
  return new X402Error(BudgetReasons.budgetStoreUnavailable, `budget store: ${message}`);
}
