/**
 * The facilitator's logs: the one {@link Log} hook of `@x402kit/core` (re-exported here, so callers
 * of `@x402kit/facilitator` keep their imports), and {@link createJsonLog}, the service's default
 * sink: JSON lines written by `pino`.
 */
import type { Log, LogLevel } from '@x402kit/core';
import { multistream, pino } from 'pino';

export type { Emit, Log, LogEvent, LogLevel } from '@x402kit/core';
export { createEmitter } from '@x402kit/core';

/** Where {@link createJsonLog} writes; `process.stdout` / `process.stderr` fit. */
export type LogSink = { write(line: string): unknown };

/** Options of `createJsonLog`. */
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

/**
 * A {@link Log} writing one JSON object per line with pino: `{"level","time",...fields,"msg"}`
 * (`level` by name, `time` ISO-8601), `debug`/`info` to `stdout` and `warn`/`error` to `stderr`.
 * `bigint` fields are written as decimal strings; an unserializable field never throws.
 *
 * @example
 * const log = createJsonLog({ level: 'info', fields: { instance: 'fac-1' } })
 * log({ level: 'warn', message: 'relayer balance low', data: { address, balanceWei: 10n } })
 * // stderr: {"level":"warn","time":"2026-01-01T00:00:00.000Z","instance":"fac-1","address":"0x…","balanceWei":"10","msg":"relayer balance low"}
 */
export function createJsonLog(options: JsonLogOptions = {}): Log {
  const now = options.now ?? Date.now;
  const streams = multistream(
    [
      { level: 'debug', stream: options.stdout ?? process.stdout },
      { level: 'warn', stream: options.stderr ?? process.stderr },
    ],
    { dedupe: true },
  );
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: options.fields ?? null,
      timestamp: () => `,"time":"${new Date(now()).toISOString()}"`,
      formatters: {
        level: (label) => ({ level: label }),
        log: (data) => bigintsAsStrings(data),
      },
    },
    streams,
  );
  return (event) => {
    try {
      if (event.data === undefined) logger[event.level](event.message);
      else logger[event.level](event.data, event.message);
    } catch {
      logger[event.level](event.message);
    }
  };
}

/** JSON has no bigint: amounts and balances are written as decimal strings, at any depth. */
function bigintsAsStrings(
  data: Record<string, unknown>,
  seen: WeakSet<object> = new WeakSet(),
): Record<string, unknown> {
  seen.add(data);
  let copy: Record<string, unknown> | undefined;
  for (const key in data) {
    const value = data[key];
    const written = convert(value, seen);
    if (written !== value) {
      copy ??= { ...data };
      copy[key] = written;
    }
  }
  return copy ?? data;
}

function convert(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object' || seen.has(value)) return value; // pino marks cycles
  if (Array.isArray(value)) {
    seen.add(value);
    const mapped = value.map((item) => convert(item, seen));
    return mapped.some((item, i) => item !== value[i]) ? mapped : value;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  return bigintsAsStrings(value as Record<string, unknown>, seen);
}
