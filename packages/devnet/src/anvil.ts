import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AnvilStartError, DevnetOptionsError } from './errors.js';
import { findAnvil } from './find-anvil.js';

/** Options of {@link startAnvil}. */
export interface StartAnvilOptions {
  /** TCP port on 127.0.0.1; `0` or absent picks a free one. */
  port?: number;
  /** Chain id anvil reports (`eth_chainId`) and signs transactions for. */
  chainId: number;
  /** Seconds between blocks (interval mining); absent means a block per transaction (automine). */
  blockTime?: number;
  /** Path of the anvil binary; defaults to {@link anvilBinaryPath} (platform package, `ANVIL_PATH`, `PATH`). */
  binaryPath?: string;
  /** Milliseconds to wait for anvil to answer `eth_chainId` (default 15000). */
  timeoutMs?: number;
  /** Receives one line per step (start, ready, stop); nothing is printed without it. */
  log?: (line: string) => void;
}

/** A running anvil child process. */
export interface AnvilProcess {
  /** `http://127.0.0.1:<port>` */
  readonly rpcUrl: string;
  readonly port: number;
  readonly chainId: number;
  /** Operating-system process id of anvil. */
  readonly pid: number;
  /** Sends SIGTERM and resolves once anvil has exited (SIGKILL after 3 s). Safe to call twice. */
  stop(): Promise<void>;
}

const POLL_INTERVAL_MS = 25;
const DEFAULT_TIMEOUT_MS = 15_000;
const KILL_AFTER_MS = 3_000;
const PORT_ATTEMPTS = 3;
const STDERR_LIMIT = 16_384;

/**
 * Path of the anvil binary: from the npm package of Foundry's anvil for this OS and CPU
 * (`@foundry-rs/anvil-linux-amd64`, `-linux-arm64`, `-darwin-amd64`, `-darwin-arm64`, `-win32-amd64`, optional
 * dependencies of this package) when installed, else the file `ANVIL_PATH` names, else `anvil` on `PATH`.
 * Throws an `AnvilStartError` naming each place it looked, and how to get anvil, when none has it.
 *
 * @example
 * ```ts
 * const bin = anvilBinaryPath(); // .../node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil
 * ```
 */
export function anvilBinaryPath(): string {
  return findAnvil().path;
}

/**
 * Starts anvil on 127.0.0.1 and resolves once it answers `eth_chainId`.
 * The child is killed when this Node process exits, even if `stop()` is never called.
 *
 * @example
 * ```ts
 * const anvil = await startAnvil({ chainId: 84532 });
 * console.log(anvil.rpcUrl); // http://127.0.0.1:41234
 * await anvil.stop();
 * ```
 */
export async function startAnvil(options: StartAnvilOptions): Promise<AnvilProcess> {
  const { chainId, blockTime, log } = options;
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new DevnetOptionsError('chainId', `must be a positive integer (got ${String(chainId)})`);
  }
  if (
    options.port !== undefined &&
    (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)
  ) {
    throw new DevnetOptionsError('port', `must be an integer from 0 to 65535 (got ${String(options.port)})`);
  }
  if (blockTime !== undefined && (!Number.isFinite(blockTime) || blockTime <= 0)) {
    throw new DevnetOptionsError(
      'blockTime',
      `must be a positive number of seconds (got ${String(blockTime)})`,
    );
  }
  const binary = options.binaryPath ?? anvilBinaryPath();
  try {
    accessSync(binary, constants.X_OK);
  } catch (error) {
    throw new AnvilStartError(`anvil binary at ${binary} is missing or not executable`, { cause: error });
  }

  const fixedPort = options.port !== undefined && options.port !== 0 ? options.port : undefined;
  const attempts = fixedPort === undefined ? PORT_ATTEMPTS : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // A fixed port is probed first: another server answering eth_chainId there must not pass for our anvil.
    const port = await reservePort(fixedPort ?? 0);
    try {
      return await launch({ binary, port, chainId, blockTime, log, timeoutMs: options.timeoutMs });
    } catch (error) {
      lastError = error;
      const portTaken = error instanceof AnvilStartError && /address already in use/i.test(error.stderr);
      if (!portTaken || attempt === attempts) throw error;
      log?.(`anvil: port ${port} was taken, retrying on another port`);
    }
  }
  throw lastError;
}

interface LaunchParameters {
  binary: string;
  port: number;
  chainId: number;
  blockTime: number | undefined;
  timeoutMs: number | undefined;
  log: ((line: string) => void) | undefined;
}

async function launch(p: LaunchParameters): Promise<AnvilProcess> {
  const args = ['--host', '127.0.0.1', '--port', String(p.port), '--chain-id', String(p.chainId), '--silent'];
  if (p.blockTime !== undefined) args.push('--block-time', String(p.blockTime));
  const rpcUrl = `http://127.0.0.1:${p.port}`;
  const started = performance.now();
  p.log?.(
    `anvil: starting on ${rpcUrl} (chain id ${p.chainId}${p.blockTime ? `, block time ${p.blockTime}s` : ''})`,
  );

  const child = spawn(p.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  track(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < STDERR_LIMIT) stderr += chunk;
  });

  let failure: AnvilStartError | undefined;
  child.once('error', (error) => {
    failure = new AnvilStartError(`could not run anvil at ${p.binary}: ${error.message}`, {
      stderr,
      cause: error,
    });
  });
  // 'close' comes after 'exit' once stderr is drained, so the message carries all of it.
  child.once('close', (code, signal) => {
    failure ??= new AnvilStartError(
      `anvil exited before it was ready (${signal ?? `exit code ${String(code)}`})` +
        (stderr.trim() ? `: ${stderr.trim()}` : ''),
      { stderr },
    );
  });

  const deadline = Date.now() + (p.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  for (;;) {
    if (failure) throw withStderr(failure, stderr);
    const answered = await readChainId(rpcUrl);
    if (failure) throw withStderr(failure, stderr);
    if (answered !== undefined) {
      if (answered !== p.chainId) {
        await stopChild(child);
        throw new AnvilStartError(
          `something else answers on ${rpcUrl} (chain id ${answered}, expected ${p.chainId})`,
          { stderr },
        );
      }
      if (child.exitCode === null && child.signalCode === null) break;
      // Exited (and something else answered): wait for 'close' to set `failure` with the full stderr.
      if (!failure) await new Promise((resolve) => child.once('close', resolve));
      continue;
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new AnvilStartError(
        `anvil did not answer eth_chainId on ${rpcUrl} within ${p.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms` +
          (stderr.trim() ? `: ${stderr.trim()}` : ''),
        { stderr },
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }

  const pid = child.pid ?? -1;
  p.log?.(`anvil: ready on ${rpcUrl} (pid ${pid}) in ${Math.round(performance.now() - started)} ms`);
  return {
    rpcUrl,
    port: p.port,
    chainId: p.chainId,
    pid,
    async stop() {
      await stopChild(child);
      p.log?.(`anvil: stopped (pid ${pid})`);
    },
  };
}

function withStderr(error: AnvilStartError, stderr: string): AnvilStartError {
  if (error.stderr === stderr) return error;
  return new AnvilStartError(error.message, { stderr, cause: error.cause });
}

/** One `eth_chainId` round trip; undefined while anvil is not listening yet. */
async function readChainId(rpcUrl: string): Promise<number | undefined> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
      signal: AbortSignal.timeout(1_000),
    });
    if (!response.ok) return undefined;
    const body: unknown = await response.json();
    if (typeof body !== 'object' || body === null || !('result' in body) || typeof body.result !== 'string') {
      return undefined;
    }
    return Number.parseInt(body.result, 16);
  } catch {
    return undefined;
  }
}

/** Binds 127.0.0.1:`port` (0 = any free port) and releases it, returning the port; fails if it is taken. */
async function reservePort(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const taken = error.code === 'EADDRINUSE';
      reject(
        new AnvilStartError(
          taken
            ? `port ${port} on 127.0.0.1 is already in use`
            : `cannot bind 127.0.0.1:${port}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => {
        if (bound === undefined) reject(new AnvilStartError('could not find a free TCP port'));
        else resolve(bound);
      });
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
    running.delete(child);
  }
}

// ------------------------------------------------------------------ cleanup when the parent goes away

const running = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let handlersInstalled = false;

function killAllSync(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  killAllSync();
  // Only ours is listening: restore the default behaviour (terminate) by re-raising the signal.
  if (process.listenerCount(signal) === 1) {
    uninstallHandlers();
    process.kill(process.pid, signal);
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllSync);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.off('exit', killAllSync);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function track(child: ChildProcess): void {
  running.add(child);
  installHandlers();
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) uninstallHandlers();
  });
}
