/**
 * The package's logging hook. Library code never prints: it hands events to an optional
 * callback, and the application (the CLI, your server) decides where they go.
 * Same shape as `@x402kit/http`'s `Log`, so one sink serves both.
 */

/** Severity of a {@link LogEvent}. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One thing worth telling an operator, with structured details. */
export type LogEvent = {
  level: LogLevel;
  message: string;
  data?: Record<string, unknown>;
};

/**
 * Receives log events. Must not throw; exceptions it raises are swallowed.
 *
 * @example
 * const log: Log = (e) => console.error(`[facilitator ${e.level}] ${e.message}`, e.data ?? '');
 */
export type Log = (event: LogEvent) => void;

/** A function that is always safe to call, whether or not a {@link Log} was given. */
export type Emit = (level: LogLevel, message: string, data?: Record<string, unknown>) => void;

/**
 * Wrap an optional {@link Log} into an {@link Emit}.
 *
 * @example
 * const emit = createEmitter(options.log);
 * emit('error', 'unexpected error in /settle', { error: String(error) });
 */
export function createEmitter(log: Log | undefined): Emit {
  if (!log) return () => {};
  return (level, message, data) => {
    try {
      log(data === undefined ? { level, message } : { level, message, data });
    } catch {
      // a broken logger must never break a request
    }
  };
}

/** Where {@link createJsonLog} writes; `process.stdout` / `process.stderr` fit. */
export type LogSink = { write(line: string): unknown };

export type JsonLogOptions = {
  /** Least severe level written; default `info`. */
  level?: LogLevel;
  /** `debug` and `info` lines; default `process.stdout`. */
  stdout?: LogSink;
  /** `warn` and `error` lines; default `process.stderr`. */
  stderr?: LogSink;
  /** Fields put on every line (`service`, `instance` ...). */
  fields?: Record<string, unknown>;
  /** Clock, for tests; default `Date.now`. */
  now?: () => number;
};

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * A {@link Log} writing one JSON object per line: `{"level","time","msg",...fields}` (`time` is
 * ISO-8601). `bigint` fields are written as decimal strings; an unserializable field never throws.
 *
 * @example
 * const log = createJsonLog({ level: 'info', fields: { instance: 'fac-1' } })
 * log({ level: 'warn', message: 'relayer balance low', data: { address, balanceWei: 10n } })
 * // stderr: {"level":"warn","time":"2026-01-01T00:00:00.000Z","msg":"relayer balance low","instance":"fac-1","address":"0x…","balanceWei":"10"}
 */
export function createJsonLog(options: JsonLogOptions = {}): Log {
  const least = SEVERITY[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  return (event) => {
    if (SEVERITY[event.level] < least) return;
    const line = {
      level: event.level,
      time: new Date(now()).toISOString(),
      msg: event.message,
      ...options.fields,
      ...event.data,
    };
    let text: string;
    try {
      text = JSON.stringify(line, (_key, value: unknown) =>
        typeof value === 'bigint' ? value.toString() : value,
      );
    } catch {
      text = JSON.stringify({ level: event.level, time: line.time, msg: event.message });
    }
    (SEVERITY[event.level] >= SEVERITY.warn ? stderr : stdout).write(`${text}\n`);
  };
}
